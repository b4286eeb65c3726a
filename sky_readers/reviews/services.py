"""Write, edit, delete, list and vote on reviews, keeping the book's rating current.

Each write runs in the caller's transaction in three steps: lock the book's row
(`rating_rule.lock_book`), change the review, then recompute the book's shown rating
from every visible review (`rating_rule.refresh_book_ratings`). Functions return
plain dataclasses, never table rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import is_row_id
from sky_readers.core.types import utcnow
from sky_readers.reviews.errors import AlreadyVotedError, DuplicateReviewError
from sky_readers.reviews.models import Review, ReviewVote
from sky_readers.reviews.paging import check_list_arguments
from sky_readers.reviews.purchases import bought_condition
from sky_readers.reviews.rating_rule import (
    ReviewTotals,
    lock_book,
    refresh_book_ratings,
    review_totals,
    visible,
)
from sky_readers.reviews.text import clean_review_fields

logger = logging.getLogger(__name__)

ReviewSort = Literal["newest", "helpful", "highest", "lowest"]
REVIEW_SORTS: tuple[str, ...] = get_args(ReviewSort)
DEFAULT_REVIEW_SORT: ReviewSort = "newest"
# Reviews per page of a book's list, and the largest page a caller may ask for.
REVIEW_PAGE_SIZE = 10
MAX_REVIEW_PAGE_SIZE = 50
# An edit later than this after writing marks the review as edited.
EDIT_GRACE = dt.timedelta(seconds=60)


@dataclasses.dataclass(frozen=True)
class ReviewView:
    """A review as the pages and the API show it."""

    id: int
    book_id: int
    user_id: int
    author_name: str
    rating: int
    title: str
    body: str
    helpful_count: int
    verified_purchase: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    hidden: bool
    # Reason an admin gave for hiding the review; shown to its author only.
    hidden_reason: str | None

    @property
    def edited(self) -> bool:
        """Whether the author changed the review after writing it."""
        return self.updated_at - self.created_at > EDIT_GRACE


@dataclasses.dataclass(frozen=True)
class RatingSummary:
    """A book's shown rating and the two parts it combines."""

    book_id: int
    # Shown average (two decimals, 0 when unrated) and the ratings behind it.
    average: Decimal
    count: int
    imported_average: Decimal
    imported_count: int
    # The store's visible reviews.
    reviews: ReviewTotals


@dataclasses.dataclass(frozen=True)
class ReviewPage:
    """One page of a book's visible reviews; `page` counts from 1."""

    items: list[ReviewView]
    total: int
    page: int
    page_size: int
    sort: str
    # Ids of the reviews on this page that the viewer has marked helpful.
    voted_ids: frozenset[int] = frozenset()

    @property
    def pages(self) -> int:
        """Number of pages, at least 1."""
        return max(1, math.ceil(self.total / self.page_size))


def _store_book(session: Session, book_id: int) -> None:
    """Check that a book is sold in the store, as reviews need.

    Raises:
        NotFoundError: No book has that id, or it is archived.
    """
    found = session.execute(
        select(col(Book.id)).where(
            col(Book.id) == book_id, col(Book.is_archived).is_(False)
        )
    ).first()
    if found is None:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)


def _view_statement():
    return select(
        Review, col(User.name), bought_condition(Review.user_id, Review.book_id)
    ).join(User, col(User.id) == col(Review.user_id))


def review_view(review: Review, author_name: str, verified: bool) -> ReviewView:
    """Turn a review row, its author's name and the purchase check into a view."""
    return ReviewView(
        id=review.id,
        book_id=review.book_id,
        user_id=review.user_id,
        author_name=author_name,
        rating=review.rating,
        title=review.title,
        body=review.body,
        helpful_count=review.helpful_count,
        verified_purchase=bool(verified),
        created_at=review.created_at,
        updated_at=review.updated_at,
        hidden=review.hidden_at is not None,
        hidden_reason=review.hidden_reason,
    )


def get_review(session: Session, review_id: int) -> ReviewView:
    """Read one review, visible or hidden.

    Raises:
        NotFoundError: No review has that id.
    """
    row = session.execute(_view_statement().where(col(Review.id) == review_id)).first()
    if row is None:
        msg = f"review {review_id} not found"
        raise NotFoundError(msg)
    return review_view(*row)


