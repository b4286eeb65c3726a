"""Catalog search over the 10,000 goodbooks books, on SQLite and on PostgreSQL.

The catalog is imported once per database for this module. Every expectation below
holds on both databases, so they return the same books for the same queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import isbnlib
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.catalog.models import Author, Book, BookAuthor
from sky_readers.catalog.search import SearchQuery, search_books, suggest
from sky_readers.core import db

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def goodbooks(database_url, data_dir) -> Iterator[Engine]:
    """Engine of a database holding the goodbooks catalog and its search index."""
    engine = db.build_engine(database_url)
    with Session(engine) as session:
        # The import indexes what it writes; no separate refresh is needed.
        import_goodbooks(session, data_dir / "goodbooks-10k")
        session.commit()
    yield engine
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def session(goodbooks) -> Iterator[Session]:
    with Session(goodbooks) as goodbooks_session:
        yield goodbooks_session


def search(session, q, **params):
    return search_books(session, SearchQuery(q=q, **params))


def titles(session, q, count=5, **params) -> list[str]:
    return [book.title for book in search(session, q, **params).items[:count]]


def test_goodbooks_misspelt_harry_potter(session):
    result = search(session, "hary poter")

    assert result.items[0].title == "Harry Potter and the Sorcerer's Stone"
    assert all("Harry Potter" in book.title for book in result.items[:7])
    assert result.did_you_mean == "harry potter"


def test_goodbooks_misspelt_tolkien(session):
    result = search(session, "tolkein")

    assert result.did_you_mean == "tolkien"
    assert "The Hobbit" in [book.title for book in result.items[:3]]
    for book in result.items[:5]:
        assert "J.R.R. Tolkien" in [author.name for author in book.authors]


@pytest.mark.parametrize("q", ["dostoevsky", "dostoyevsky", "Dostoïevski"])
def test_goodbooks_dostoyevsky_spellings(session, q):
    result = search(session, q)

    assert result.items[0].title == "Crime and Punishment"
    for book in result.items:
        assert "Fyodor Dostoyevsky" in [author.name for author in book.authors]


def test_goodbooks_bronte_without_accent(session):
    result = search(session, "bronte")

    assert [book.title for book in result.items[:2]] == [
        "Jane Eyre",
        "Wuthering Heights",
    ]
    for book in result.items:
        assert any("Brontë" in author.name for author in book.authors)


def test_goodbooks_isbn_forms_find_book_first(session):
    book = session.exec(
        select(Book).where(Book.title == "Harry Potter and the Sorcerer's Stone")
    ).one()
    forms = [
        book.isbn10,
        isbnlib.mask(book.isbn10),
        book.isbn13,
        isbnlib.mask(book.isbn13),
    ]

    for form in forms:
        assert search(session, form).items[0].id == book.id, form


def _books_containing(session, character: str) -> set[str]:
    """Titles of the books whose title or an author contains a character."""
    rows = session.exec(
        select(Book.title, Author.name)
        .outerjoin(BookAuthor, BookAuthor.book_id == Book.id)
        .outerjoin(Author, Author.id == BookAuthor.author_id)
        .where(Book.is_archived.is_(False))
    ).all()
    return {
        title for title, name in rows if character in title or character in (name or "")
    }


@pytest.mark.parametrize("character", ["%", "_", '"', "\\"])
def test_goodbooks_symbol_matches_only_literal(session, character):
    expected = _books_containing(session, character)

    result = search(session, character, page_size=100)

    assert {book.title for book in result.items} == expected
    assert result.total == len(expected)


def test_goodbooks_percent_in_title_ranks_first(session):
    assert titles(session, "10%", count=1) == [
        "10% Happier: How I Tamed the Voice in My Head, Reduced Stress Without "
        "Losing My Edge, and Found Self-Help That Actually Works"
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("the hunger games", ["The Hunger Games", "Catching Fire", "Mockingjay"]),
        ("hungr games", ["The Hunger Games", "Catching Fire", "Mockingjay"]),
        ("catch 22", ["Catch-22"]),
        ("pride and prejudice", ["Pride and Prejudice"]),
        ("the great gatsbi", ["The Great Gatsby"]),
        ("girl with the dragon tatoo", ["The Girl with the Dragon Tattoo"]),
        ("orwell 1984", ["1984", "Animal Farm / 1984"]),
        ("twilight", ["Twilight"]),
    ],
)
def test_goodbooks_best_matches(session, q, expected):
    assert titles(session, q, count=len(expected)) == expected


def test_goodbooks_popularity_breaks_ties(session):
    # Every one of these titles matches "harry potter" in the title alone, so they
    # tie on relevance and come by number of ratings.
    result = search(session, "harry potter", page_size=7)
    counts = [book.rating_count for book in result.items]

    assert all("Harry Potter" in book.title for book in result.items)
    assert counts == sorted(counts, reverse=True)


def test_goodbooks_filters_hold(session):
    unfiltered = search(session, "fantasy")
    result = search(
        session,
        "fantasy",
        language="en",
        min_rating=Decimal("4.3"),
        max_price=Decimal("15"),
        in_stock=True,
        page_size=100,
    )

    assert 0 < result.total < unfiltered.total
    for book in result.items:
        assert book.average_rating >= Decimal("4.3")
        assert book.price <= Decimal("15")
        assert book.in_stock


def test_goodbooks_pages_do_not_overlap(session):
    first = search(session, "love", page_size=10)
    second = search(session, "love", page_size=10, page=2)

    assert first.total == second.total
    assert first.total > 20
    assert not {book.id for book in first.items} & {book.id for book in second.items}


def test_goodbooks_suggestions(session):
    by_title = suggest(session, "harry pot")
    by_author = suggest(session, "tolk")
    misspelt = suggest(session, "rowlng")

    assert by_title[0].label == "Harry Potter and the Sorcerer's Stone"
    assert by_author[0].kind == "author"
    assert by_author[0].label == "J.R.R. Tolkien"
    assert misspelt[0].label == "J.K. Rowling"
