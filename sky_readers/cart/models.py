"""Cart tables: one open cart per user or anonymous visitor, one line per book."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from sky_readers.core.types import Money, UTCDateTime, utcnow


class CartStatus(enum.StrEnum):
    """Life of a cart: open while shopping, then merged into another or ordered."""

    OPEN = "open"
    MERGED = "merged"
    ORDERED = "ordered"


# Partial-index condition shared by the model and migration 0005.
OPEN_CART_CONDITION = "status = 'open'"


class Cart(SQLModel, table=True):
    """A shopper's cart, owned by a user or by an anonymous cookie token."""

    __table_args__ = (
        # One open cart per user, so a race of two first adds cannot make two.
        Index(
            "uq_cart_open_user",
            "user_id",
            unique=True,
            sqlite_where=text(OPEN_CART_CONDITION),
            postgresql_where=text(OPEN_CART_CONDITION),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    # Random token of the visitor's cookie; only a hash would add nothing, since the
    # cart holds no secrets and the token grants access to the cart alone.
    anonymous_token: str | None = Field(
        default=None, sa_column=Column(String(64), unique=True)
    )
    status: str = Field(
        default=CartStatus.OPEN.value, sa_column=Column(String(20), nullable=False)
    )
    # Messages from merging a visitor's cart at login, one per line, shown once on
    # the cart page and then cleared.
    notice: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )


class CartItem(SQLModel, table=True):
    """One book in a cart, with the price the shopper saw when adding it."""

    __tablename__ = "cart_item"
    __table_args__ = (
        UniqueConstraint("cart_id", "book_id", name="uq_cart_item_cart_book"),
        CheckConstraint("quantity > 0", name="ck_cart_item_quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True, ondelete="CASCADE")
    book_id: int = Field(foreign_key="book.id", index=True)
    quantity: int
    # Unit price when the line was added, to show a price change before checkout.
    price_when_added: Decimal = Field(sa_column=Column(Money(), nullable=False))
    added_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
