"""Conversions of catalog and review results into the public response models."""

from __future__ import annotations

from decimal import Decimal

from sky_readers.api.schemas.catalog import AuthorLink
from sky_readers.api.schemas.reviews import (
    BookCardPublic,
    ImportedRating,
    OwnReviewPublic,
    RatingSummaryPublic,
    ReviewCounts,
    ReviewPublic,
)
from sky_readers.catalog.queries import AuthorRef
from sky_readers.core.settings import get_settings
from sky_readers.reviews.services import RatingSummary, ReviewView


def absolute(path: str) -> str:
    """Turn a path of the store into an absolute URL on PUBLIC_BASE_URL."""
    return get_settings().public_base_url.rstrip("/") + path


def book_card(
    *,
    book_id: int,
    title: str,
    authors: list[AuthorRef],
    price: Decimal,
    currency: str,
    stock_on_hand: int,
    average_rating: Decimal,
    rating_count: int,
    cover_path: str,
) -> BookCardPublic:
    """Build a book card from the fields that catalog and wishlist results share."""
    return BookCardPublic(
        id=book_id,
        title=title,
        authors=[AuthorLink(name=a.name, slug=a.slug) for a in authors],
        price=f"{price:.2f}",
        currency=currency,
        in_stock=stock_on_hand > 0,
        average_rating=float(average_rating),
        rating_count=rating_count,
        cover_url=absolute(cover_path),
    )


def summary_card(book) -> BookCardPublic:
    """Build a book card from a `catalog.queries.BookSummary`."""
    return book_card(
        book_id=book.id,
        title=book.title,
        authors=book.authors,
        price=book.price,
        currency=book.currency,
        stock_on_hand=book.stock_on_hand,
        average_rating=book.average_rating,
        rating_count=book.rating_count,
        cover_path=book.cover_path,
    )


def review_public(review: ReviewView) -> ReviewPublic:
    """Build the public form of a review."""
    return ReviewPublic(
        id=review.id,
        book_id=review.book_id,
        author_name=review.author_name,
        rating=review.rating,
        title=review.title,
        body=review.body,
        helpful_count=review.helpful_count,
        verified_purchase=review.verified_purchase,
        created_at=review.created_at,
        updated_at=review.updated_at,
        edited=review.edited,
    )


def own_review_public(review: ReviewView) -> OwnReviewPublic:
    """Build the author's form of a review, with its moderation state."""
    return OwnReviewPublic(
        **review_public(review).model_dump(),
        hidden=review.hidden,
        hidden_reason=review.hidden_reason,
    )


def rating_public(summary: RatingSummary) -> RatingSummaryPublic:
    """Build the public form of a book's rating summary."""
    reviews = summary.reviews
    return RatingSummaryPublic(
        average=float(summary.average),
        count=summary.count,
        imported=ImportedRating(
            average=float(summary.imported_average), count=summary.imported_count
        ),
        reviews=ReviewCounts(
            average=float(reviews.average),
            count=reviews.count,
            distribution={
                str(stars): reviews.distribution[stars - 1] for stars in range(1, 6)
            },
        ),
    )
