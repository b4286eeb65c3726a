"""Response models of the public catalog routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CategoryPublic(BaseModel):
    """A store category and how many store books it holds."""

    slug: str
    name: str
    description: str
    book_count: int = Field(ge=0)


class AuthorLink(BaseModel):
    """An author of a book; the store page is /authors/<slug>."""

    name: str
    slug: str


class CategoryLink(BaseModel):
    """A category of a book; the store page is /categories/<slug>."""

    name: str
    slug: str


class BookPublic(BaseModel):
    """Everything the store shows about one book."""

    id: int
    title: str
    subtitle: str | None
    series: str | None
    authors: list[AuthorLink] = Field(description="Authors in credited order.")
    categories: list[CategoryLink] = Field(description="Best-fitting category first.")
    description: str
    language: str | None = Field(description="ISO 639-1 code, else ISO 639-2.")
    publisher: str | None
    published_date: str | None = Field(
        description='Publication date as the source gave it, e.g. "1925-04" or "-720".'
    )
    published_year: int | None = Field(description="Negative before the common era.")
    page_count: int | None
    isbn10: str | None
    isbn13: str | None
    price: str = Field(
        description="Price with two decimals, as a string so it stays exact.",
        examples=["9.99"],
    )
    currency: str = Field(description="ISO 4217 code.")
    in_stock: bool
    stock_on_hand: int = Field(ge=0)
    average_rating: float = Field(description="Mean rating from 1 to 5; 0 if none.")
    rating_count: int = Field(ge=0)
    cover_url: str = Field(description="Absolute URL of the cover image.")
    rating: RatingSummaryPublic = Field(
        description="The shown rating with its imported part and the store's reviews."
    )
    similar: list[SimilarBookPublic] = Field(
        description="Up to 10 similar books, most similar first."
    )


# Imported last: the review schemas use AuthorLink from this module.
from sky_readers.api.schemas.reviews import (  # noqa: E402
    RatingSummaryPublic,
    SimilarBookPublic,
)

BookPublic.model_rebuild()
