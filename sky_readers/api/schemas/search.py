"""Response models of the catalog search route."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sky_readers.api.schemas.catalog import AuthorLink


class BookCard(BaseModel):
    """A book in a list of search results."""

    id: int
    title: str
    authors: list[AuthorLink] = Field(description="Authors in credited order.")
    price: str = Field(
        description="Price with two decimals, as a string so it stays exact.",
        examples=["9.99"],
    )
    currency: str = Field(description="ISO 4217 code.")
    average_rating: float = Field(description="Mean rating from 1 to 5; 0 if none.")
    rating_count: int = Field(ge=0)
    in_stock: bool
    published_year: int | None = Field(description="Negative before the common era.")
    cover_url: str = Field(description="Absolute URL of the cover image.")


class BookSearchResults(BaseModel):
    """One page of search results and the number of matching books."""

    items: list[BookCard]
    total: int = Field(ge=0, description="Matching books on all pages.")
    page: int = Field(ge=1, description="Page shown, from 1.")
    page_size: int = Field(ge=1, le=100)
    did_you_mean: str | None = Field(
        default=None,
        description="The query with misspelt words corrected, when the results "
        "come from the corrected words.",
    )
