"""Tables of catalog administration: the stock change log and old category slugs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from sky_readers.core.types import UTCDateTime, utcnow


class StockChange(SQLModel, table=True):
    """One change of a book's stock by an admin: who, when, from what, to what."""

    __tablename__ = "stock_change"
    __table_args__ = (Index("ix_stock_change_book_time", "book_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("book.id", ondelete="CASCADE"), nullable=False
        )
    )
    # The admin who made the change; None once that account is deleted.
    changed_by_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True
        ),
    )
    # The admin's email at the time, kept when the account is gone.
    changed_by_email: str = Field(sa_column=Column(String(320), nullable=False))
    old_stock: int
    new_stock: int
    # Why the stock changed, as the admin typed it or the action that changed it.
    reason: str = Field(default="", sa_column=Column(String(200), nullable=False))
    changed_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class CategoryRedirect(SQLModel, table=True):
    """A former slug of a category, so links to /categories/<old slug> still work.

    Renaming a category records its old slug here, and merging records the merged
    category's slugs as pointing to the category that absorbed it.
    """

    __tablename__ = "category_redirect"

    old_slug: str = Field(sa_column=Column(String(140), primary_key=True))
    category_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("category.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
