"""Wishlist tables: the books each shopper wants, and the stock watch of those books."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow


class WishlistItem(SQLModel, table=True):
    """One book on a shopper's wishlist."""

    __tablename__ = "wishlist_item"
    __table_args__ = (
        UniqueConstraint("user_id", "book_id", name="uq_wishlist_item_user_book"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
        )
    )
    book_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("book.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # Whether the shopper wants a mail when the book is back in stock.
    notify_restock: bool = Field(default=True)
    added_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class RestockWatch(SQLModel, table=True):
    """Stock state of a wished-for book, as the back-in-stock sweep last recorded it.

    A book is sold out from `sold_out_since` until a sweep finds copies again; that
    sweep counts one restock and mails the shoppers who wish for the book.
    """

    __tablename__ = "restock_watch"

    book_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("book.id", ondelete="CASCADE"), primary_key=True
        )
    )
    sold_out_since: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
    # Restocks seen so far; part of each notice's dedupe key.
    restock_count: int = Field(default=0)
    last_restocked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime())
    )
