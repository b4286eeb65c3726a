"""Access tokens (JWT, HS256) for API clients, and hashing of random link secrets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import jwt

from sky_readers.accounts.errors import AuthenticationError
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")
# User ids are positive and fit the 32-bit INTEGER primary key of user_account.
MAX_USER_ID = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class AccessToken:
    """A signed JWT and its lifetime in seconds."""

    token: str
    expires_in: int
    token_type: str = "bearer"


@dataclasses.dataclass(frozen=True)
class AccessClaims:
    """The checked claims of a decoded access token."""

    user_id: int
    issued_at: dt.datetime
    expires_at: dt.datetime


def new_secret() -> str:
    """Return a new random URL-safe secret of 256 bits for a link or a session id."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 of a secret, the only form in which it is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_access_token(user_id: int, *, now: dt.datetime | None = None) -> AccessToken:
    """Sign an access token for a user with the configured lifetime.

    Args:
        user_id: Id of the user the token identifies (the `sub` claim).
        now: Issue time; the current time by default.

    Returns:
        The token and its lifetime.

    """
    settings = get_settings()
    issued = now or utcnow()
    lifetime = settings.jwt_lifetime_seconds
    claims = {
        "sub": str(user_id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(issued.timestamp()),
        "exp": int(issued.timestamp()) + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return AccessToken(token=token, expires_in=lifetime)


def decode_access_token(token: str) -> AccessClaims:
    """Check an access token's signature and claims.

    Only HS256 with SECRET_KEY is accepted; `exp`, `iat`, `sub`, `iss` and `aud` must
    all be present, and `iss` and `aud` must be the configured values.

    Raises:
        AuthenticationError: The token is malformed, signed otherwise, expired or
            lacks a claim.

    """
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        user_id = _user_id_from_subject(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        msg = "The access token has expired: log in again for a new one."
        raise AuthenticationError(msg) from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        msg = f"The access token is invalid ({exc}): log in again for a new one."
        raise AuthenticationError(msg) from exc
    return AccessClaims(
        user_id=user_id,
        issued_at=dt.datetime.fromtimestamp(claims["iat"], dt.UTC),
        expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
    )


def _user_id_from_subject(subject: str) -> int:
    # PyJWT has already checked that `sub` is a string.
    if not subject.isascii() or not subject.isdigit() or subject.startswith("0"):
        msg = f"subject {subject[:40]!r} is not a user id"
        raise ValueError(msg)
    user_id = int(subject)
    if user_id > MAX_USER_ID:
        msg = f"subject {subject[:40]!r} is out of the range of user ids"
        raise ValueError(msg)
    return user_id
