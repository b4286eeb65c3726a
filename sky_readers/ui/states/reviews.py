"""State of the reviews section of the book page: rating summary, list and form.

Every handler looks the shopper up again from the session cookie, so a logout in
another tab applies at once. Review text reaches the page as plain strings, which
React renders as text, never as HTML.
"""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx
from babel.dates import format_date

from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import parse_row_id
from sky_readers.reviews import services
from sky_readers.reviews.errors import ReviewConflictError
from sky_readers.reviews.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from sky_readers.reviews.services import RatingSummary, ReviewView
from sky_readers.ui.formatting import (
    UI_LOCALE,
    filled_stars,
    format_count,
    format_rating,
)
from sky_readers.ui.states.auth import login_redirect, session_user
from sky_readers.ui.states.catalog import BookPageState, route_argument

logger = logging.getLogger(__name__)

# Choices of the sort select, in the order shown.
REVIEW_SORT_LABELS: dict[str, str] = {
    "newest": "Newest",
    "helpful": "Most helpful",
    "highest": "Highest rated",
    "lowest": "Lowest rated",
}
FORM_LIMITS = {"title": TITLE_MAX_LENGTH, "body": BODY_MAX_LENGTH}


@dataclasses.dataclass
class ReviewRow:
    """One review, ready to show."""

    id: int = 0
    rating: int = 0
    title: str = ""
    body: str = ""
    author: str = ""
    date: str = ""
    verified: bool = False
    edited: bool = False
    helpful_count: int = 0
    # Whether the viewer marked it helpful, and whether the viewer wrote it.
    voted: bool = False
    own: bool = False


@dataclasses.dataclass
class StarBar:
    """One row of the rating distribution: stars, reviews and share in percent."""

    stars: int = 0
    count: int = 0
    percent: int = 0


def _row(review: ReviewView, viewer_id: int | None, voted: bool) -> ReviewRow:
    return ReviewRow(
        id=review.id,
        rating=review.rating,
        title=review.title,
        body=review.body,
        author=review.author_name,
        date=format_date(review.created_at, format="medium", locale=UI_LOCALE),
        verified=review.verified_purchase,
        edited=review.edited,
        helpful_count=review.helpful_count,
        voted=voted,
        own=review.user_id == viewer_id,
    )


def _bars(summary: RatingSummary) -> list[StarBar]:
    total = summary.reviews.count
    bars = []
    for stars in range(5, 0, -1):
        count = summary.reviews.distribution[stars - 1]
        percent = round(100 * count / total) if total else 0
        bars.append(StarBar(stars=stars, count=count, percent=percent))
    return bars


def _plural(count: int, word: str) -> str:
    return f"{format_count(count)} {word}" + ("" if count == 1 else "s")


