"""The `python -m sky_readers` command line: one sub-command group per area."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from sky_readers.core.errors import SkyReadersError
from sky_readers.core.logging import configure_logging

# Modules that each add one command group with a `register(subparsers)` function.
COMMAND_MODULES = (
    "sky_readers.cli.db",
    "sky_readers.cli.catalog",
    "sky_readers.cli.users",
    "sky_readers.cli.mail",
    "sky_readers.cli.dev",
    "sky_readers.cli.web",
    "sky_readers.cli.recommendations",
    "sky_readers.cli.wishlist",
)

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every command group that exists."""
    parser = argparse.ArgumentParser(
        prog="python -m sky_readers",
        description="Run and manage the Sky Readers Haven bookstore.",
    )
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen command.

    Args:
        argv: Arguments without the program name; sys.argv by default.

    Returns:
        The exit status: 0 on success, 1 on a reported error, 130 on Ctrl-C.
    """
    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except SkyReadersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
