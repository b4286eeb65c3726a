"""Order tables; titles and prices are copied so later catalog edits leave orders alone."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sky_readers.core.types import Money, UTCDateTime, utcnow


class OrderStatus(enum.StrEnum):
    """States of an order."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Order(SQLModel, table=True):
    """A placed order with its totals, fixed when it was placed."""

    __tablename__ = "customer_order"

    id: int | None = Field(default=None, primary_key=True)
    # Readable order number shown to the shopper, such as "SRH-2026-000123".
    number: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    user_id: int = Field(foreign_key="user_account.id", index=True)
    # One order per cart and per checkout attempt, so repeated submits find the first.
    cart_id: int | None = Field(default=None, foreign_key="cart.id", unique=True)
    idempotency_key: str | None = Field(
        default=None, sa_column=Column(String(100), unique=True)
    )
    status: str = Field(
        default=OrderStatus.PENDING_PAYMENT.value,
        sa_column=Column(String(30), nullable=False, index=True),
    )
    payment_method: str = Field(sa_column=Column(String(30), nullable=False))
    currency: str = Field(default="USD", sa_column=Column(String(3), nullable=False))
    subtotal: Decimal = Field(sa_column=Column(Money(), nullable=False))
    shipping: Decimal = Field(sa_column=Column(Money(), nullable=False))
    tax: Decimal = Field(sa_column=Column(Money(), nullable=False))
    total: Decimal = Field(sa_column=Column(Money(), nullable=False))
    ship_name: str = Field(sa_column=Column(String(200), nullable=False))
    ship_line1: str = Field(sa_column=Column(String(200), nullable=False))
    ship_line2: str = Field(default="", sa_column=Column(String(200), nullable=False))
    ship_city: str = Field(sa_column=Column(String(100), nullable=False))
    # State, province or county; empty where the country's addresses have none.
    ship_region: str = Field(
        default="", sa_column=Column(String(100), nullable=False, server_default="")
    )
    ship_postal_code: str = Field(sa_column=Column(String(20), nullable=False))
    ship_country: str = Field(sa_column=Column(String(2), nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, index=True),
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )


class OrderItem(SQLModel, table=True):
    """One line of an order: the book, its title and unit price at order time."""

    __tablename__ = "order_item"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_order_item_quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        foreign_key="customer_order.id", index=True, ondelete="CASCADE"
    )
    book_id: int = Field(foreign_key="book.id", index=True)
    title: str = Field(sa_column=Column(String(500), nullable=False))
    unit_price: Decimal = Field(sa_column=Column(Money(), nullable=False))
    quantity: int
    line_total: Decimal = Field(sa_column=Column(Money(), nullable=False))


class OrderEvent(SQLModel, table=True):
    """One change of an order's state: when, from which state, and who made it.

    The transitions form no cycle, so an order enters each state at most once, and
    the unique constraint makes a second, concurrent change to the same state fail.
    """

    __tablename__ = "order_event"
    __table_args__ = (
        UniqueConstraint("order_id", "to_status", name="uq_order_event_order_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        foreign_key="customer_order.id", index=True, ondelete="CASCADE"
    )
    # None for the event that placed the order.
    from_status: str | None = Field(default=None, sa_column=Column(String(30)))
    to_status: str = Field(sa_column=Column(String(30), nullable=False))
    # "shopper", "admin" or "system".
    actor_kind: str = Field(sa_column=Column(String(20), nullable=False))
    # The user who acted; None for the system.
    actor_user_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class PaymentStatus(enum.StrEnum):
    """States of an order's payment."""

    # Pay on delivery: the courier collects the money.
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    # The order was cancelled before any money was taken.
    VOIDED = "voided"


class Payment(SQLModel, table=True):
    """Payment of an order. Of a card, only the brand and the last four digits are kept."""

    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_payment_amount_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        foreign_key="customer_order.id", unique=True, ondelete="CASCADE"
    )
    # Gateway name, as in Order.payment_method.
    method: str = Field(sa_column=Column(String(30), nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    # The gateway's id of the charge.
    reference: str = Field(sa_column=Column(String(100), nullable=False))
    card_brand: str = Field(default="", sa_column=Column(String(20), nullable=False))
    card_last4: str = Field(default="", sa_column=Column(String(4), nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )


class SavedAddress(SQLModel, table=True):
    """The shipping address a user last ordered to, offered at the next checkout."""

    __tablename__ = "saved_address"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True, ondelete="CASCADE")
    name: str = Field(sa_column=Column(String(200), nullable=False))
    line1: str = Field(sa_column=Column(String(200), nullable=False))
    line2: str = Field(default="", sa_column=Column(String(200), nullable=False))
    city: str = Field(sa_column=Column(String(100), nullable=False))
    region: str = Field(default="", sa_column=Column(String(100), nullable=False))
    postal_code: str = Field(sa_column=Column(String(20), nullable=False))
    # ISO 3166-1 alpha-2 code.
    country: str = Field(sa_column=Column(String(2), nullable=False))
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )
