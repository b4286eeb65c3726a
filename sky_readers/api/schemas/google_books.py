"""Response models of GET /search, the Google Books lookup for signed-in clients."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GooglePrice(BaseModel):
    """A price at which Google Books sells a volume."""

    amount: str = Field(description="Exact amount as a string.", examples=["12.99"])
    currency: str = Field(description="ISO 4217 code.", examples=["USD"])


class GoogleBookResult(BaseModel):
    """One Google Books volume, normalised, with its place in the store's catalog."""

    volume_id: str = Field(description="Google Books volume id.")
    title: str
    subtitle: str | None = None
    authors: list[str]
    isbn10: str | None = None
    isbn13: str | None = None
    published_date: str | None = Field(
        description="As Google gives it, cut to the date: 1995, 1925-04 or 2018-12-11."
    )
    categories: list[str] = Field(description="Category names, paths split at '/'.")
    price: GooglePrice | None = Field(
        description="Google's retail (else list) price; null when not for sale."
    )
    thumbnail: str | None = Field(description="https URL of the cover thumbnail.")
    in_catalog: bool = Field(description="Whether the store already has this book.")
    book_id: int | None = Field(
        default=None, description="The store's book id when `in_catalog` is true."
    )
