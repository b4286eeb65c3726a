"""Account tables."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, String
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
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )
