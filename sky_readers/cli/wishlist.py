"""`wishlist` commands: the back-in-stock sweep."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError, ProgrammingError

from sky_readers.cli.catalog import _database_error
from sky_readers.wishlist.schedule import sweep_once


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `wishlist` command group."""
    parser = groups.add_parser("wishlist", help="Wishlist upkeep.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sweep = commands.add_parser(
        "notify-restocked",
        help="Queue back-in-stock mails for wished-for books that have copies again.",
        description=(
            "Record which wished-for books are sold out, and queue one mail per "
            "shopper for each book that was sold out and has copies again. The mail "
            "worker delivers them. The web app also runs this every "
            "RESTOCK_SWEEP_SECONDS."
        ),
    )
    sweep.set_defaults(handler=_sweep)


def _sweep(_args: argparse.Namespace) -> int:
    try:
        report = sweep_once()
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    print(f"Back-in-stock sweep: {report.summary()}")
    return 0
