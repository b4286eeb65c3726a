"""`recommendations` commands: import goodbooks ratings, build the similar books."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError

from sky_readers.cli.catalog import _database_error
from sky_readers.core.db import session_scope
from sky_readers.recommendations.build import build_recommendations
from sky_readers.recommendations.ratings_import import (
    default_ratings_file,
    import_ratings,
)


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `recommendations` command group."""
    parser = groups.add_parser(
        "recommendations",
        help="Import ratings and build the similar books shown on book pages.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ratings = commands.add_parser(
        "import-ratings",
        help="Import goodbooks-10k ratings (user_id,book_id,rating) from a CSV file.",
        description=(
            "Import the goodbooks-10k ratings from FILE, keyed by the data set's user "
            "and book ids, so books imported with `catalog import-goodbooks` before "
            "or after get them. Running it again updates changed ratings. Without "
            "FILE it reads goodbooks-10k/ratings_sample.csv under SHARED_DATA_DIR."
        ),
    )
    ratings.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        nargs="?",
        default=None,
        help=f"Ratings CSV file (default: {default_ratings_file()}).",
    )
    ratings.set_defaults(handler=_import_ratings)

    build = commands.add_parser(
        "build",
        help="Recompute every book's similar books from ratings, reviews and orders.",
        description=(
            "Compute item-to-item similarity from the imported goodbooks ratings, "
            "the store's reviews and its paid orders, fill books with too little "
            "data with popular books of their categories, and replace the stored "
            "similar books in one transaction. The web app also runs this every "
            "RECOMMENDATIONS_REBUILD_SECONDS."
        ),
    )
    build.set_defaults(handler=_build)


def _import_ratings(args: argparse.Namespace) -> int:
    try:
        with session_scope() as session:
            report = import_ratings(session, args.file)
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    print(f"Imported goodbooks ratings from {args.file or default_ratings_file()}")
    print(report.summary())
    return 0


def _build(_args: argparse.Namespace) -> int:
    try:
        report = build_recommendations()
    except (OperationalError, ProgrammingError) as exc:
        raise _database_error(exc) from exc
    print(f"Built recommendations: {report.summary()}")
    return 0
