"""Builders of real orders for the admin order tests: checkout, then states and dates."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import update
from sqlmodel import Session

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.orders.checkout import place_order
from sky_readers.orders.models import Order, OrderEvent, OrderStatus
from sky_readers.orders.workflow import Actor, transition
from tests.orders.fixtures import (
    ADDRESS,
    VISA,
    add_shopper,
    add_stocked_book,
    cart_with,
)

_keys = itertools.count(1)
S = OrderStatus
# The states an order passes through to reach each state, after it is placed.
PATHS = {
    S.PENDING_PAYMENT: (),
    S.PAID: (),
    S.SHIPPED: (S.SHIPPED,),
    S.DELIVERED: (S.SHIPPED, S.DELIVERED),
    S.CANCELLED: (S.CANCELLED,),
    S.REFUNDED: (S.SHIPPED, S.DELIVERED, S.REFUNDED),
}


def shopper(session: Session, name: str | None = None, email: str | None = None):
    """Insert a confirmed shopper, optionally with a given name and address."""
    user = add_shopper(session)
    if name is not None:
        user.name = name
    if email is not None:
        user.email = email
    session.add(user)
    session.commit()
    return user


def book(session: Session, title: str, price: str = "10.99", stock: int = 50) -> Book:
    """Insert a book on sale and commit it."""
    found = add_stocked_book(session, title, price=price, stock=stock)
    session.commit()
    return found


def place(
    session: Session,
    user: User,
    lines: list[tuple[Book, int]],
    *,
    method: str = "test_card",
    address: dict | None = None,
) -> Order:
    """Check a cart out with the test card (or pay on delivery) and return the order."""
    cart = cart_with(session, user, *lines)
    session.commit()
    return place_order(
        session,
        user=user,
        cart_id=cart.id,
        payment_method=method,
        address=address or ADDRESS,
        card=VISA if method == "test_card" else None,
        idempotency_key=f"admin-orders-{next(_keys)}",
    ).order


def move_to(session: Session, order: Order, target: OrderStatus, admin: User) -> Order:
    """Take a card order through the workflow to a state, as an admin."""
    for step in PATHS[target]:
        transition(session, order.id, step, actor=Actor.admin(admin.id))
    session.commit()
    session.refresh(order)
    return order


def place_at(session: Session, order: Order, when: dt.datetime) -> None:
    """Move an order's placing time, and its history, to another moment."""
    session.execute(update(Order).where(Order.id == order.id).values(created_at=when))
    session.execute(
        update(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .values(created_at=when)
    )
    session.commit()
    session.refresh(order)
