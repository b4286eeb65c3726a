"""State of the admin outbox page: mail by state with attempts, counts, retry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import reflex as rx

from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.outbox import services
from sky_readers.ui.states.auth import admin_user, login_redirect

logger = logging.getLogger(__name__)

# Mails per page of the list.
PAGE_SIZE = 25
# Filters in the order the page shows them; "pending" includes mail being sent.
FILTERS = ("all", "pending", "retrying", "dead", "sent")


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


@dataclasses.dataclass
class AttemptRow:
    """One delivery attempt, formatted for display."""

    number: int = 0
    started_at: str = ""
    finished_at: str = ""
    outcome: str = ""
    backend: str = ""
    worker_id: str = ""
    detail: str = ""


@dataclasses.dataclass
class OutboxRow:
    """One outbox mail, formatted for display."""

    id: int = 0
    kind: str = ""
    to_address: str = ""
    subject: str = ""
    status: str = ""
    attempts: int = 0
    created_at: str = ""
    next_attempt_at: str = ""
    sent_at: str = ""
    last_error: str = ""
    can_retry: bool = False
    attempt_log: list[AttemptRow] = dataclasses.field(default_factory=list)


def _row(mail: services.OutboxEmailPublic) -> OutboxRow:
    return OutboxRow(
        id=mail.id,
        kind=mail.kind,
        to_address=mail.to_address,
        subject=mail.subject,
        status=mail.status,
        attempts=mail.attempts,
        created_at=_when(mail.created_at),
        next_attempt_at=_when(mail.next_attempt_at),
        sent_at=_when(mail.sent_at),
        last_error=mail.last_error or "",
        can_retry=mail.status == "dead",
        attempt_log=[
            AttemptRow(
                number=a.number,
                started_at=_when(a.started_at),
                finished_at=_when(a.finished_at),
                outcome=a.outcome,
                backend=a.backend,
                worker_id=a.worker_id,
                detail=a.error or a.provider_message_id or "",
            )
            for a in mail.attempt_log
        ],
    )


class AdminOutboxState(rx.State):
    """The admin's view of the email outbox."""

    status_filter: str = "all"
    mails: list[OutboxRow] = []
    # Mails per status, every status present.
    counts: dict[str, int] = {}
    # Mails matching the filter, over all pages.
    total: int = 0
    # Zero-based page of the list.
    page: int = 0
    error: str = ""
    # Why the list ignores the ?status= of the address, when it does.
    notice: str = ""

    @rx.var
    def page_count(self) -> int:
        """Number of pages for the current filter, at least 1."""
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def page_label(self) -> str:
        """Page position, such as "Page 2 of 5"."""
        return f"Page {self.page + 1} of {max(1, -(-self.total // PAGE_SIZE))}"

    def _load(self) -> None:
        with session_scope() as session:
            outbox = services.list_outbox(
                session,
                status=self.status_filter,
                limit=PAGE_SIZE,
                offset=self.page * PAGE_SIZE,
            )
        self.mails = [_row(mail) for mail in outbox.data]
        self.counts = outbox.counts
        self.total = outbox.count

    @rx.event
    def load(self):
        """Load the list for the filter in the page's ?status= query."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        requested = self.router.url.query_parameters.get("status", "all")
        if isinstance(requested, list):
            requested = requested[0] if requested else "all"
        self.notice = ""
        if requested not in FILTERS:
            self.notice = (
                f"Unknown status {requested[:40]!r} in the address, so all mail is shown. "
                f"Use one of: {', '.join(FILTERS)}."
            )
            requested = "all"
        self.status_filter = requested
        self.page = 0
        self.error = ""
        self._load()
        return None

    @rx.event
    def show(self, status: str | list[str]):
        """Switch the list to mail in one status, or "all"."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if isinstance(status, list):
            status = status[0] if status else "all"
        self.status_filter = status if status in FILTERS else "all"
        self.notice = ""
        self.page = 0
        self._load()
        return None

    @rx.event
    def change_page(self, step: int):
        """Move `step` pages forward (or back, when negative)."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        last = max(0, -(-self.total // PAGE_SIZE) - 1)
        self.page = min(max(0, self.page + step), last)
        self._load()
        return None

    @rx.event
    def refresh(self):
        """Load the current page again."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self._load()
        return None

    @rx.event
    def retry(self, outbox_id: int):
        """Queue a dead mail again with a fresh set of attempts."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                services.retry_dead(session, outbox_id, by=f"admin {user.id}")
        except (NotFoundError, ValidationError) as exc:
            self.error = str(exc)
            self._load()
            return rx.toast.error(self.error)
        self.error = ""
        self._load()
        return rx.toast.success(f"Mail {outbox_id} is queued again.")
