"""Build the table of similar books from ratings, reviews and orders.

A build reads every like, computes the neighbours in memory, and then replaces the
whole `book_neighbour` table in one short transaction, so pages read either the old
list or the new one, never half of each. Likes come from three sources:

* imported goodbooks ratings of 4 or 5 stars, of books in the store;
* visible store reviews of 4 or 5 stars;
* paid, shipped or delivered orders, unless the buyer's own review of the book gave
  it 3 stars or fewer.

Books whose ratings give fewer than SIMILAR_BOOKS neighbours are filled up with the
most rated books of their categories (source "category"), or of the whole store for
books without a category.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Hashable, Iterable

from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from sky_readers.catalog.models import Book, BookCategory
from sky_readers.core.db import get_engine
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order, OrderItem
from sky_readers.recommendations.models import (
    BookNeighbour,
    GoodbooksRating,
    RecommendationBuild,
)
from sky_readers.recommendations.similarity import Neighbours, item_neighbours
from sky_readers.reviews.models import Review
from sky_readers.reviews.purchases import VERIFIED_ORDER_STATUSES

logger = logging.getLogger(__name__)

# Lowest star rating that counts as liking a book.
LIKED_FROM_STARS = 4
# Books a book page and the API show as similar.
SIMILAR_BOOKS = 10
# Popular books kept per category for the fallback.
POPULAR_PER_CATEGORY = 40
# Key of the PostgreSQL advisory lock that lets one build write at a time.
BUILD_LOCK_KEY = 0x5B00C5


@dataclasses.dataclass(frozen=True)
class BuildReport:
    """Counts and duration of one build."""

    readers: int
    likes: int
    books: int
    rating_neighbours: int
    category_neighbours: int
    seconds: float

    def summary(self) -> str:
        """Describe the build in one line."""
        return (
            f"{self.likes} likes by {self.readers} readers; {self.books} books got "
            f"{self.rating_neighbours} neighbours from ratings and "
            f"{self.category_neighbours} from their categories in {self.seconds:.2f} s"
        )


def gather_likes(session: Session) -> list[tuple[Hashable, int]]:
    """Read every like as a (reader, store book id) pair.

    Readers of the goodbooks data and store shoppers are distinguished by the first
    element of the reader key: ("goodbooks", user id) or ("shopper", user id).
    """
    likes: list[tuple[Hashable, int]] = []
    imported = (
        select(col(GoodbooksRating.user_id), col(Book.id))
        .join(Book, col(Book.goodbooks_id) == col(GoodbooksRating.book_id))
        .where(
            col(GoodbooksRating.rating) >= LIKED_FROM_STARS,
            col(Book.is_archived).is_(False),
        )
    )
    likes += [(("goodbooks", user), book) for user, book in session.execute(imported)]

    reviewed = select(col(Review.user_id), col(Review.book_id), col(Review.rating))
    disliked: set[tuple[int, int]] = set()
    for user, book, stars in session.execute(
        reviewed.where(col(Review.hidden_at).is_(None))
    ):
        if stars >= LIKED_FROM_STARS:
            likes.append((("shopper", user), book))
        else:
            disliked.add((user, book))

    bought = (
        select(col(Order.user_id), col(OrderItem.book_id))
        .join(Order, col(Order.id) == col(OrderItem.order_id))
        .where(col(Order.status).in_(VERIFIED_ORDER_STATUSES))
        .distinct()
    )
    likes += [
        (("shopper", user), book)
        for user, book in session.execute(bought)
        if (user, book) not in disliked
    ]
    return likes


def _popular_by_category(session: Session) -> tuple[dict[int, list[int]], list[int]]:
    """Rank the store's books by rating count, per category and over the store."""
    popular = (
        select(col(Book.id))
        .where(col(Book.is_archived).is_(False))
        .order_by(col(Book.rating_count).desc(), col(Book.id))
    )
    overall = list(session.execute(popular.limit(POPULAR_PER_CATEGORY)).scalars())
    ranked = session.execute(
        select(col(BookCategory.category_id), col(Book.id))
        .join(Book, col(Book.id) == col(BookCategory.book_id))
        .where(col(Book.is_archived).is_(False))
        .order_by(col(Book.rating_count).desc(), col(Book.id))
    )
    per_category: dict[int, list[int]] = {}
    for category_id, book_id in ranked:
        shelf = per_category.setdefault(category_id, [])
        if len(shelf) < POPULAR_PER_CATEGORY:
            shelf.append(book_id)
    return per_category, overall


def _categories_of_books(session: Session) -> dict[int, list[int]]:
    rows = session.execute(
        select(col(BookCategory.book_id), col(BookCategory.category_id)).order_by(
            col(BookCategory.book_id), col(BookCategory.position)
        )
    )
    categories: dict[int, list[int]] = {}
    for book_id, category_id in rows:
        categories.setdefault(book_id, []).append(category_id)
    return categories


