"""`catalog` commands: load the starter catalogue and import goodbooks-10k data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError
from tqdm import tqdm

from sky_readers.catalog.goodbooks import check_folder, import_goodbooks
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.starter import STARTER_FILE, load_starter
from sky_readers.core.db import session_scope
from sky_readers.core.errors import SkyReadersError

# Progress bar labels and units per importer step.
_STEPS = {
    "books": ("Reading books.csv", "rows", False),
    "tags": ("Reading book_tags.csv", "B", True),
    "write": ("Writing to the database", "steps", False),
}


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `catalog` command group."""
    parser = groups.add_parser(
        "catalog", help="Load and import the books, authors and categories."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    starter = commands.add_parser(
        "load-starter",
        help="Insert the starter catalogue's missing categories and books.",
        description=(
            "Insert the categories (by slug) and books (by ISBN-13) of the starter "
            "catalogue that are not in the database yet. Existing rows are never "
            "changed, so this is safe to run on every start."
        ),
    )
    starter.add_argument(
        "--file",
        type=Path,
        default=STARTER_FILE,
        help="Starter catalogue JSON file (default: the one shipped with the store).",
    )
    starter.set_defaults(handler=_load_starter)

    goodbooks = commands.add_parser(
        "import-goodbooks",
        help="Import books from a goodbooks-10k folder (books.csv, tags.csv, ...).",
        description=(
            "Import the goodbooks-10k catalogue from DIR, which must contain "
            "books.csv, tags.csv and book_tags.csv. Books are matched by goodbooks "
            "id, goodreads id, then ISBN-13, so running it again updates rather "
            "than duplicates. Prints the counts of rows read, created, updated and "
            "skipped."
        ),
    )
    goodbooks.add_argument("folder", metavar="DIR", type=Path, help="Data folder.")
    goodbooks.add_argument(
        "--stock",
        type=_non_negative,
        default=None,
        metavar="N",
        help="Copies in stock for each new book (default: IMPORT_DEFAULT_STOCK, 20).",
    )
    goodbooks.add_argument(
        "--limit",
        type=_non_negative,
        default=None,
        metavar="N",
        help="Import only the first N rows of books.csv, for a quick run.",
    )
    goodbooks.add_argument(
        "--no-progress",
        action="store_true",
        help="Do not draw progress bars on standard error.",
    )
    goodbooks.set_defaults(handler=_import_goodbooks)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid value {value}: use 0 or more")
    return value


class _ProgressBars:
    """One tqdm bar on standard error per importer step."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(step)
        if bar is None:
            label, unit, scale = _STEPS.get(step, (step, "it", False))
            bar = tqdm(
                total=total,
                desc=label,
                unit=unit,
                unit_scale=scale,
                file=sys.stderr,
                leave=True,
            )
            self.bars[step] = bar
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _database_error(exc: Exception) -> SkyReadersError:
    return SkyReadersError(
        f"database error: {getattr(exc, 'orig', exc)}. Check DATABASE_URL and run "
        "`python -m sky_readers db upgrade` first."
    )


def _load_starter(args: argparse.Namespace) -> int:
    try:
        with session_scope() as session:
            report = load_starter(session, args.file)
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    print(f"Starter catalogue loaded: {report.summary()}")
    return 0


def _import_goodbooks(args: argparse.Namespace) -> int:
    # Check the files before a database connection, so a typo fails at once.
    check_folder(args.folder)
    bars = _ProgressBars(enabled=not args.no_progress)
    try:
        with session_scope() as session:
            report = import_goodbooks(
                session,
                args.folder,
                stock=args.stock,
                limit=args.limit,
                progress=bars,
            )
            # The importer writes with Core inserts, which skip the index hooks.
            refresh_search_index(session)
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    finally:
        bars.close()
    print(f"Imported goodbooks data from {args.folder}")
    print(report.summary())
    return 0
