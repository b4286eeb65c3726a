"""Email outbox: every mail is a row written in the transaction that causes it."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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


class AttemptOutcome(enum.StrEnum):
    """How one delivery attempt ended."""

    # Claimed and not finished yet, or its worker stopped before recording a result.
    SENDING = "sending"
    SENT = "sent"
    # Failed in a way that may pass later: 429, 5xx, timeout, refused connection.
    TRANSIENT_ERROR = "transient_error"
    # Failed for good: invalid address, or a 4xx answer other than 429.
    PERMANENT_ERROR = "permanent_error"
    # The worker's lease ran out before it recorded a result, so another took over.
    LEASE_EXPIRED = "lease_expired"


class OutboxAttempt(SQLModel, table=True):
    """One try at delivering an outbox mail, with its outcome and provider reply."""

    __tablename__ = "email_outbox_attempt"
    __table_args__ = (
        UniqueConstraint("outbox_id", "number", name="uq_email_outbox_attempt_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("email_outbox.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # 1 for the first attempt at this mail, 2 for the first retry, and so on.
    number: int = Field(sa_column=Column(Integer, nullable=False))
    # Identifier of the worker that made the attempt ("host:pid:suffix").
    worker_id: str = Field(sa_column=Column(String(100), nullable=False))
    backend: str = Field(sa_column=Column(String(20), nullable=False))
    started_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    finished_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    outcome: str = Field(
        default=AttemptOutcome.SENDING.value,
        sa_column=Column(String(20), nullable=False),
    )
    # The provider's id for the message: SMTP Message-ID or ACS operation id.
    provider_message_id: str | None = Field(default=None, sa_column=Column(String(300)))
    # The provider's error, such as "429 TooManyRequests: ..." or "timed out".
    error: str | None = Field(default=None, sa_column=Column(Text))
