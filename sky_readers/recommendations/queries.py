"""Read side of the recommendations: similar books of a book, picks for a shopper.

Both read the neighbours stored by the last build (`build.py`). A book added since
then gets the popular books of its categories, chosen when the page is read.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlmodel import Session, col

from sky_readers.catalog import queries as catalog
from sky_readers.catalog.models import Book, BookCategory
from sky_readers.catalog.queries import BookSummary
from sky_readers.recommendations.build import (
    LIKED_FROM_STARS,
    POPULAR_PER_CATEGORY,
    SIMILAR_BOOKS,
    category_picks,
)
from sky_readers.recommendations.models import BookNeighbour
from sky_readers.recommendations.similarity import score_books
from sky_readers.reviews.models import Review
from sky_readers.reviews.purchases import bought_book_ids
from sky_readers.wishlist.models import WishlistItem

# Books on the home page's "Recommended for you" shelf.
PERSONAL_PICKS = 12
# Weight of a "category" neighbour in a shopper's picks. It is far below any
# similarity from ratings, so it only orders books that ratings give no score.
CATEGORY_NEIGHBOUR_WEIGHT = 0.001


@dataclasses.dataclass(frozen=True)
class SimilarBook:
    """A book shown as similar, and why: "ratings" or "category"."""

    book: BookSummary
    source: str
    score: float


def _popular_in_categories(
    session: Session, book_id: int, exclude: set[int], count: int
) -> list[int]:
    categories = list(
        session.execute(
            select(col(BookCategory.category_id))
            .where(col(BookCategory.book_id) == book_id)
            .order_by(col(BookCategory.position))
        ).scalars()
    )
    popular = (
        select(col(Book.id))
        .where(col(Book.is_archived).is_(False))
        .order_by(col(Book.rating_count).desc(), col(Book.id))
        .limit(POPULAR_PER_CATEGORY)
    )
    per_category = {
        category: list(
            session.execute(
                popular.join(
                    BookCategory, col(BookCategory.book_id) == col(Book.id)
                ).where(col(BookCategory.category_id) == category)
            ).scalars()
        )
        for category in categories
    }
    overall = [] if categories else list(session.execute(popular).scalars())
    return category_picks(book_id, categories, per_category, overall, exclude, count)


def similar_books(
    session: Session, book_id: int, limit: int = SIMILAR_BOOKS
) -> list[SimilarBook]:
    """List up to `limit` store books similar to a book, most similar first."""
    rows = session.execute(
        select(
            col(BookNeighbour.neighbour_id),
            col(BookNeighbour.source),
            col(BookNeighbour.score),
        )
        .join(Book, col(Book.id) == col(BookNeighbour.neighbour_id))
        .where(col(BookNeighbour.book_id) == book_id, col(Book.is_archived).is_(False))
        .order_by(col(BookNeighbour.rank))
        .limit(limit)
    ).all()
    picks = [(other, source, score) for other, source, score in rows]
    if len(picks) < limit:
        taken = {other for other, _source, _score in picks}
        fill = _popular_in_categories(session, book_id, taken, limit - len(picks))
        picks += [(other, "category", 0.0) for other in fill]
    summaries = {
        book.id: book
        for book in catalog.book_summaries(session, [other for other, *_ in picks])
    }
    return [
        SimilarBook(book=summaries[other], source=source, score=score)
        for other, source, score in picks
        if other in summaries
    ]


def shopper_history(session: Session, user_id: int) -> tuple[set[int], set[int]]:
    """Read what a shopper liked and every book they already have or judged.

    Returns:
        The liked books (reviews of 4 or 5 stars, purchases, the wishlist) and the
        books never to suggest to them (those plus every book they reviewed).
    """
    reviews = session.execute(
        select(col(Review.book_id), col(Review.rating)).where(
            col(Review.user_id) == user_id
        )
    ).all()
    wished = set(
        session.execute(
            select(col(WishlistItem.book_id)).where(
                col(WishlistItem.user_id) == user_id
            )
        ).scalars()
    )
    disliked = {book for book, stars in reviews if stars < LIKED_FROM_STARS}
    liked = {book for book, stars in reviews if stars >= LIKED_FROM_STARS}
    liked |= bought_book_ids(session, user_id) - disliked
    liked |= wished
    return liked, liked | disliked


def recommended_for(
    session: Session, user_id: int, limit: int = PERSONAL_PICKS
) -> list[BookSummary]:
    """Pick books for a shopper from the neighbours of the books they liked.

    Returns:
        Up to `limit` store books, best first; empty for a shopper without history
        or when the neighbours suggest nothing new.
    """
    liked, exclude = shopper_history(session, user_id)
    if not liked:
        return []
    rows = session.execute(
        select(
            col(BookNeighbour.book_id),
            col(BookNeighbour.neighbour_id),
            col(BookNeighbour.score),
            col(BookNeighbour.source),
        ).where(col(BookNeighbour.book_id).in_(sorted(liked)))
    ).all()
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for book_id, other, score, source in rows:
        weight = score if source == "ratings" else CATEGORY_NEIGHBOUR_WEIGHT
        neighbours.setdefault(book_id, []).append((other, weight))
    ranked = score_books(liked, neighbours, exclude)
    # Archived books drop out in book_summaries, so ask for a few spare ones.
    wanted = [book_id for book_id, _score in ranked[: limit * 2]]
    return catalog.book_summaries(session, wanted)[:limit]
