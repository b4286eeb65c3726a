"""Builders of shoppers, orders and reviews for the review, wishlist and recommendation tests."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal

from sqlmodel import Session

from sky_readers.accounts.models import Role, User
from sky_readers.catalog.models import Book
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order, OrderItem, OrderStatus

_order_numbers = itertools.count(1)


def add_user(
    session: Session,
    name: str = "Reader",
    *,
    role: Role = Role.SHOPPER,
    confirmed: bool = True,
    active: bool = True,
) -> User:
    """Insert a user with a unique address; the password hash is never checked."""
    user = User(
        email=f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.test",
        name=name,
        password_hash="not-a-real-hash",
        role=role.value,
        is_active=active,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def add_order(
    session: Session,
    user: User,
    books: list[Book],
    status: OrderStatus = OrderStatus.PAID,
) -> Order:
    """Insert an order of one copy of each book, in the given state."""
    subtotal = sum((book.price for book in books), Decimal("0.00"))
    order = Order(
        number=f"SRH-TEST-{next(_order_numbers):06d}-{uuid.uuid4().hex[:6]}",
        user_id=user.id,
        status=status.value,
        payment_method="test",
        subtotal=subtotal,
        shipping=Decimal("0.00"),
        tax=Decimal("0.00"),
        total=subtotal,
        ship_name=user.name,
        ship_line1="1 Test Street",
        ship_city="Testville",
        ship_postal_code="12345",
        ship_country="US",
    )
    session.add(order)
    session.flush()
    for book in books:
        session.add(
            OrderItem(
                order_id=order.id,
                book_id=book.id,
                title=book.title,
                unit_price=book.price,
                quantity=1,
                line_total=book.price,
            )
        )
    session.flush()
    return order
