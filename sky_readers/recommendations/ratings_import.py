"""Import of the goodbooks-10k ratings (ratings.csv or a prefix of it).

Each row is `user_id,book_id,rating`, keyed by the data set's own user and book ids;
`book_id` matches `Book.goodbooks_id`. A second import of the same file changes
nothing, and a changed rating replaces the stored one. Rows with ids that are not
whole numbers, or ratings outside 1 to 5, are skipped and counted.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from sky_readers.catalog.models import Book
from sky_readers.core.errors import SkyReadersError
from sky_readers.core.settings import get_settings
from sky_readers.core.upsert import insert_or_update
from sky_readers.recommendations.models import GoodbooksRating

logger = logging.getLogger(__name__)

COLUMNS = ("user_id", "book_id", "rating")
# Rows written per statement.
BATCH_SIZE = 5_000
SKIP_INVALID_ID = "invalid id"
SKIP_INVALID_RATING = "rating not 1 to 5"


def default_ratings_file() -> Path:
    """Return the sample of goodbooks ratings in the SHARED_DATA_DIR folder."""
    return get_settings().shared_data_dir / "goodbooks-10k" / "ratings_sample.csv"


@dataclasses.dataclass
class RatingsReport:
    """Counts of one ratings import."""

    read: int = 0
    imported: int = 0
    skipped: Counter[str] = dataclasses.field(default_factory=Counter)
    # Distinct books this file rates, and store books with any imported rating.
    books: int = 0
    books_in_store: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """Describe the counts in a few lines."""
        lines = [
            f"read: {self.read}",
            f"imported: {self.imported}",
            f"skipped: {sum(self.skipped.values())}",
        ]
        lines += [f"  {reason}: {n}" for reason, n in sorted(self.skipped.items())]
        lines += [
            f"books rated in this file: {self.books}",
            f"store books with imported ratings: {self.books_in_store}",
            f"time: {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def _whole_number(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def import_ratings(session: Session, path: Path | str | None = None) -> RatingsReport:
    """Import goodbooks ratings from a CSV file into `goodbooks_rating`.

    Args:
        session: Open session; the caller commits.
        path: The CSV file; `default_ratings_file()` when None.

    Returns:
        The counts of the import.

    Raises:
        SkyReadersError: The file is missing or lacks a column; the message names it.
    """
    started = time.perf_counter()
    path = Path(path) if path is not None else default_ratings_file()
    if not path.is_file():
        msg = (
            f"ratings file not found: {path}. Pass a goodbooks ratings CSV with the "
            f"columns {', '.join(COLUMNS)}, or set SHARED_DATA_DIR."
        )
        raise SkyReadersError(msg)
    report = RatingsReport()
    statement = insert_or_update(
        session, GoodbooksRating.__table__, ["user_id", "book_id"], ["rating"]
    )
    rated_books: set[int] = set()
    batch: list[dict[str, int]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            msg = f"{path}: missing column {', '.join(missing)}; expected {', '.join(COLUMNS)}"
            raise SkyReadersError(msg)
        for row in reader:
            report.read += 1
            user_id = _whole_number(row["user_id"])
            book_id = _whole_number(row["book_id"])
            rating = _whole_number(row["rating"])
            if user_id is None or book_id is None:
                report.skipped[SKIP_INVALID_ID] += 1
                continue
            if rating is None or not 1 <= rating <= 5:
                report.skipped[SKIP_INVALID_RATING] += 1
                continue
            batch.append({"user_id": user_id, "book_id": book_id, "rating": rating})
            rated_books.add(book_id)
            if len(batch) >= BATCH_SIZE:
                report.imported += _write(session, statement, batch)
                batch = []
    if batch:
        report.imported += _write(session, statement, batch)
    report.books = len(rated_books)
    report.books_in_store = session.execute(
        select(func.count(func.distinct(col(Book.id)))).join(
            GoodbooksRating, col(GoodbooksRating.book_id) == col(Book.goodbooks_id)
        )
    ).scalar_one()
    report.seconds = time.perf_counter() - started
    logger.info(
        "Imported %d goodbooks ratings from %s (%d skipped)",
        report.imported,
        path,
        sum(report.skipped.values()),
    )
    return report


def _write(session: Session, statement, batch: list[dict[str, int]]) -> int:
    # A file may rate one book twice for a reader; the last rating wins, and one
    # statement must not touch a row twice on PostgreSQL.
    unique = {(row["user_id"], row["book_id"]): row for row in batch}
    session.execute(statement, list(unique.values()))
    return len(unique)
