"""State of the admin review page: reviews by visibility, hide with a reason, show."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx
from babel.dates import format_datetime

from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.reviews import moderation
from sky_readers.ui.formatting import UI_LOCALE
from sky_readers.ui.states.auth import admin_user, login_redirect

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class ModerationRow:
    """One review in the admin list, ready to show."""

    id: int = 0
    book_href: str = ""
    book_title: str = ""
    author: str = ""
    author_email: str = ""
    rating: int = 0
    title: str = ""
    body: str = ""
    written: str = ""
    verified: bool = False
    helpful_count: int = 0
    hidden: bool = False
    hidden_reason: str = ""


def _row(item: moderation.ModeratedReview) -> ModerationRow:
    review = item.review
    return ModerationRow(
        id=review.id,
        book_href=f"/books/{review.book_id}",
        book_title=item.book_title,
        author=review.author_name,
        author_email=item.author_email,
        rating=review.rating,
        title=review.title,
        body=review.body,
        written=format_datetime(
            review.created_at, format="medium", tzinfo=None, locale=UI_LOCALE
        ),
        verified=review.verified_purchase,
        helpful_count=review.helpful_count,
        hidden=review.hidden,
        hidden_reason=review.hidden_reason or "",
    )


class AdminReviewsState(rx.State):
    """The admin's list of reviews and the hide dialog."""

    status_filter: str = "all"
    rows: list[ModerationRow] = []
    counts: dict[str, int] = {}
    total: int = 0
    page: int = 1
    pages: int = 1
    # The review the hide dialog is open for (0 when closed) and its error.
    hide_target: int = 0
    hide_error: str = ""

    def _load(self) -> None:
        with session_scope() as session:
            result = moderation.list_for_moderation(
                session, status=self.status_filter, page=self.page
            )
        self.rows = [_row(item) for item in result.items]
        self.counts = result.counts
        self.total = result.total
        self.page = result.page
        self.pages = result.pages

    @rx.event
    def load(self):
        """Load the list for the filter in the page's ?status= query."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        wanted = self.router.url.query_parameters.get("status", "all")
        self.status_filter = (
            wanted if wanted in moderation.MODERATION_FILTERS else "all"
        )
        self.page = 1
        self.hide_target = 0
        self._load()
        return None

    @rx.event
    def show_filter(self, status: str | list[str]):
        """Switch the list to all, visible or hidden reviews."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if isinstance(status, list):
            status = status[0] if status else "all"
        self.status_filter = (
            status if status in moderation.MODERATION_FILTERS else "all"
        )
        self.page = 1
        self._load()
        return None

    @rx.event
    def change_page(self, step: int):
        """Move `step` pages forward, or back when negative."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.page = max(1, min(self.page + int(step), self.pages))
        self._load()
        return None

    @rx.event
    def open_hide(self, review_id: int):
        """Open the dialog for the reason a review is hidden."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.hide_target = review_id
        self.hide_error = ""
        return None

    @rx.event
    def close_hide(self):
        """Close the hide dialog without hiding anything."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.hide_target = 0
        self.hide_error = ""
        return None

    @rx.event
    def hide_dialog_changed(self, is_open: bool):
        """Close the hide dialog when the admin dismisses it (Escape, outside click)."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if not is_open:
            self.hide_target = 0
            self.hide_error = ""
        return None

    @rx.event
    def hide(self, form_data: dict):
        """Hide the dialog's review with the reason typed in."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        review_id = self.hide_target
        try:
            with session_scope() as session:
                moderation.hide_review(
                    session,
                    review_id=review_id,
                    admin_id=user.id,
                    reason=str(form_data.get("reason") or ""),
                )
        except ValidationError as exc:
            self.hide_error = exc.errors.get("reason", str(exc))
            return None
        except NotFoundError as exc:
            self.hide_target = 0
            self._load()
            return rx.toast.error(str(exc))
        self.hide_target = 0
        self._load()
        return rx.toast.success(f"Review {review_id} is hidden.")

    @rx.event
    def show_review(self, review_id: int):
        """Show a hidden review again."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                moderation.show_review(session, review_id=review_id, admin_id=user.id)
        except NotFoundError as exc:
            self._load()
            return rx.toast.error(str(exc))
        self._load()
        return rx.toast.success(f"Review {review_id} is shown again.")
