"""Tests of the starter catalogue loader and its `catalog load-starter` command."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.catalog.starter import STARTER_FILE, load_starter
from sky_readers.cli.main import main
from sky_readers.core.errors import SkyReadersError

BOOK = Book.__table__
AUTHOR = Author.__table__
BOOK_AUTHOR = BookAuthor.__table__
CATEGORY = Category.__table__
BOOK_CATEGORY = BookCategory.__table__


def starter_book(**values) -> dict:
    """A valid starter book entry; keyword arguments replace fields."""
    book = {
        "title": "Dune",
        "subtitle": None,
        "series": "Dune Chronicles",
        "series_number": "1",
        "authors": ["Frank Herbert"],
        "categories": ["science-fiction", "classics"],
        "description": "A desert planet, a spice and a family sent into a trap.",
        "language": "en",
        "publisher": "Ace",
        "published_date": "1965-08",
        "page_count": 688,
        "isbn10": "0441172717",
        "isbn13": "9780441172719",
        "price": "9.99",
        "currency": "USD",
        "stock": 12,
        "average_rating": "4.22",
        "rating_count": 12345,
    }
    book.update(values)
    return book


CATEGORIES = [
    {
        "name": "Science Fiction",
        "slug": "science-fiction",
        "description": "Futures and far planets.",
    },
    {"name": "Classics", "slug": "classics", "description": "Books that last."},
    {"name": "Fantasy", "slug": "fantasy", "description": "Magic and myth."},
]


def write_starter(path: Path, books: list[dict], categories=CATEGORIES) -> Path:
    path.write_text(
        json.dumps({"categories": categories, "books": books}), encoding="utf-8"
    )
    return path


def count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def two_books(tmp_path: Path) -> Path:
    return write_starter(
        tmp_path / "starter.json",
        [
            starter_book(),
            starter_book(
                title="The Hobbit",
                series=None,
                series_number=None,
                authors=["J. R. R. Tolkien"],
                categories=["fantasy"],
                isbn10=None,
                isbn13="9780547928227",
                price="12.49",
                published_date="1937",
            ),
        ],
    )


def test_load_creates_categories_and_books(session, tmp_path):
    report = load_starter(session, two_books(tmp_path))
    session.commit()

    assert report.categories_created == 3
    assert report.books_created == 2
    assert report.books_existing == 0
    assert report.authors_created == 2
    assert count(session, BOOK) == 2
    assert count(session, CATEGORY) == 3
    description = session.execute(
        select(CATEGORY.c.description).where(CATEGORY.c.slug == "fantasy")
    ).scalar_one()
    assert description == "Magic and myth."


def test_load_stores_book_fields(session, tmp_path):
    load_starter(session, two_books(tmp_path))
    session.commit()

    dune = session.execute(select(BOOK).where(BOOK.c.isbn13 == "9780441172719")).one()
    assert dune.title == "Dune"
    assert dune.series == "Dune Chronicles"
    assert dune.series_number == "1"
    assert dune.price == Decimal("9.99")
    assert dune.stock_on_hand == 12
    assert dune.average_rating == Decimal("4.22")
    assert dune.rating_count == 12345
    assert dune.published_date == "1965-08"
    assert dune.published_year == 1965
    assert dune.isbn10 == "0441172717"
    assert dune.page_count == 688
    assert dune.publisher == "Ace"
    slugs = list(
        session.execute(
            select(CATEGORY.c.slug)
            .join(BOOK_CATEGORY, BOOK_CATEGORY.c.category_id == CATEGORY.c.id)
            .where(BOOK_CATEGORY.c.book_id == dune.id)
            .order_by(BOOK_CATEGORY.c.position)
        ).scalars()
    )
    assert slugs == ["science-fiction", "classics"]
    authors = list(
        session.execute(
            select(AUTHOR.c.name)
            .join(BOOK_AUTHOR, BOOK_AUTHOR.c.author_id == AUTHOR.c.id)
            .where(BOOK_AUTHOR.c.book_id == dune.id)
        ).scalars()
    )
    assert authors == ["Frank Herbert"]


def test_loaded_books_are_searchable(session, tmp_path):
    load_starter(session, two_books(tmp_path))
    session.commit()

    found = search_books(session, SearchQuery(q="tolkein hobit"))
    assert [book.title for book in found.items] == ["The Hobbit"]
    assert found.did_you_mean == "tolkien hobbit"


def test_second_load_creates_nothing(session, tmp_path):
    path = two_books(tmp_path)
    load_starter(session, path)
    session.commit()

    report = load_starter(session, path)
    session.commit()

    assert report.categories_created == 0
    assert report.books_created == 0
    assert report.books_existing == 2
    assert report.authors_created == 0
    assert count(session, BOOK) == 2
    assert count(session, BOOK_AUTHOR) == 2
    assert count(session, BOOK_CATEGORY) == 3


def test_second_load_keeps_admin_edits(session, tmp_path):
    path = two_books(tmp_path)
    load_starter(session, path)
    session.commit()
    session.execute(
        update(BOOK)
        .where(BOOK.c.isbn13 == "9780441172719")
        .values(price=Decimal("4.00"), stock_on_hand=0, title="Dune (edited)")
    )
    session.commit()

    load_starter(session, path)
    session.commit()

    dune = session.execute(select(BOOK).where(BOOK.c.isbn13 == "9780441172719")).one()
    assert dune.price == Decimal("4.00")
    assert dune.stock_on_hand == 0
    assert dune.title == "Dune (edited)"


def test_book_added_to_file_is_inserted(session, tmp_path):
    path = write_starter(tmp_path / "starter.json", [starter_book()])
    load_starter(session, path)
    session.commit()
    two_books(tmp_path)

    report = load_starter(session, path)
    session.commit()

    assert report.books_created == 1
    assert report.books_existing == 1


def test_book_matched_by_isbn10_not_duplicated(session, tmp_path):
    load_starter(session, write_starter(tmp_path / "a.json", [starter_book()]))
    session.commit()
    session.execute(update(BOOK).values(isbn13=None))
    session.commit()

    report = load_starter(session, write_starter(tmp_path / "b.json", [starter_book()]))
    session.commit()

    assert report.books_created == 0
    assert count(session, BOOK) == 1


def test_category_of_fixed_list_created_when_not_described(session, tmp_path):
    path = write_starter(
        tmp_path / "starter.json",
        [starter_book(categories=["horror"])],
        categories=[],
    )
    report = load_starter(session, path)
    session.commit()

    assert report.categories_created == 1
    name = session.execute(
        select(CATEGORY.c.name).where(CATEGORY.c.slug == "horror")
    ).scalar_one()
    assert name == "Horror"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"isbn13": "9780441172710"}, "isbn13"),
        ({"isbn10": "0441172718"}, "isbn10"),
        ({"title": ""}, "title"),
        ({"authors": []}, "authors"),
        ({"categories": ["cooking"]}, "categories"),
        ({"price": 9.99}, "price"),
        ({"price": "-1"}, "price"),
        ({"stock": -2}, "stock"),
        ({"average_rating": "5.5"}, "average_rating"),
    ],
)
def test_invalid_entry_names_book_and_field(session, tmp_path, values, field):
    path = write_starter(tmp_path / "starter.json", [starter_book(**values)])
    with pytest.raises(SkyReadersError) as error:
        load_starter(session, path)
    message = str(error.value)
    assert "books[0]" in message
    assert field in message
    assert count(session, BOOK) == 0


def test_missing_file_named(session, tmp_path):
    missing = tmp_path / "absent.json"
    with pytest.raises(SkyReadersError, match="absent.json"):
        load_starter(session, missing)


def test_invalid_json_named(session, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"books": [', encoding="utf-8")
    with pytest.raises(SkyReadersError, match=r"invalid JSON in .*broken\.json"):
        load_starter(session, path)


def test_shipped_file_loads(session):
    if not STARTER_FILE.exists():
        pytest.skip(f"{STARTER_FILE} is not written yet")
    books = len(json.loads(STARTER_FILE.read_text(encoding="utf-8"))["books"])
    report = load_starter(session)
    session.commit()

    assert report.books_created == books
    assert count(session, BOOK) == books
    assert count(session, CATEGORY) == 23
    again = load_starter(session)
    assert again.books_created == 0
    assert again.books_existing == books


def test_cli_load_starter_twice(engine, capsys, tmp_path):
    path = two_books(tmp_path)
    assert main(["catalog", "load-starter", "--file", str(path)]) == 0
    first = capsys.readouterr().out
    assert main(["catalog", "load-starter", "--file", str(path)]) == 0
    second = capsys.readouterr().out

    assert "books created: 2" in first
    assert "books created: 0" in second
    assert "books already present: 2" in second


def test_cli_load_starter_missing_file(engine, capsys, tmp_path):
    missing = tmp_path / "nothing.json"
    assert main(["catalog", "load-starter", "--file", str(missing)]) == 1
    assert str(missing) in capsys.readouterr().err