class ReviewsState(rx.State):
    """Reviews of the book shown on the book page."""

    loaded: bool = False
    review_book_id: int = 0
    # Summary: the shown rating, the number of ratings behind it, and its imported
    # and review parts as sentences.
    average: str = "0.00"
    stars: int = 0
    count_label: str = ""
    imported_label: str = ""
    reviews_label: str = ""
    bars: list[StarBar] = []
    # One page of visible reviews.
    reviews: list[ReviewRow] = []
    sort: str = services.DEFAULT_REVIEW_SORT
    page: int = 1
    pages: int = 1
    total: int = 0
    # The viewer and their own review, hidden ones included.
    logged_in: bool = False
    has_review: bool = False
    mine: ReviewRow = ReviewRow()
    mine_hidden_reason: str = ""
    # The write/edit form; form_version changes to reset its fields.
    editing: bool = False
    form_rating: int = 0
    form_title: str = ""
    form_body: str = ""
    form_version: int = 0
    errors: dict[str, str] = {}

    def _read(self, viewer_id: int | None) -> None:
        with session_scope() as session:
            summary = services.rating_summary(session, self.review_book_id)
            result = services.list_reviews(
                session,
                self.review_book_id,
                sort=self.sort,
                page=self.page,
                viewer_id=viewer_id,
            )
            mine = (
                services.get_own_review(session, viewer_id, self.review_book_id)
                if viewer_id is not None
                else None
            )

        self.average = format_rating(summary.average)
        self.stars = filled_stars(summary.average)
        self.count_label = format_count(summary.count)
        self.imported_label = (
            f"{format_rating(summary.imported_average)} from "
            f"{_plural(summary.imported_count, 'imported rating')}"
            if summary.imported_count
            else ""
        )
        self.reviews_label = (
            f"{format_rating(summary.reviews.average)} from "
            f"{_plural(summary.reviews.count, 'store review')}"
        )
        self.bars = _bars(summary)

        self.reviews = [
            _row(item, viewer_id, item.id in result.voted_ids) for item in result.items
        ]
        self.page = result.page
        self.pages = result.pages
        self.total = result.total

        self.logged_in = viewer_id is not None
        self.has_review = mine is not None
        self.mine = _row(mine, viewer_id, False) if mine else ReviewRow()
        self.mine_hidden_reason = (mine.hidden_reason or "") if mine else ""
        self.loaded = True

    def _reset_form(self) -> None:
        self.form_rating = self.mine.rating if self.has_review else 0
        self.form_title = self.mine.title if self.has_review else ""
        self.form_body = self.mine.body if self.has_review else ""
        self.errors = {}
        self.form_version += 1

    def _viewer_id(self) -> int | None:
        user = session_user(self)
        return user.id if user else None

    @rx.event
    def load(self):
        """Read the reviews of the book in the URL, newest first."""
        raw_id = route_argument(self.router.url.path)
        self.loaded = False
        book_id = parse_row_id(raw_id)
        if book_id is None:
            return
        self.review_book_id = book_id
        self.sort = services.DEFAULT_REVIEW_SORT
        self.page = 1
        self.editing = False
        try:
            self._read(self._viewer_id())
        except NotFoundError:
            logger.info("Reviews of unknown book %s", raw_id)
            return
        self._reset_form()

    @rx.event
    def change_sort(self, sort: str):
        """Show the first page of reviews in another order."""
        self.sort = sort if sort in services.REVIEW_SORTS else self.sort
        self.page = 1
        self._read(self._viewer_id())

    @rx.event
    def go_to_page(self, page: int):
        """Show another page of reviews."""
        self.page = max(1, min(int(page), self.pages))
        self._read(self._viewer_id())

    @rx.event
    def pick_rating(self, stars: int):
        """Choose the stars of the review being written."""
        self.form_rating = max(1, min(int(stars), 5))
        self.errors = {key: msg for key, msg in self.errors.items() if key != "rating"}

    @rx.event
    def start_edit(self):
        """Open the form with the viewer's review in it."""
        self.editing = True
        self._reset_form()

    @rx.event
    def cancel_edit(self):
        """Close the form and forget its changes."""
        self.editing = False
        self._reset_form()

    @rx.event
    def submit(self, form_data: dict):
        """Save the viewer's new or edited review, or show what to fix."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        title = str(form_data.get("title") or "")
        body = str(form_data.get("body") or "")
        self.form_title, self.form_body = title, body
        rating = self.form_rating or None

        try:
            with session_scope() as session:
                save = (
                    services.update_review
                    if self.has_review
                    else services.create_review
                )
                save(
                    session,
                    user_id=user.id,
                    book_id=self.review_book_id,
                    rating=rating,
                    title=title,
                    body=body,
                )
        except ValidationError as exc:
            self.errors = exc.errors
            return rx.toast.error("Check the marked fields of your review.")
        except (ReviewConflictError, NotFoundError) as exc:
            self._read(user.id)
            return rx.toast.error(str(exc))
        message = (
            "Your review is updated." if self.has_review else "Thanks for your review!"
        )
        self.editing = False
        self._read(user.id)
        self._reset_form()
        return [rx.toast.success(message), BookPageState.load]

    @rx.event
    def delete_review(self):
        """Delete the viewer's review of this book."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                services.delete_review(
                    session, user_id=user.id, book_id=self.review_book_id
                )
        except NotFoundError as exc:
            self._read(user.id)
            return rx.toast.error(str(exc))
        self.editing = False
        self._read(user.id)
        self._reset_form()
        return [rx.toast.success("Your review is deleted."), BookPageState.load]

    @rx.event
    def mark_helpful(self, review_id: int):
        """Record that the viewer found a review helpful."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                services.mark_helpful(session, user_id=user.id, review_id=review_id)
        except (ValidationError, ReviewConflictError, NotFoundError) as exc:
            self._read(user.id)
            return rx.toast.error(str(exc))
        self._read(user.id)
        return rx.toast.success("Thanks, your vote is counted.")
