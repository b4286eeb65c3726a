"""Request and response models of the review, wishlist and recommendation routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, StrictInt

from sky_readers.api.schemas.catalog import AuthorLink


class ReviewIn(BaseModel):
    """A review as a shopper writes or edits it."""

    # Strict, so true or "5" is not read as a rating; the service rejects them too.
    rating: StrictInt = Field(ge=1, le=5, description="Stars from 1 to 5.")
    title: str | None = Field(
        default="", description="Optional title, at most 120 characters."
    )
    body: str | None = Field(
        default="", description="Optional plain text, at most 5,000 characters."
    )


class ReviewPublic(BaseModel):
    """A review as every visitor sees it; title and text are plain text, not HTML."""

    id: int
    book_id: int
    author_name: str
    rating: int = Field(ge=1, le=5)
    title: str
    body: str
    helpful_count: int = Field(ge=0)
    verified_purchase: bool = Field(
        description="The author has a paid, shipped or delivered order of the book."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    edited: bool


class OwnReviewPublic(ReviewPublic):
    """The caller's own review, with the moderation state only its author sees."""

    hidden: bool
    hidden_reason: str | None


class ReviewCounts(BaseModel):
    """The store's visible reviews of a book."""

    average: float = Field(description="Mean stars; 0 without reviews.")
    count: int = Field(ge=0)
    distribution: dict[str, int] = Field(
        description='Reviews per star, keys "1" to "5".'
    )


class ImportedRating(BaseModel):
    """The starting rating a book was imported with."""

    average: float = Field(description="0 when nothing was imported.")
    count: int = Field(ge=0)


class RatingSummaryPublic(BaseModel):
    """A book's shown rating and its two parts, combined as docs/reviews.md explains."""

    average: float = Field(description="Shown average from 1 to 5; 0 if unrated.")
    count: int = Field(ge=0, description="Ratings behind it, imported and reviews.")
    imported: ImportedRating
    reviews: ReviewCounts


class ReviewPagePublic(BaseModel):
    """One page of a book's visible reviews, with its rating summary."""

    items: list[ReviewPublic]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)
    sort: str
    rating: RatingSummaryPublic


class HelpfulPublic(BaseModel):
    """A review's helpful marks after the caller's."""

    review_id: int
    helpful_count: int = Field(ge=0)


class HideIn(BaseModel):
    """Why an admin hides a review."""

    reason: str = Field(description="Shown to the author; 1 to 500 characters.")


class AdminReviewPublic(OwnReviewPublic):
    """A review as the moderation list shows it."""

    book_title: str
    author_email: str


class AdminReviewPagePublic(BaseModel):
    """One page of reviews for moderation, newest first."""

    items: list[AdminReviewPublic]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)
    counts: dict[str, int] = Field(description="Reviews per filter.")


class BookCardPublic(BaseModel):
    """A book in a list: enough for a card with a link to /api/books/{id}."""

    id: int
    title: str
    authors: list[AuthorLink]
    price: str = Field(description="Two decimals, as a string so it stays exact.")
    currency: str
    in_stock: bool
    average_rating: float
    rating_count: int = Field(ge=0)
    cover_url: str


class SimilarBookPublic(BookCardPublic):
    """A book shown as similar, and why."""

    reason: str = Field(
        description='"ratings" (readers liked both) or "category" (popular in the '
        "same category)."
    )


class RecommendationsPublic(BaseModel):
    """Books picked for the caller, or popular books when there is no history."""

    source: str = Field(description='"personal" or "popular".')
    books: list[BookCardPublic]


class WishlistEntryPublic(BaseModel):
    """A book on the caller's wishlist."""

    book: BookCardPublic
    notify_restock: bool = Field(description="Mail when the book is back in stock.")
    added_at: dt.datetime


class WishlistChange(BaseModel):
    """The outcome of adding a book to the wishlist or moving it to the cart."""

    book_id: int
    changed: bool = Field(
        description="False when the wishlist or cart had the book already."
    )


class WishlistNoticeIn(BaseModel):
    """Switch for the back-in-stock mail of one wishlist book."""

    notify_restock: bool
