"""Catalog tables: books, authors, categories and the links between them."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Index, String, Text
from sqlmodel import Field, Relationship, SQLModel

from sky_readers.core.types import FixedDecimal, Money, UTCDateTime, utcnow


class BookAuthor(SQLModel, table=True):
    """Link of a book to one of its authors; `position` keeps the credited order."""

    __tablename__ = "book_author"

    book_id: int = Field(foreign_key="book.id", primary_key=True, ondelete="CASCADE")
    author_id: int = Field(foreign_key="author.id", primary_key=True, index=True)
    position: int = Field(default=0)


class BookCategory(SQLModel, table=True):
    """Link of a book to a category; a lower `position` is a better fit."""

    __tablename__ = "book_category"

    book_id: int = Field(foreign_key="book.id", primary_key=True, ondelete="CASCADE")
    category_id: int = Field(
        foreign_key="category.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    position: int = Field(default=0)


class Author(SQLModel, table=True):
    """A person credited on books."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(300), nullable=False))
    # Case-folded, accent-free name, so "Brontë" and "Bronte" are one author.
    name_key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    slug: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

    books: list["Book"] = Relationship(back_populates="authors", link_model=BookAuthor)


class Category(SQLModel, table=True):
    """A genre shelf of the store, reached at /categories/<slug>."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    slug: str = Field(sa_column=Column(String(140), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

    books: list["Book"] = Relationship(
        back_populates="categories", link_model=BookCategory
    )


class Book(SQLModel, table=True):
    """A title the store sells, with its price and the copies on hand."""

    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="ck_book_stock_not_negative"),
        CheckConstraint("price >= 0", name="ck_book_price_not_negative"),
        CheckConstraint("rating_count >= 0", name="ck_book_rating_count_not_negative"),
        Index("ix_book_rating", "average_rating", "rating_count"),
        Index("ix_book_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(500), nullable=False, index=True))
    subtitle: str | None = Field(default=None, sa_column=Column(String(500)))
    # Series name and number, split off titles such as "Dune (Dune Chronicles, #1)".
    series: str | None = Field(default=None, sa_column=Column(String(300)))
    series_number: str | None = Field(default=None, sa_column=Column(String(20)))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    # ISO 639-1 code where one exists ("en", "fr"), else the ISO 639-2 code ("mul").
    language: str | None = Field(default=None, sa_column=Column(String(12), index=True))
    publisher: str | None = Field(default=None, sa_column=Column(String(300)))
    # Publication date exactly as the source gave it ("1925", "1925-04", "-720").
    published_date: str | None = Field(default=None, sa_column=Column(String(40)))
    # Year for sorting; negative for works before the common era.
    published_year: int | None = Field(default=None, index=True)
    page_count: int | None = Field(default=None)
    isbn10: str | None = Field(default=None, sa_column=Column(String(10), unique=True))
    isbn13: str | None = Field(default=None, sa_column=Column(String(13), unique=True))
    google_volume_id: str | None = Field(
        default=None, sa_column=Column(String(40), unique=True)
    )
    # Identifiers in the goodbooks-10k data set, so a second import updates rows.
    goodreads_book_id: int | None = Field(default=None, unique=True)
    goodbooks_id: int | None = Field(default=None, unique=True)
    price: Decimal = Field(sa_column=Column(Money(), nullable=False))
    # ISO 4217 code.
    currency: str = Field(default="USD", sa_column=Column(String(3), nullable=False))
    stock_on_hand: int = Field(default=0)
    # Storage key of an uploaded cover; None means the generated placeholder is shown.
    cover_image: str | None = Field(default=None, sa_column=Column(String(300)))
    # Rating the store shows, from 1 to 5 (0 when unrated), and the number of ratings
    # behind it: the imported rating below combined with the visible store reviews by
    # the rule in sky_readers.reviews.rating_rule, which keeps both columns current.
    average_rating: Decimal = Field(
        default=Decimal("0"), sa_column=Column(FixedDecimal(3, 2), nullable=False)
    )
    rating_count: int = Field(default=0)
    # Starting rating brought in by an import (goodbooks-10k, Google Books, the
    # starter catalogue), kept apart from the store's own reviews.
    imported_rating: Decimal = Field(
        default=Decimal("0"), sa_column=Column(FixedDecimal(3, 2), nullable=False)
    )
    imported_rating_count: int = Field(default=0)
    is_archived: bool = Field(default=False, index=True)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )

    authors: list[Author] = Relationship(
        back_populates="books",
        link_model=BookAuthor,
        sa_relationship_kwargs={"order_by": "BookAuthor.position"},
    )
    categories: list[Category] = Relationship(
        back_populates="books",
        link_model=BookCategory,
        sa_relationship_kwargs={"order_by": "BookCategory.position"},
    )
