"""`catalog` commands: load the starter catalogue, import goodbooks-10k and Google Books."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError
from tqdm import tqdm

from sky_readers.catalog.goodbooks import check_folder, import_goodbooks
from sky_readers.catalog.google_catalog import (
    DEFAULT_BULK_QUERY_VOLUMES,
    MAX_BULK_QUERY_VOLUMES,
    BulkItem,
    build_bulk_request,
    run_bulk_import,
)
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

    google = commands.add_parser(
        "import-google-books",
        help="Import volumes from Google Books by ISBN or by query.",
        description=(
            "Look up volumes at the Google Books API (GOOGLE_BOOKS_API_URL) and "
            "import each one: a book with the same ISBN-13, or else the same volume "
            "id, is updated and keeps its price and stock; other volumes become new "
            "books. A new book takes Google's price when Google sells it in the "
            "store's currency, else the --price given. Prints one line per ISBN or "
            "volume and a summary; exits with 1 when any was skipped or failed."
        ),
    )
    source = google.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--isbn",
        action="append",
        metavar="ISBN",
        help=(
            "ISBN-10 or ISBN-13, with or without hyphens; repeat the option or "
            "separate ISBNs with commas."
        ),
    )
    source.add_argument(
        "--query",
        metavar="TEXT",
        help="Google Books query, such as 'intitle:dune' or 'inauthor:le guin'.",
    )
    google.add_argument(
        "--price",
        default="",
        metavar="AMOUNT",
        help=(
            "Price in the store currency for new books that Google does not sell "
            "in it; without it such volumes are skipped."
        ),
    )
    google.add_argument(
        "--stock",
        default="",
        metavar="N",
        help="Copies on hand for each new book (default: IMPORT_DEFAULT_STOCK).",
    )
    google.add_argument(
        "--max-volumes",
        default="",
        metavar="N",
        help=(
            f"Volumes a --query imports at most, 1 to {MAX_BULK_QUERY_VOLUMES} "
            f"(default {DEFAULT_BULK_QUERY_VOLUMES})."
        ),
    )
    google.add_argument(
        "--no-progress",
        action="store_true",
        help="Do not draw a progress bar on standard error.",
    )
    google.set_defaults(handler=_import_google_books)


def _import_google_books(args: argparse.Namespace) -> int:
    from sky_readers.adapters.google_books import get_google_books_client

    request = build_bulk_request(
        isbns=" ".join(args.isbn or []),
        query=args.query or "",
        price=args.price,
        stock=args.stock,
        max_volumes=args.max_volumes,
    )
    bar = (
        None
        if args.no_progress
        else tqdm(desc="Importing", unit="books", file=sys.stderr)
    )

    def show(done: int, total: int, item: BulkItem) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)
        line = f"{item.key}: {item.outcome}: {item.message}"
        if bar is not None:
            bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    try:
        summary = run_bulk_import(get_google_books_client(), request, progress=show)
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    finally:
        if bar is not None:
            bar.close()
    print(f"Google Books import: {summary.summary()}")
    return 1 if summary.count("failed") or summary.count("skipped") else 0


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
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    finally:
        bars.close()
    print(f"Imported goodbooks data from {args.folder}")
    print(report.summary())
    return 0
