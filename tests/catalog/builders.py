"""Builders of catalog rows for tests of the read-side queries and the API."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from slugify import slugify
from sqlmodel import Session

from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category

_isbn_numbers = itertools.count(1)


def add_category(session: Session, name: str, description: str = "") -> Category:
    """Insert a category whose slug is derived from its name."""
    category = Category(name=name, slug=slugify(name), description=description)
    session.add(category)
    session.flush()
    return category


def add_author(session: Session, name: str) -> Author:
    """Insert an author whose key and slug are derived from the name."""
    author = Author(name=name, name_key=name.casefold(), slug=slugify(name))
    session.add(author)
    session.flush()
    return author


def add_book(
    session: Session,
    title: str,
    *,
    authors: list[Author] = (),
    categories: list[Category] = (),
    price: str = "9.99",
    average_rating: str = "4.00",
    rating_count: int = 100,
    published_year: int | None = 2000,
    created_at: dt.datetime | None = None,
    **fields,
) -> Book:
    """Insert a book linked to authors and categories in the order given.

    Each book gets a distinct ISBN-13 unless `isbn13` is passed.
    """
    fields.setdefault("isbn13", f"978{next(_isbn_numbers):010d}")
    # The rating given is an imported one; without reviews it is also the shown one.
    fields.setdefault("imported_rating", Decimal(average_rating))
    fields.setdefault("imported_rating_count", rating_count)
    if created_at is not None:
        fields["created_at"] = created_at
    book = Book(
        title=title,
        price=Decimal(price),
        average_rating=Decimal(average_rating),
        rating_count=rating_count,
        published_year=published_year,
        published_date=None if published_year is None else str(published_year),
        **fields,
    )
    session.add(book)
    session.flush()
    for position, author in enumerate(authors):
        session.add(BookAuthor(book_id=book.id, author_id=author.id, position=position))
    for position, category in enumerate(categories):
        session.add(
            BookCategory(book_id=book.id, category_id=category.id, position=position)
        )
    session.flush()
    return book
