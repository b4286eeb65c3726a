"""Review tables: one review per shopper and book, and the shoppers' helpful votes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow

# Limits of the review form, checked by the services before anything is written.
TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5_000
HIDE_REASON_MAX_LENGTH = 500


class Review(SQLModel, table=True):
    """A shopper's star rating of a book, with an optional title and text."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("book_id", "user_id", name="uq_review_book_user"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating_range"),
        CheckConstraint("helpful_count >= 0", name="ck_review_helpful_not_negative"),
        Index("ix_review_book_created", "book_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("book.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # Stars from 1 to 5.
    rating: int = Field(sa_column=Column(SmallInteger, nullable=False))
    # Plain text; the pages and mails show it as text, never as HTML.
    title: str = Field(
        default="", sa_column=Column(String(TITLE_MAX_LENGTH), nullable=False)
    )
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Shoppers who marked the review helpful; one review_vote row each.
    helpful_count: int = Field(default=0)
    # Set when an admin hides the review; hidden reviews leave the book's averages.
    hidden_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    hidden_reason: str | None = Field(
        default=None, sa_column=Column(String(HIDE_REASON_MAX_LENGTH))
    )
    hidden_by_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
        ),
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReviewVote(SQLModel, table=True):
    """A shopper's mark that a review helped; the key allows one per shopper."""

    __tablename__ = "review_vote"

    review_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("review.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("user_account.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