def category_picks(
    book_id: int,
    categories: list[int],
    per_category: dict[int, list[int]],
    overall: list[int],
    exclude: set[int],
    count: int,
) -> list[int]:
    """Pick up to `count` popular books of a book's categories, best-fitting first.

    Books of the first category come first; a book without categories gets the
    store's most rated books.
    """
    picks: list[int] = []
    sources = [per_category.get(c, []) for c in categories] or [overall]
    for shelf in sources:
        for other in shelf:
            if len(picks) >= count:
                return picks
            if other != book_id and other not in exclude and other not in picks:
                picks.append(other)
    return picks


def neighbour_rows(
    store_books: Iterable[int],
    rated: Neighbours,
    categories: dict[int, list[int]],
    per_category: dict[int, list[int]],
    overall: list[int],
) -> list[dict]:
    """Turn the computed neighbours and the category fallback into table rows."""
    rows: list[dict] = []
    for book_id in store_books:
        ranked = [
            (other, score, "ratings")
            for other, score in rated.get(book_id, [])
            if other != book_id
        ]
        if len(ranked) < SIMILAR_BOOKS:
            taken = {other for other, _score, _source in ranked}
            fill = category_picks(
                book_id,
                categories.get(book_id, []),
                per_category,
                overall,
                taken,
                SIMILAR_BOOKS - len(ranked),
            )
            ranked += [(other, 0.0, "category") for other in fill]
        rows += [
            {
                "book_id": book_id,
                "rank": rank,
                "neighbour_id": other,
                "score": score,
                "source": source,
            }
            for rank, (other, score, source) in enumerate(ranked, start=1)
        ]
    return rows


def _replace_neighbours(
    engine: Engine, rows: list[dict], build: RecommendationBuild, started: float
) -> None:
    """Swap the neighbour table's contents for `rows` in one transaction.

    The build row is written in the same transaction, with the seconds since
    `started` (a `time.perf_counter` value).
    """
    with Session(engine, expire_on_commit=False) as session:
        if engine.dialect.name == "postgresql":
            # A second build waits here and then replaces this one's rows whole.
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": BUILD_LOCK_KEY}
            )
        session.execute(delete(BookNeighbour))
        # Neighbours of a book archived or deleted since the read are skipped.
        live = set(
            session.execute(
                select(col(Book.id)).where(col(Book.is_archived).is_(False))
            ).scalars()
        )
        rows = [r for r in rows if r["book_id"] in live and r["neighbour_id"] in live]
        for start in range(0, len(rows), 5_000):
            session.execute(insert(BookNeighbour), rows[start : start + 5_000])
        build.finished_at = utcnow()
        build.seconds = time.perf_counter() - started
        session.add(build)
        session.commit()


def build_recommendations(engine: Engine | None = None) -> BuildReport:
    """Recompute every book's similar books and replace the stored ones.

    Args:
        engine: Database to build in; the configured one by default.

    Returns:
        The counts and duration of the build.
    """
    engine = engine or get_engine()
    started_at = utcnow()
    started = time.perf_counter()
    with Session(engine) as session:
        likes = gather_likes(session)
        store_books = list(
            session.execute(
                select(col(Book.id))
                .where(col(Book.is_archived).is_(False))
                .order_by(col(Book.id))
            ).scalars()
        )
        categories = _categories_of_books(session)
        per_category, overall = _popular_by_category(session)

    rated = item_neighbours(likes)
    rows = neighbour_rows(store_books, rated, categories, per_category, overall)
    rating_rows = sum(1 for row in rows if row["source"] == "ratings")
    report = BuildReport(
        readers=len({reader for reader, _book in likes}),
        likes=len(set(likes)),
        books=len({row["book_id"] for row in rows}),
        rating_neighbours=rating_rows,
        category_neighbours=len(rows) - rating_rows,
        seconds=0.0,
    )
    build = RecommendationBuild(
        started_at=started_at,
        readers=report.readers,
        likes=report.likes,
        books=report.books,
        rating_neighbours=report.rating_neighbours,
        category_neighbours=report.category_neighbours,
        seconds=0.0,
    )
    _replace_neighbours(engine, rows, build, started)
    report = dataclasses.replace(report, seconds=build.seconds)
    logger.info("Built recommendations: %s", report.summary())
    return report


def last_build(session: Session) -> RecommendationBuild | None:
    """Return the newest finished build, or None before the first one."""
    return session.execute(
        select(RecommendationBuild)
        .order_by(col(RecommendationBuild.id).desc())
        .limit(1)
    ).scalar_one_or_none()