def get_own_review(session: Session, user_id: int, book_id: int) -> ReviewView | None:
    """Read a shopper's review of a book, hidden or not; None when there is none."""
    row = session.execute(
        _view_statement().where(
            col(Review.user_id) == user_id, col(Review.book_id) == book_id
        )
    ).first()
    return review_view(*row) if row else None


def _own_review_row(session: Session, user_id: int, book_id: int) -> Review:
    review = session.execute(
        select(Review).where(
            col(Review.user_id) == user_id, col(Review.book_id) == book_id
        )
    ).scalar_one_or_none()
    if review is None:
        msg = f"you have not reviewed book {book_id}: write a review first"
        raise NotFoundError(msg)
    return review


def create_review(
    session: Session,
    *,
    user_id: int,
    book_id: int,
    rating: object,
    title: str | None = "",
    body: str | None = "",
) -> ReviewView:
    """Write a shopper's first review of a book and update the book's rating.

    Args:
        session: Open session; the caller commits.
        user_id: The shopper.
        book_id: The book, which must be sold in the store.
        rating: Stars from 1 to 5.
        title: Optional title, at most 120 characters after tidying.
        body: Optional text, at most 5,000 characters after tidying.

    Returns:
        The new review.

    Raises:
        ValidationError: A field breaks a rule; one message per field.
        NotFoundError: The book is not sold in the store.
        DuplicateReviewError: The shopper has reviewed this book already.
    """
    stars, clean_title, clean_body = clean_review_fields(rating, title, body)
    _store_book(session, book_id)
    lock_book(session, book_id)
    if get_own_review(session, user_id, book_id) is not None:
        raise DuplicateReviewError(book_id)
    now = utcnow()
    # No savepoint: pysqlite commits at the release of an outermost SAVEPOINT. A
    # duplicate that slipped past the check above fails the unique key instead, and
    # the caller's transaction is rolled back with the error.
    try:
        session.execute(
            insert(Review).values(
                book_id=book_id,
                user_id=user_id,
                rating=stars,
                title=clean_title,
                body=clean_body,
                helpful_count=0,
                created_at=now,
                updated_at=now,
            )
        )
    except IntegrityError as exc:
        raise DuplicateReviewError(book_id) from exc
    refresh_book_ratings(session, [book_id])
    logger.info("User %d reviewed book %d with %d stars", user_id, book_id, stars)
    view = get_own_review(session, user_id, book_id)
    assert view is not None
    return view


def update_review(
    session: Session,
    *,
    user_id: int,
    book_id: int,
    rating: object,
    title: str | None = "",
    body: str | None = "",
) -> ReviewView:
    """Replace the rating, title and text of a shopper's review of a book.

    A hidden review stays hidden after an edit; an admin decides whether to show it.

    Raises:
        ValidationError: A field breaks a rule; one message per field.
        NotFoundError: The shopper has not reviewed this book.
    """
    stars, clean_title, clean_body = clean_review_fields(rating, title, body)
    lock_book(session, book_id)
    review = _own_review_row(session, user_id, book_id)
    session.execute(
        update(Review)
        .where(col(Review.id) == review.id)
        .values(rating=stars, title=clean_title, body=clean_body, updated_at=utcnow())
    )
    refresh_book_ratings(session, [book_id])
    logger.info("User %d edited review %d of book %d", user_id, review.id, book_id)
    view = get_own_review(session, user_id, book_id)
    assert view is not None
    return view


def delete_review(session: Session, *, user_id: int, book_id: int) -> None:
    """Delete a shopper's review of a book, with its votes, and update the rating.

    Raises:
        NotFoundError: The shopper has not reviewed this book.
    """
    lock_book(session, book_id)
    review = _own_review_row(session, user_id, book_id)
    session.execute(delete(Review).where(col(Review.id) == review.id))
    refresh_book_ratings(session, [book_id])
    logger.info("User %d deleted review %d of book %d", user_id, review.id, book_id)


def _order_by(sort: str) -> list:
    newest = [col(Review.created_at).desc(), col(Review.id).desc()]
    if sort == "helpful":
        return [col(Review.helpful_count).desc(), *newest]
    if sort == "highest":
        return [col(Review.rating).desc(), *newest]
    if sort == "lowest":
        return [col(Review.rating).asc(), *newest]
    return newest


