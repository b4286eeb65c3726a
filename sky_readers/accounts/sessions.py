"""Server-side browser sessions: the cookie carries a random id, the table its hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random

from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from sky_readers.accounts.models import AuthSession, User
from sky_readers.accounts.tokens import hash_secret, new_secret
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

# last_seen_at is written at most this often, so reading pages does not write each time.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
# About one new session in this many also deletes sessions that ended this long ago,
# so the table stays small without a scheduled job.
PRUNE_EVERY_SESSIONS = 200
ENDED_SESSION_RETENTION = dt.timedelta(days=30)


@dataclasses.dataclass(frozen=True)
class NewSession:
    """A session just created: the id for the cookie and the stored row."""

    session_id: str
    record: AuthSession


def create_session(
    session: Session,
    user: User,
    *,
    client_address: str = "",
    user_agent: str = "",
    now: dt.datetime | None = None,
) -> NewSession:
    """Start a browser session for a user; the caller commits.

    Returns:
        The new session id, to be sent only in the cookie, and its row.

    """
    now = now or utcnow()
    session_id = new_secret()
    record = AuthSession(
        id_hash=hash_secret(session_id),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=get_settings().session_lifetime_seconds),
        client_address=client_address[:64],
        user_agent=user_agent[:300],
    )
    session.add(record)
    session.flush()
    logger.info("session started", extra={"user_id": user.id})
    if random.randrange(PRUNE_EVERY_SESSIONS) == 0:
        deleted = prune_ended_sessions(session, now=now)
        logger.info("pruned %d ended sessions", deleted)
    return NewSession(session_id=session_id, record=record)


def prune_ended_sessions(session: Session, *, now: dt.datetime | None = None) -> int:
    """Delete sessions that expired or were revoked over 30 days ago.

    Returns:
        The number of sessions deleted.

    """
    cutoff = (now or utcnow()) - ENDED_SESSION_RETENTION
    result = session.exec(
        delete(AuthSession).where(
            or_(AuthSession.expires_at < cutoff, AuthSession.revoked_at < cutoff)
        )
    )
    return result.rowcount


def find_session(
    session: Session, session_id: str | None, *, now: dt.datetime | None = None
) -> tuple[AuthSession, User] | None:
    """Find the live session of a cookie value and its active user.

    Updates last_seen_at when it is older than a minute; the caller commits.

    Returns:
        The session row and the user, or None for an unknown, expired or revoked
        session or an inactive user.

    """
    if not session_id:
        return None
    now = now or utcnow()
    row = session.exec(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.id_hash == hash_secret(session_id))
    ).first()
    if row is None:
        return None
    record, user = row
    if record.revoked_at is not None or record.expires_at <= now or not user.is_active:
        return None
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        session.add(record)
    return record, user


def revoke_session(session: Session, session_id: str | None) -> bool:
    """End the session of a cookie value, as logout does; the caller commits.

    Returns:
        Whether a live session was ended.

    """
    if not session_id:
        return False
    result = session.exec(
        update(AuthSession)
        .where(AuthSession.id_hash == hash_secret(session_id))
        .where(AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount > 0


def revoke_user_sessions(
    session: Session, user_id: int, *, keep_session_id: str | None = None
) -> int:
    """End every live session of a user except, optionally, the current one.

    Args:
        session: The caller's transaction.
        user_id: Whose sessions end.
        keep_session_id: Cookie value of the session that stays live.

    Returns:
        The number of sessions ended.

    """
    statement = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id)
        .where(AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep_session_id:
        statement = statement.where(AuthSession.id_hash != hash_secret(keep_session_id))
    ended = session.exec(statement).rowcount
    logger.info("ended %d other sessions", ended, extra={"user_id": user_id})
    return ended
