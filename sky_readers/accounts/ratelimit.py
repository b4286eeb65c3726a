"""Login limits per account and per client address, shared by every worker process."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func
from sqlmodel import Session, select

from sky_readers.accounts.errors import LoginThrottledError
from sky_readers.accounts.models import LoginAttempt, User
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

# One recorded attempt in this many (by row id) also deletes the attempts that no
# limit reads any more, so the table stays small without a scheduled job.
PRUNE_EVERY_ATTEMPTS = 200
# Attempts are kept at least this long, and at least one limit window.
ATTEMPT_RETENTION = dt.timedelta(days=1)


def account_key_for(user: User | None, login_name: str) -> str:
    """Return the key under which the login limits count attempts for one account.

    Attempts on an existing account count under its id, so its email address and its
    handle share one limit. A name without an account counts under the name typed.
    """
    if user is not None and user.id is not None:
        return f"user:{user.id}"
    return login_name


def _failures_since(
    session: Session, column, value: str, since: dt.datetime, limit: int
) -> list[dt.datetime]:
    # The newest `limit` failures in the window, newest first.
    return list(
        session.exec(
            select(LoginAttempt.attempted_at)
            .where(column == value)
            .where(LoginAttempt.succeeded.is_(False))
            .where(LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(limit)
        ).all()
    )


def _last_success(session: Session, account_key: str) -> dt.datetime | None:
    return session.exec(
        select(func.max(LoginAttempt.attempted_at))
        .where(LoginAttempt.account_key == account_key)
        .where(LoginAttempt.succeeded.is_(True))
    ).one()


def check_login_allowed(
    session: Session,
    *,
    account_key: str,
    client_address: str,
    now: dt.datetime | None = None,
) -> None:
    """Raise when the account or the address has used up its failed logins.

    An account allows LOGIN_MAX_FAILURES_PER_ACCOUNT failures since its last success
    within LOGIN_FAILURE_WINDOW_SECONDS; an address allows
    LOGIN_MAX_FAILURES_PER_ADDRESS failures within the window, whatever succeeds. The
    wait ends when the oldest of the counted failures leaves the window.

    NOTE: The count and the next attempt's record are separate statements, so
    simultaneous requests in several workers can each pass with the last free
    attempt; the overshoot is at most one attempt per worker.

    Raises:
        LoginThrottledError: With the seconds until the next attempt is allowed.

    """
    settings = get_settings()
    now = now or utcnow()
    window = dt.timedelta(seconds=settings.login_failure_window_seconds)
    waits = []

    since = now - window
    last_success = _last_success(session, account_key)
    account_since = max(since, last_success) if last_success else since
    limits = (
        (
            LoginAttempt.account_key,
            account_key,
            account_since,
            settings.login_max_failures_per_account,
        ),
        (
            LoginAttempt.client_address,
            client_address,
            since,
            settings.login_max_failures_per_address,
        ),
    )
    for column, value, start, limit in limits:
        failures = _failures_since(session, column, value, start, limit)
        if len(failures) >= limit:
            waits.append((failures[-1] + window - now).total_seconds())

    if waits:
        wait = int(max(waits) + 0.999)
        logger.warning(
            "login throttled for %s from %s for %d s", account_key, client_address, wait
        )
        raise LoginThrottledError(wait)


def record_login_attempt(
    session: Session,
    *,
    account_key: str,
    client_address: str,
    succeeded: bool,
    now: dt.datetime | None = None,
) -> None:
    """Add one attempt to the counts; the caller commits.

    The attempt whose row id is a multiple of PRUNE_EVERY_ATTEMPTS also deletes
    attempts older than a day.
    """
    attempt = LoginAttempt(
        account_key=account_key[:320],
        client_address=client_address[:64],
        succeeded=succeeded,
        attempted_at=now or utcnow(),
    )
    session.add(attempt)
    session.flush()
    if attempt.id % PRUNE_EVERY_ATTEMPTS == 0:
        window = dt.timedelta(seconds=get_settings().login_failure_window_seconds)
        deleted = prune_login_attempts(
            session, older_than=max(ATTEMPT_RETENTION, window)
        )
        logger.info("pruned %d old login attempts", deleted)


def clear_account_failures(session: Session, user: User) -> None:
    """Lift the account limit of a user who has just reset the password by mail.

    The limit counts failures since the account's last success, so a success row
    (with no client address) ends the wait. Limits per client address stay.
    """
    record_login_attempt(
        session,
        account_key=account_key_for(user, user.email),
        client_address="",
        succeeded=True,
    )


def prune_login_attempts(session: Session, *, older_than: dt.timedelta) -> int:
    """Delete attempts older than a period that no limit looks at any more.

    Returns:
        The number of rows deleted.

    """
    cutoff = utcnow() - older_than
    result = session.exec(
        delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff)
    )
    return result.rowcount
