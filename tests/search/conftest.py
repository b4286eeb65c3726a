"""Fixtures of the search tests: a helper that adds books with their authors."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from sky_readers.catalog.models import Author, Book, Category
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.text import name_key, slugify

AddBook = Callable[..., Book]


@pytest.fixture
def add_book(session: Session) -> AddBook:
    """Add and commit a book; the commit refreshes its search index row.

    The index is rebuilt first, so no row is left from an earlier test.
    """
    refresh_search_index(session)
    session.commit()

    def _author(name: str) -> Author:
        key = name_key(name)
        author = session.exec(select(Author).where(Author.name_key == key)).first()
        if author is None:
            author = Author(name=name, name_key=key, slug=slugify(name) or key)
            session.add(author)
        return author

    def _category(name: str) -> Category:
        category = session.exec(select(Category).where(Category.name == name)).first()
        if category is None:
            category = Category(name=name, slug=slugify(name))
            session.add(category)
        return category

    def add(
        title: str,
        authors: tuple[str, ...] = ("Anon Writer",),
        *,
        categories: tuple[str, ...] = (),
        price: str = "10.00",
        rating_count: int = 0,
        average_rating: str = "4.00",
        **fields,
    ) -> Book:
        book_authors = [_author(name) for name in authors]
        book_categories = [_category(name) for name in categories]
        book = Book(
            title=title,
            price=Decimal(price),
            rating_count=rating_count,
            average_rating=Decimal(average_rating),
            stock_on_hand=fields.pop("stock_on_hand", 5),
            **fields,
        )
        session.add(book)
        book.authors = book_authors
        book.categories = book_categories
        session.commit()
        return book

    return add