def list_reviews(
    session: Session,
    book_id: int,
    *,
    sort: str = DEFAULT_REVIEW_SORT,
    page: int = 1,
    page_size: int = REVIEW_PAGE_SIZE,
    viewer_id: int | None = None,
) -> ReviewPage:
    """Read one page of a book's visible reviews.

    Args:
        session: Open session.
        book_id: The book.
        sort: "newest", "helpful" (most votes first), "highest" or "lowest" stars;
            ties go to the newer review.
        page: Page from 1; a page past the last gives the last page.
        page_size: Reviews per page, 1 to MAX_REVIEW_PAGE_SIZE.
        viewer_id: The shopper looking, whose helpful votes are returned.

    Raises:
        NotFoundError: The book is not sold in the store.
        ValidationError: Sort, page or page size is invalid.
    """
    check_list_arguments(
        field="sort",
        value=sort,
        allowed=REVIEW_SORTS,
        page=page,
        page_size=page_size,
        max_page_size=MAX_REVIEW_PAGE_SIZE,
    )
    _store_book(session, book_id)
    where = [col(Review.book_id) == book_id, visible()]
    total = session.execute(select(func.count()).select_from(Review).where(*where))
    total = int(total.scalar_one())
    page = min(page, max(1, math.ceil(total / page_size)))
    rows = session.execute(
        _view_statement()
        .where(*where)
        .order_by(*_order_by(sort))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = [review_view(*row) for row in rows]
    voted: frozenset[int] = frozenset()
    if viewer_id is not None and items:
        voted = frozenset(
            session.execute(
                select(col(ReviewVote.review_id)).where(
                    col(ReviewVote.user_id) == viewer_id,
                    col(ReviewVote.review_id).in_([item.id for item in items]),
                )
            ).scalars()
        )
    return ReviewPage(
        items=items,
        total=total,
        page=page,
        page_size=page_size,
        sort=sort,
        voted_ids=voted,
    )


def rating_summary(session: Session, book_id: int) -> RatingSummary:
    """Read a book's shown rating with its imported part and its reviews.

    Raises:
        NotFoundError: The book is not sold in the store.
    """
    row = session.execute(
        select(
            col(Book.average_rating),
            col(Book.rating_count),
            col(Book.imported_rating),
            col(Book.imported_rating_count),
        ).where(col(Book.id) == book_id, col(Book.is_archived).is_(False))
    ).first()
    if row is None:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)
    totals = review_totals(session, [book_id]).get(book_id, ReviewTotals())
    return RatingSummary(
        book_id=book_id,
        average=row[0],
        count=row[1],
        imported_average=row[2],
        imported_count=row[3],
        reviews=totals,
    )


def mark_helpful(session: Session, *, user_id: int, review_id: int) -> int:
    """Record that a shopper found a visible review helpful, once per shopper.

    Returns:
        The review's new number of helpful marks.

    Raises:
        NotFoundError: No visible review has that id.
        ValidationError: The review is the shopper's own.
        AlreadyVotedError: The shopper has marked it before.
    """
    review = None
    if is_row_id(review_id):
        review = session.execute(
            select(col(Review.user_id)).where(col(Review.id) == review_id, visible())
        ).first()
    if review is None:
        msg = f"review {review_id} not found"
        raise NotFoundError(msg)
    if review[0] == user_id:
        raise ValidationError(
            {"review": "you wrote this review, so you cannot mark it helpful"}
        )
    already = session.execute(
        select(col(ReviewVote.review_id)).where(
            col(ReviewVote.review_id) == review_id, col(ReviewVote.user_id) == user_id
        )
    ).first()
    if already is not None:
        raise AlreadyVotedError(review_id)
    # A simultaneous second vote fails the primary key; the caller rolls back.
    try:
        session.execute(
            insert(ReviewVote).values(
                review_id=review_id, user_id=user_id, created_at=utcnow()
            )
        )
    except IntegrityError as exc:
        raise AlreadyVotedError(review_id) from exc
    # Counted in SQL, so simultaneous votes never overwrite each other.
    count = session.execute(
        update(Review)
        .where(col(Review.id) == review_id)
        .values(helpful_count=col(Review.helpful_count) + 1)
        .returning(col(Review.helpful_count))
    ).scalar_one()
    return int(count)
