"""Single-use tokens mailed in confirmation and password reset links."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlalchemy import update
from sqlmodel import Session, select

from sky_readers.accounts.models import EmailToken, TokenPurpose, User
from sky_readers.accounts.tokens import hash_secret, new_secret
from sky_readers.core.types import utcnow


class TokenState(enum.StrEnum):
    """State of a token presented in a link."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclasses.dataclass(frozen=True)
class FoundToken:
    """A token looked up by its secret, with its state and owner when known."""

    state: TokenState
    record: EmailToken | None = None
    user: User | None = None


def issue_token(
    session: Session,
    user: User,
    purpose: TokenPurpose,
    lifetime: dt.timedelta,
    *,
    now: dt.datetime | None = None,
) -> str:
    """Create a token for a user and void the user's earlier ones of that purpose.

    Returns:
        The secret for the link; only its hash is stored.

    """
    now = now or utcnow()
    session.exec(
        update(EmailToken)
        .where(EmailToken.user_id == user.id)
        .where(EmailToken.purpose == purpose.value)
        .where(EmailToken.used_at.is_(None))
        .where(EmailToken.voided_at.is_(None))
        .values(voided_at=now)
    )
    secret = new_secret()
    session.add(
        EmailToken(
            token_hash=hash_secret(secret),
            user_id=user.id,
            purpose=purpose.value,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return secret


def find_token(
    session: Session,
    secret: str | None,
    purpose: TokenPurpose,
    *,
    now: dt.datetime | None = None,
) -> FoundToken:
    """Look up a link's token and tell whether it may still be used.

    A voided token counts as invalid: a newer link replaced it.
    """
    secret = (secret or "").strip()
    if not secret or len(secret) > 200:
        return FoundToken(TokenState.INVALID)
    row = session.exec(
        select(EmailToken, User)
        .join(User, User.id == EmailToken.user_id)
        .where(EmailToken.token_hash == hash_secret(secret))
        .where(EmailToken.purpose == purpose.value)
    ).first()
    if row is None:
        return FoundToken(TokenState.INVALID)
    record, user = row
    now = now or utcnow()
    if record.used_at is not None:
        state = TokenState.USED
    elif record.voided_at is not None:
        state = TokenState.INVALID
    elif record.expires_at <= now:
        state = TokenState.EXPIRED
    else:
        state = TokenState.VALID
    return FoundToken(state, record, user)


def mark_used(session: Session, record: EmailToken) -> bool:
    """Use a token once; a concurrent second use finds it already used.

    Returns:
        Whether this call used the token.

    """
    result = session.exec(
        update(EmailToken)
        .where(EmailToken.id == record.id)
        .where(EmailToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return result.rowcount == 1
