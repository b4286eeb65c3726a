"""The rule that combines a book's imported rating with the store's own reviews.

A book may arrive with a starting rating from an import (goodbooks-10k, Google Books,
the starter catalogue): `Book.imported_rating` from `Book.imported_rating_count`
ratings. The store's shoppers then add reviews. The rating the store shows,
`Book.average_rating` from `Book.rating_count` ratings, combines both:

    weight  = min(imported_rating_count, IMPORTED_WEIGHT_CAP), or 0 when the
              imported rating is 0 (no rating imported)
    average = (weight * imported_rating + sum of visible review stars)
              / (weight + number of visible reviews)
    count   = imported_rating_count + number of visible reviews

The imported rating counts as at most IMPORTED_WEIGHT_CAP reviews, so the store's own
shoppers move the average even on a book with a million imported ratings, and after
IMPORTED_WEIGHT_CAP reviews they outweigh the import. Hidden reviews count for
nothing. The average is rounded half up to two decimals, and a book with neither is
0.00 from 0 ratings. docs/reviews.md explains the rule with examples.

Every change to a review goes through `lock_book` first and `refresh_book_rating`
last, inside the review's transaction, so concurrent reviews of one book wait for
each other and the last to commit recomputes from every committed review.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select, update
from sqlmodel import Session, col

from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError
from sky_readers.reviews.models import Review

# The most store reviews that an imported rating weighs as.
IMPORTED_WEIGHT_CAP = 20
HUNDREDTH = Decimal("0.01")


@dataclasses.dataclass(frozen=True)
class ReviewTotals:
    """Visible reviews of one book: how many, their stars added up, and per star."""

    count: int = 0
    stars_sum: int = 0
    # Number of visible reviews with 1, 2, 3, 4 and 5 stars, in that order.
    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @property
    def average(self) -> Decimal:
        """Mean stars of the visible reviews, two decimals; 0.00 without reviews."""
        if self.count == 0:
            return Decimal("0.00")
        return (Decimal(self.stars_sum) / self.count).quantize(
            HUNDREDTH, rounding=ROUND_HALF_UP
        )


def combine_ratings(
    imported_rating: Decimal, imported_count: int, totals: ReviewTotals
) -> tuple[Decimal, int]:
    """Combine an imported rating with the visible reviews by the rule above.

    Args:
        imported_rating: Imported average from 0 to 5; 0 means none.
        imported_count: Number of imported ratings, 0 or more.
        totals: The book's visible reviews.

    Returns:
        The average to show (two decimals) and the number of ratings behind it.
    """
    weight = min(imported_count, IMPORTED_WEIGHT_CAP) if imported_rating > 0 else 0
    count = imported_count + totals.count
    if weight + totals.count == 0:
        return Decimal("0.00"), count
    average = (weight * imported_rating + totals.stars_sum) / (weight + totals.count)
    return average.quantize(HUNDREDTH, rounding=ROUND_HALF_UP), count


def visible() -> object:
    """Build the condition that a review is shown and counts in the averages."""
    return col(Review.hidden_at).is_(None)


def review_totals(session: Session, book_ids: Iterable[int]) -> dict[int, ReviewTotals]:
    """Count the visible reviews of books and add up their stars.

    Returns:
        Totals per book id; books without visible reviews are left out.
    """
    ids = list(book_ids)
    if not ids:
        return {}
    per_star = [
        func.sum(case((col(Review.rating) == stars, 1), else_=0))
        for stars in range(1, 6)
    ]
    statement = (
        select(
            col(Review.book_id), func.count(), func.sum(col(Review.rating)), *per_star
        )
        .where(col(Review.book_id).in_(ids), visible())
        .group_by(col(Review.book_id))
    )
    totals = {}
    for book_id, count, stars_sum, *distribution in session.execute(statement):
        totals[book_id] = ReviewTotals(
            count=int(count),
            stars_sum=int(stars_sum or 0),
            distribution=tuple(int(n or 0) for n in distribution),
        )
    return totals


def lock_book(session: Session, book_id: int) -> None:
    """Lock a book's row until the transaction ends, before its reviews change.

    PostgreSQL takes FOR NO KEY UPDATE, which waits for another review transaction
    of the book but lets orders and other rows that reference the book go on. SQLite
    has no row locks: its single writer lock, taken by the review's first write,
    serialises the transactions instead.

    Raises:
        NotFoundError: No book has that id.
    """
    statement = (
        select(col(Book.id))
        .where(col(Book.id) == book_id)
        .with_for_update(key_share=True)
    )
    if session.execute(statement).first() is None:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)


def refresh_book_ratings(session: Session, book_ids: Iterable[int]) -> None:
    """Recompute the shown rating of books from their imported rating and reviews.

    Call it in the transaction that changed the reviews or the imported rating,
    after `lock_book` when reviews changed.
    """
    ids = sorted(set(book_ids))
    if not ids:
        return
    totals = review_totals(session, ids)
    rows = session.execute(
        select(
            col(Book.id), col(Book.imported_rating), col(Book.imported_rating_count)
        ).where(col(Book.id).in_(ids))
    ).all()
    table = Book.__table__
    for book_id, imported_rating, imported_count in rows:
        average, count = combine_ratings(
            imported_rating, imported_count, totals.get(book_id, ReviewTotals())
        )
        session.execute(
            update(table)
            .where(table.c.id == book_id)
            .values(average_rating=average, rating_count=count)
        )
