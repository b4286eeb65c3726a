"""Whether a shopper bought a book: the rule behind the "verified purchase" badge.

A purchase counts once its order is paid, and still counts after shipping and
delivery. Pending, cancelled and refunded orders do not count.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from sky_readers.orders.models import Order, OrderItem, OrderStatus

VERIFIED_ORDER_STATUSES = (
    OrderStatus.PAID.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
)


def bought_condition(user_id, book_id) -> ColumnElement[bool]:
    """Build an EXISTS condition: the user has a counted order line of the book.

    Args:
        user_id: Column or value of the shopper's id.
        book_id: Column or value of the book's id.
    """
    return exists(
        select(OrderItem.id)
        .join(Order, col(Order.id) == col(OrderItem.order_id))
        .where(
            col(Order.user_id) == user_id,
            col(OrderItem.book_id) == book_id,
            col(Order.status).in_(VERIFIED_ORDER_STATUSES),
        )
    )


def has_bought(session: Session, user_id: int, book_id: int) -> bool:
    """Tell whether a shopper has a paid, shipped or delivered order of a book."""
    return bool(session.execute(select(bought_condition(user_id, book_id))).scalar())


def bought_book_ids(session: Session, user_id: int) -> set[int]:
    """List the ids of every book a shopper has bought, as the badge counts them."""
    statement = (
        select(col(OrderItem.book_id))
        .join(Order, col(Order.id) == col(OrderItem.order_id))
        .where(
            col(Order.user_id) == user_id,
            col(Order.status).in_(VERIFIED_ORDER_STATUSES),
        )
        .distinct()
    )
    return set(session.execute(statement).scalars())
