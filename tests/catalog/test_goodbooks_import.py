"""Tests of the goodbooks-10k import over the real data files, on each backend.

The full import runs twice per backend in a module fixture that every test shares:
the second run must change nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from sky_readers.catalog.genres import CATEGORY_SLUGS, SHELF_TAGS
from sky_readers.catalog.goodbooks import ImportReport, import_goodbooks
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.core import db

pytestmark = pytest.mark.slow

# Core tables: the tests read rows without loading ORM objects.
BOOK = Book.__table__
AUTHOR = Author.__table__
BOOK_AUTHOR = BookAuthor.__table__
CATEGORY = Category.__table__
BOOK_CATEGORY = BookCategory.__table__
COUNTED_TABLES = (BOOK, AUTHOR, BOOK_AUTHOR, CATEGORY, BOOK_CATEGORY)


@dataclass
class ImportRuns:
    """Reports and row counts of two imports in a row into one database."""

    engine: Engine
    first: ImportReport
    second: ImportReport
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    progress_steps: Counter[str]


def _row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table.name: session.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for table in COUNTED_TABLES
        }


def _empty_tables(engine: Engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(scope="module")
def runs(database_url: str, data_dir: Path) -> Iterator[ImportRuns]:
    """Import the real data twice into an empty database of each backend."""
    engine = db.build_engine(database_url)
    folder = data_dir / "goodbooks-10k"
    steps: Counter[str] = Counter()

    def progress(step: str, done: int, total: int) -> None:
        assert 0 <= done <= total
        steps[step] += 1

    try:
        with Session(engine) as session:
            first = import_goodbooks(session, folder, progress=progress)
            session.commit()
        counts_first = _row_counts(engine)
        with Session(engine) as session:
            second = import_goodbooks(session, folder)
            session.commit()
        counts_second = _row_counts(engine)
        yield ImportRuns(engine, first, second, counts_first, counts_second, steps)
    finally:
        _empty_tables(engine)
        engine.dispose()


def _book(runs: ImportRuns, goodbooks_id: int):
    with Session(runs.engine) as session:
        return session.execute(
            select(BOOK).where(BOOK.c.goodbooks_id == goodbooks_id)
        ).one()


def _authors(runs: ImportRuns, goodbooks_id: int) -> list[str]:
    with Session(runs.engine) as session:
        return list(
            session.execute(
                select(AUTHOR.c.name)
                .join(BOOK_AUTHOR, BOOK_AUTHOR.c.author_id == AUTHOR.c.id)
                .join(BOOK, BOOK.c.id == BOOK_AUTHOR.c.book_id)
                .where(BOOK.c.goodbooks_id == goodbooks_id)
                .order_by(BOOK_AUTHOR.c.position)
            ).scalars()
        )


def _categories(runs: ImportRuns, goodbooks_id: int) -> list[str]:
    with Session(runs.engine) as session:
        return list(
            session.execute(
                select(CATEGORY.c.slug)
                .join(BOOK_CATEGORY, BOOK_CATEGORY.c.category_id == CATEGORY.c.id)
                .join(BOOK, BOOK.c.id == BOOK_CATEGORY.c.book_id)
                .where(BOOK.c.goodbooks_id == goodbooks_id)
                .order_by(BOOK_CATEGORY.c.position)
            ).scalars()
        )


def test_first_import_counts(runs):
    report = runs.first
    assert report.read == 10_000
    assert report.created == 10_000
    assert report.updated == 0
    assert report.skipped == Counter()
    assert report.categories_created == 23
    assert runs.counts_after_first["book"] == 10_000
    assert runs.counts_after_first["category"] == 23


def test_first_import_links(runs):
    counts = runs.counts_after_first
    # Author names repeat across books, so there are fewer authors than links.
    assert 5_000 < counts["author"] < counts["book_author"]
    assert counts["book_author"] >= 10_000
    assert counts["book_category"] == runs.first.category_links
    assert counts["book_category"] > 15_000


def test_progress_reports_every_step(runs):
    assert runs.progress_steps["books"] >= 10
    assert runs.progress_steps["tags"] >= 10
    assert runs.progress_steps["write"] == 5


def test_second_import_changes_nothing(runs):
    report = runs.second
    assert report.read == 10_000
    assert report.created == 0
    assert report.updated == 0
    assert report.unchanged == 10_000
    assert report.authors_created == 0
    assert report.categories_created == 0
    assert report.category_links == 0
    assert runs.counts_after_second == runs.counts_after_first


def test_lost_leading_zero_restored(runs):
    # books.csv row 1 has isbn "439023483" and isbn13 "9.78043902348e+12".
    book = _book(runs, 1)
    assert book.isbn10 == "0439023483"
    assert book.isbn13 == "9780439023481"


def test_two_lost_zeros_restored(runs):
    # Row 69 (Insurgent) has isbn "7442912".
    book = _book(runs, 69)
    assert book.isbn10 == "0007442912"
    assert book.isbn13 == "9780007442911"


def test_isbn10_ending_in_x_kept(runs):
    # Row 18 (Prisoner of Azkaban) has isbn "043965548X".
    book = _book(runs, 18)
    assert book.isbn10 == "043965548X"
    assert book.isbn13 == "9780439655484"


def test_isbn13_only_kept_when_check_digit_valid(runs):
    # Row 1512 has no isbn and isbn13 "9.7809897948e+12", which validates.
    assert _book(runs, 1512).isbn13 == "9780989794800"
    # Row 260 has no isbn and isbn13 "9.78067172365e+12", whose check digit fails.
    assert _book(runs, 260).isbn13 is None
    assert _book(runs, 260).isbn10 is None


def test_invalid_isbn10_dropped(runs):
    # Row 916 has isbn "812971060", which fails the ISBN-10 checksum once padded.
    book = _book(runs, 916)
    assert book.isbn10 is None
    assert book.isbn13 is None


def test_odyssey_negative_year(runs):
    book = _book(runs, 79)
    assert book.title == "The Odyssey"
    assert book.published_year == -720
    assert book.published_date == "-720"


def test_series_split_from_title(runs):
    book = _book(runs, 1)
    assert book.title == "The Hunger Games"
    assert book.series == "The Hunger Games"
    assert book.series_number == "1"


def test_title_without_series_unchanged(runs):
    book = _book(runs, 5)
    assert book.title == "The Great Gatsby"
    assert book.series is None
    assert book.series_number is None


def test_authors_keep_credited_order(runs):
    assert _authors(runs, 2) == ["J.K. Rowling", "Mary GrandPré"]
    assert _authors(runs, 79)[:2] == ["Homer", "Robert Fagles"]


def test_author_shared_between_books(runs):
    with Session(runs.engine) as session:
        rowling = session.execute(
            select(func.count())
            .select_from(BOOK_AUTHOR)
            .join(AUTHOR, AUTHOR.c.id == BOOK_AUTHOR.c.author_id)
            .where(AUTHOR.c.name_key == "j k rowling")
        ).scalar_one()
    assert rowling >= 7


def test_languages_mapped_to_iso_639_1(runs):
    with Session(runs.engine) as session:
        languages = dict(
            session.execute(
                select(BOOK.c.language, func.count()).group_by(BOOK.c.language)
            ).all()
        )
    # eng, en-US, en-GB, en-CA and en all become "en".
    assert languages["en"] == 6341 + 2070 + 257 + 58 + 4
    assert languages["fr"] == 25
    assert languages["de"] == 13
    assert languages["fa"] == 7
    assert languages["ro"] == 1
    assert languages["mul"] == 1
    assert languages[None] == 1084
    assert "eng" not in languages
    assert "en-US" not in languages


def test_prices_and_stock(runs):
    book = _book(runs, 1)
    assert book.price == Decimal("7.49")
    assert isinstance(book.price, Decimal)
    assert book.stock_on_hand == 20
    assert book.currency == "USD"
    with Session(runs.engine) as session:
        low, high = session.execute(
            select(func.min(BOOK.c.price), func.max(BOOK.c.price))
        ).one()
    assert Decimal(low) >= Decimal("7.49")
    assert Decimal(high) <= Decimal("17.99")


def test_ratings_and_ids(runs):
    book = _book(runs, 2)
    assert book.goodreads_book_id == 3
    assert book.average_rating == Decimal("4.44")
    assert book.rating_count == 4_800_065


def test_harry_potter_categories(runs):
    categories = _categories(runs, 2)
    assert categories[0] == "fantasy"
    assert "young-adult" in categories


def test_hunger_games_categories(runs):
    categories = _categories(runs, 1)
    assert set(categories[:2]) == {"science-fiction", "young-adult"}


def test_only_fixed_categories_exist(runs):
    with Session(runs.engine) as session:
        slugs = set(session.execute(select(CATEGORY.c.slug)).scalars())
        names = {
            name.casefold()
            for name in session.execute(select(CATEGORY.c.name)).scalars()
        }
    assert slugs == CATEGORY_SLUGS
    assert not names & SHELF_TAGS
    assert not slugs & SHELF_TAGS


def test_category_positions_start_at_zero(runs):
    with Session(runs.engine) as session:
        positions = Counter(session.execute(select(BOOK_CATEGORY.c.position)).scalars())
    assert positions[0] > 9_000
    assert max(positions) <= 3
