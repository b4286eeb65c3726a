"""Email outbox: every mail is a row written in the transaction that causes it."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow


class EmailStatus(enum.StrEnum):
    """Delivery states of a queued mail."""

    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    DEAD = "dead"


class OutboxEmail(SQLModel, table=True):
    """A mail waiting for delivery, being delivered, or delivered."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # What caused the mail, such as "signup_confirmation" or "order_shipped".
    kind: str = Field(sa_column=Column(String(50), nullable=False))
    # Unique per event (for example "order:12:shipped"), so one event sends one mail.
    dedupe_key: str | None = Field(
        default=None, sa_column=Column(String(200), unique=True)
    )
    to_address: str = Field(sa_column=Column(String(320), nullable=False))
    subject: str = Field(sa_column=Column(String(300), nullable=False))
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(
        default=EmailStatus.PENDING.value, sa_column=Column(String(20), nullable=False)
    )
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Lease of the worker that claimed the row; expired leases are claimed again.
    locked_by: str | None = Field(default=None, sa_column=Column(String(100)))
    locked_until: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    # Sent to the provider with every attempt, so it can recognise a resend.
    operation_id: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        sa_column=Column(String(36), nullable=False, unique=True),
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
