"""Admin actions on the outbox: list mail by state with its attempts, counts, retry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow
from sky_readers.outbox.models import EmailStatus, OutboxAttempt, OutboxEmail

logger = logging.getLogger(__name__)

# Most mails one page of the admin list shows.
MAX_PAGE_SIZE = 200
# Largest outbox id and list offset. The id column is a 32-bit INTEGER on PostgreSQL,
# and an integer past 64 bits makes the SQLite and PostgreSQL drivers raise.
MAX_OUTBOX_ID = 2**31 - 1
MAX_OFFSET = 2**31 - 1


class OutboxAttemptPublic(SQLModel):
    """One delivery attempt as the admin view shows it."""

    number: int
    worker_id: str
    backend: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    provider_message_id: str | None
    error: str | None


class OutboxEmailPublic(SQLModel):
    """An outbox mail without its bodies, which may carry sign-in or reset links."""

    id: int
    kind: str
    to_address: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    locked_by: str | None
    locked_until: dt.datetime | None
    operation_id: str
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attempt_log: list[OutboxAttemptPublic] = []


class OutboxPage(SQLModel):
    """One page of the outbox list and the number of mails matching the filter."""

    data: list[OutboxEmailPublic]
    count: int
    counts: dict[str, int]


@dataclasses.dataclass(frozen=True)
class StatusFilter:
    """Which statuses a list shows; "pending" also covers mails being sent now."""

    statuses: tuple[str, ...]

    @classmethod
    def parse(cls, status: str | None) -> StatusFilter:
        """Read a filter from a status name, or from None or "all" for every mail.

        Raises:
            ValidationError: The name is not a status.
        """
        if status is None or status in ("", "all"):
            return cls(tuple(s.value for s in EmailStatus))
        names = [s.value for s in EmailStatus]
        if status not in names:
            msg = f"unknown status {status!r}: use all, {', '.join(names)}"
            raise ValidationError({"status": msg})
        if status == EmailStatus.PENDING.value:
            return cls((EmailStatus.PENDING.value, EmailStatus.SENDING.value))
        return cls((status,))


def count_by_status(session: Session) -> dict[str, int]:
    """Count outbox mails in each status, every status present (zero when none)."""
    rows = session.exec(
        select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    ).all()
    counts = {status.value: 0 for status in EmailStatus}
    for status, number in rows:
        counts[status] = number
    return counts


def _to_public(email: OutboxEmail, attempts: list[OutboxAttempt]) -> OutboxEmailPublic:
    public = OutboxEmailPublic.model_validate(email, from_attributes=True)
    public.attempt_log = [
        OutboxAttemptPublic.model_validate(a, from_attributes=True) for a in attempts
    ]
    return public


def list_outbox(
    session: Session,
    *,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OutboxPage:
    """List outbox mails, newest first, each with its attempts.

    Args:
        session: Open session.
        status: "pending" (with mails being sent), "sent", "retrying", "dead",
            "sending", or None or "all" for every mail.
        limit: Most mails to return, 1 to MAX_PAGE_SIZE.
        offset: Mails to skip, for paging.

    Returns:
        The page, the number of matching mails and the counts per status.

    Raises:
        ValidationError: The status is unknown or the limit or offset is out of
            range.
    """
    wanted = StatusFilter.parse(status)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        msg = f"must be between 1 and {MAX_PAGE_SIZE}, not {limit}"
        raise ValidationError({"limit": msg})
    if not 0 <= offset <= MAX_OFFSET:
        msg = f"must be between 0 and {MAX_OFFSET}, not {offset}"
        raise ValidationError({"offset": msg})

    condition = OutboxEmail.status.in_(wanted.statuses)
    total = session.exec(
        select(func.count()).select_from(OutboxEmail).where(condition)
    ).one()
    emails = session.exec(
        select(OutboxEmail)
        .where(condition)
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    attempts_by_email: dict[int, list[OutboxAttempt]] = {e.id: [] for e in emails}
    if emails:
        for attempt in session.exec(
            select(OutboxAttempt)
            .where(OutboxAttempt.outbox_id.in_(list(attempts_by_email)))
            .order_by(OutboxAttempt.outbox_id, OutboxAttempt.number)
        ).all():
            attempts_by_email[attempt.outbox_id].append(attempt)
    return OutboxPage(
        data=[_to_public(e, attempts_by_email[e.id]) for e in emails],
        count=total,
        counts=count_by_status(session),
    )


def _check_id(outbox_id: int) -> None:
    # An id the column cannot hold would fail in the driver instead.
    if not 1 <= outbox_id <= MAX_OUTBOX_ID:
        raise NotFoundError(f"outbox mail {outbox_id} not found")


def get_outbox_email(session: Session, outbox_id: int) -> OutboxEmailPublic:
    """Return one outbox mail with its attempts.

    Raises:
        NotFoundError: No mail has this id.
    """
    _check_id(outbox_id)
    email = session.get(OutboxEmail, outbox_id)
    if email is None:
        raise NotFoundError(f"outbox mail {outbox_id} not found")
    attempts = session.exec(
        select(OutboxAttempt)
        .where(OutboxAttempt.outbox_id == outbox_id)
        .order_by(OutboxAttempt.number)
    ).all()
    return _to_public(email, list(attempts))


def retry_dead(session: Session, outbox_id: int, *, by: str = "admin") -> OutboxEmail:
    """Queue a dead mail again with a fresh set of attempts; the caller commits.

    Its earlier attempts stay in the log, and its operation id stays the same, so
    ACS can recognise a mail it already accepted.

    Args:
        session: Open session.
        outbox_id: Id of the dead mail.
        by: Who asked, for the log.

    Returns:
        The mail, now pending and due at once.

    Raises:
        NotFoundError: No mail has this id.
        ValidationError: The mail is not dead.
    """
    _check_id(outbox_id)
    query = select(OutboxEmail).where(OutboxEmail.id == outbox_id)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    email = session.exec(query).first()
    if email is None:
        raise NotFoundError(f"outbox mail {outbox_id} not found")
    if email.status != EmailStatus.DEAD.value:
        msg = f"only dead mail can be retried; mail {outbox_id} is {email.status}"
        raise ValidationError({"status": msg})
    email.status = EmailStatus.PENDING.value
    email.attempts = 0
    email.next_attempt_at = utcnow()
    email.locked_by = email.locked_until = None
    session.add(email)
    session.flush()
    logger.info(
        "Mail %s queued again by %s after it died: %s",
        outbox_id,
        by,
        email.last_error,
        extra={"outbox_id": outbox_id},
    )
    return email
