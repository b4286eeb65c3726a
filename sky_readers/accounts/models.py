"""Account tables."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a user may do: shop, or also run the shop."""

    SHOPPER = "shopper"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """A registered shopper or admin."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Trimmed and lower-cased, so one address is one account.
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    # Lower-case login name; never equal to another user's email.
    handle: str | None = Field(default=None, sa_column=Column(String(100), unique=True))
    password_hash: str = Field(sa_column=Column(String(100), nullable=False))
    role: str = Field(
        default=Role.SHOPPER.value, sa_column=Column(String(20), nullable=False)
    )
    is_active: bool = Field(default=True)
    email_confirmed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    # Last password change; access tokens issued before it are rejected.
    password_changed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )


class TokenPurpose(enum.StrEnum):
    """What a mailed single-use token allows."""

    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"


def _user_id_column(*, index: bool = True) -> Column:
    return Column(
        Integer,
        ForeignKey("user_account.id", ondelete="CASCADE"),
        nullable=False,
        index=index,
    )


class AuthSession(SQLModel, table=True):
    """A browser login; the cookie holds the session id, the table only its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    # Hex SHA-256 of the random session id kept in the browser's cookie.
    id_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(sa_column=_user_id_column())
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Set by logout or a password change; a revoked session never works again.
    revoked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    # Updated at most once a minute while the session is used.
    last_seen_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Client address and browser at login, for the owner's own review.
    client_address: str = Field(
        default="", sa_column=Column(String(64), nullable=False)
    )
    user_agent: str = Field(default="", sa_column=Column(String(300), nullable=False))


class EmailToken(SQLModel, table=True):
    """A single-use link token mailed to a user, stored only as its SHA-256 hash."""

    __tablename__ = "email_token"
    __table_args__ = (Index("ix_email_token_user_purpose", "user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(sa_column=_user_id_column(index=False))
    purpose: str = Field(sa_column=Column(String(20), nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Set when a newer token of the same purpose replaces this one.
    voided_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class LoginAttempt(SQLModel, table=True):
    """One login attempt, counted by every worker process for the login limits."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account", "account_key", "attempted_at"),
        Index("ix_login_attempt_address", "client_address", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # "user:<id>" for an existing account, else the normalised email or handle typed.
    account_key: str = Field(sa_column=Column(String(320), nullable=False))
    client_address: str = Field(sa_column=Column(String(64), nullable=False))
    attempted_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    succeeded: bool = Field(default=False)
