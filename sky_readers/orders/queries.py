"""Read-side queries of orders: a shopper's history, one order, verified purchases."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from sky_readers.core.errors import NotFoundError
from sky_readers.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
)

# States in which the shopper has paid for, or received, the books.
PURCHASED_STATES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
# Orders per page of the history.
HISTORY_PAGE_SIZE = 20


@dataclasses.dataclass(frozen=True)
class OrderSummary:
    """One order in a history list."""

    order: Order
    item_count: int


@dataclasses.dataclass(frozen=True)
class OrderDetail:
    """An order with its lines, its history (oldest first) and its payment."""

    order: Order
    items: list[OrderItem]
    events: list[OrderEvent]
    payment: Payment | None


def has_purchased(session: Session, user_id: int, book_id: int) -> bool:
    """Tell whether a user bought a book: an order of it is paid, shipped or delivered.

    Cancelled, refunded and unpaid orders do not count. Reviews use it for their
    "verified purchase" badge.
    """
    found = session.exec(
        select(OrderItem.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.user_id == user_id)
        .where(OrderItem.book_id == book_id)
        .where(Order.status.in_([state.value for state in PURCHASED_STATES]))
        .limit(1)
    ).first()
    return found is not None


def list_orders(
    session: Session, user_id: int, *, limit: int = HISTORY_PAGE_SIZE, offset: int = 0
) -> list[OrderSummary]:
    """List a user's orders, newest first, with the number of copies in each."""
    copies = (
        select(OrderItem.order_id, func.sum(OrderItem.quantity).label("copies"))
        .group_by(OrderItem.order_id)
        .subquery()
    )
    rows = session.exec(
        select(Order, copies.c.copies)
        .join(copies, copies.c.order_id == Order.id, isouter=True)
        .where(Order.user_id == user_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        OrderSummary(order=order, item_count=int(count or 0)) for order, count in rows
    ]


def count_orders(session: Session, user_id: int) -> int:
    """Count a user's orders."""
    return session.exec(
        select(func.count()).select_from(Order).where(Order.user_id == user_id)
    ).one()


def get_order_detail(
    session: Session,
    *,
    order_id: int | None = None,
    number: str | None = None,
    user_id: int | None = None,
) -> OrderDetail:
    """Load one order by id or by number, with its lines, history and payment.

    Args:
        session: The caller's session.
        order_id: The order's id; or give `number`.
        number: The readable order number, in any letter case and with
            surrounding spaces, as people type it.
        user_id: When given, only an order of this user is found, so a shopper
            cannot tell other people's orders from missing ones.

    Raises:
        NotFoundError: No such order (for this user).
    """
    statement: Any = select(Order)
    if order_id is not None:
        statement = statement.where(Order.id == order_id)
    elif number and number.strip():
        # Numbers are stored in upper case, such as SRH-2026-000001.
        statement = statement.where(Order.number == number.strip().upper())
    else:
        raise NotFoundError("Order not found: give its id or number.")
    if user_id is not None:
        statement = statement.where(Order.user_id == user_id)
    order = session.exec(statement).first()
    if order is None:
        label = number if order_id is None else order_id
        raise NotFoundError(f"Order {label} not found.")

    items = session.exec(
        select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)
    ).all()
    events = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.created_at, OrderEvent.id)
    ).all()
    payment = session.exec(select(Payment).where(Payment.order_id == order.id)).first()
    return OrderDetail(
        order=order, items=list(items), events=list(events), payment=payment
    )
