"""Admin moderation of reviews: list them, hide one with a reason, show it again.

A hidden review disappears from the book page and leaves the book's averages; its
author still sees it, with the reason. Callers check the admin role first.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Literal, get_args

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow
from sky_readers.reviews.models import HIDE_REASON_MAX_LENGTH, Review
from sky_readers.reviews.paging import check_list_arguments
from sky_readers.reviews.purchases import bought_condition
from sky_readers.reviews.rating_rule import lock_book, refresh_book_ratings
from sky_readers.reviews.services import ReviewView, review_view
from sky_readers.reviews.text import clean_title

logger = logging.getLogger(__name__)

ModerationFilter = Literal["all", "visible", "hidden"]
MODERATION_FILTERS: tuple[str, ...] = get_args(ModerationFilter)
MODERATION_PAGE_SIZE = 25
MAX_MODERATION_PAGE_SIZE = 100


@dataclasses.dataclass(frozen=True)
class ModeratedReview:
    """A review with what an admin needs beside it: the book and the author's email."""

    review: ReviewView
    book_title: str
    author_email: str


@dataclasses.dataclass(frozen=True)
class ModerationPage:
    """One page of reviews for the admin, newest first; `page` counts from 1."""

    items: list[ModeratedReview]
    total: int
    page: int
    page_size: int
    # Reviews per filter, every filter present.
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        """Number of pages, at least 1."""
        return max(1, math.ceil(self.total / self.page_size))


def _filter_condition(status: str):
    if status == "visible":
        return col(Review.hidden_at).is_(None)
    if status == "hidden":
        return col(Review.hidden_at).is_not(None)
    return None


def _counts(session: Session) -> dict[str, int]:
    hidden_total = func.count(col(Review.hidden_at))
    total, hidden = session.execute(select(func.count(), hidden_total)).one()
    return {"all": total, "visible": total - hidden, "hidden": hidden}


def list_for_moderation(
    session: Session,
    *,
    status: str = "all",
    page: int = 1,
    page_size: int = MODERATION_PAGE_SIZE,
) -> ModerationPage:
    """Read one page of reviews of every book, newest first.

    Args:
        session: Open session.
        status: "all", "visible" or "hidden".
        page: Page from 1; a page past the last gives the last page.
        page_size: Reviews per page, 1 to MAX_MODERATION_PAGE_SIZE.

    Raises:
        ValidationError: Status, page or page size is invalid.
    """
    check_list_arguments(
        field="status",
        value=status,
        allowed=MODERATION_FILTERS,
        page=page,
        page_size=page_size,
        max_page_size=MAX_MODERATION_PAGE_SIZE,
    )

    condition = _filter_condition(status)
    counts = _counts(session)
    total = counts[status]
    page = min(page, max(1, math.ceil(total / page_size)))
    statement = (
        _moderation_statement()
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    if condition is not None:
        statement = statement.where(condition)
    items = [_moderated(row) for row in session.execute(statement)]
    return ModerationPage(
        items=items, total=total, page=page, page_size=page_size, counts=counts
    )


def _moderation_statement():
    return (
        select(
            Review,
            col(User.name),
            bought_condition(Review.user_id, Review.book_id),
            col(Book.title),
            col(User.email),
        )
        .join(User, col(User.id) == col(Review.user_id))
        .join(Book, col(Book.id) == col(Review.book_id))
    )


def _moderated(row) -> ModeratedReview:
    review, name, verified, title, email = row
    return ModeratedReview(
        review=review_view(review, name, verified), book_title=title, author_email=email
    )


def find_for_moderation(session: Session, review_id: int) -> ModeratedReview:
    """Read one review with its book title and author's email, hidden or not.

    Raises:
        NotFoundError: No review has that id.
    """
    row = session.execute(
        _moderation_statement().where(col(Review.id) == review_id)
    ).first()
    if row is None:
        msg = f"review {review_id} not found"
        raise NotFoundError(msg)
    return _moderated(row)


def _book_of(session: Session, review_id: int) -> int:
    book_id = session.execute(
        select(col(Review.book_id)).where(col(Review.id) == review_id)
    ).scalar_one_or_none()
    if book_id is None:
        msg = f"review {review_id} not found"
        raise NotFoundError(msg)
    return book_id


def hide_review(
    session: Session, *, review_id: int, admin_id: int, reason: str
) -> None:
    """Hide a review from the book page and its averages, recording why.

    Hiding a hidden review again replaces its reason.

    Args:
        session: Open session; the caller commits.
        review_id: The review.
        admin_id: The admin who hides it.
        reason: Why, for the author and other admins; 1 to 500 characters.

    Raises:
        ValidationError: The reason is missing or too long.
        NotFoundError: No review has that id.
    """
    text = clean_title(reason)
    if not text:
        raise ValidationError({"reason": "missing: say why the review is hidden"})
    if len(text) > HIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": f"is {len(text)} characters long: shorten it to "
                f"{HIDE_REASON_MAX_LENGTH} or fewer"
            }
        )
    book_id = _book_of(session, review_id)
    lock_book(session, book_id)
    session.execute(
        update(Review)
        .where(col(Review.id) == review_id)
        .values(hidden_at=utcnow(), hidden_reason=text, hidden_by_id=admin_id)
    )
    refresh_book_ratings(session, [book_id])
    logger.info("Admin %d hid review %d of book %d", admin_id, review_id, book_id)


def show_review(session: Session, *, review_id: int, admin_id: int) -> None:
    """Show a hidden review again and count it in the averages.

    Raises:
        NotFoundError: No review has that id.
    """
    book_id = _book_of(session, review_id)
    lock_book(session, book_id)
    session.execute(
        update(Review)
        .where(col(Review.id) == review_id)
        .values(hidden_at=None, hidden_reason=None, hidden_by_id=None)
    )
    refresh_book_ratings(session, [book_id])
    logger.info(
        "Admin %d showed review %d of book %d again", admin_id, review_id, book_id
    )
