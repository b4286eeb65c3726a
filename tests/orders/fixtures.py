"""Builders of shoppers, books and carts for the cart and order tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from sqlmodel import Session, select

from sky_readers.accounts.models import Role, User
from sky_readers.accounts.passwords import hash_password
from sky_readers.cart import services as cart_services
from sky_readers.cart.models import Cart
from sky_readers.catalog.models import Book
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order
from sky_readers.orders.payments import CardDetails
from sky_readers.outbox.models import OutboxEmail
from tests.catalog.builders import add_book

_numbers = itertools.count(1)

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Harbour Street",
    "line2": "Flat 3",
    "city": "Portland",
    "region": "ME",
    "postal_code": "04101",
    "country": "US",
}
VISA = CardDetails(number="4242 4242 4242 4242", expiry="12/39", cvc="123")
# Password of every user that add_shopper inserts.
SHOPPER_PASSWORD = "correct horse battery"


def add_shopper(
    session: Session, *, confirmed: bool = True, role: Role = Role.SHOPPER
) -> User:
    """Insert an active user with a unique address, confirmed unless told otherwise."""
    number = next(_numbers)
    user = User(
        email=f"shopper{number}@example.test",
        name=f"Shopper {number}",
        handle=f"shopper{number}",
        password_hash=hash_password(SHOPPER_PASSWORD),
        role=role.value,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def bearer_headers(client, user: User) -> dict[str, str]:
    """Log `user` in through POST /login and return its Authorization header."""
    response = client.post(
        "/login",
        data={"username": user.email, "password": SHOPPER_PASSWORD},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def add_stocked_book(
    session: Session, title: str = "Dune", *, price: str = "9.99", stock: int = 10
) -> Book:
    """Insert a book with a price and copies on hand."""
    return add_book(session, title, price=price, stock_on_hand=stock)


def cart_with(session: Session, user: User, *lines: tuple[Book, int]) -> Cart:
    """Put books in the user's cart and return the cart."""
    cart = cart_services.get_or_create_cart(session, user_id=user.id)
    for book, quantity in lines:
        cart_services.add_book(session, cart, book.id, quantity)
    session.flush()
    return cart


def stock_of(session: Session, book_id: int) -> int:
    """Read a book's stock from the database, past the session's identity map."""
    return session.exec(select(Book.stock_on_hand).where(Book.id == book_id)).one()


def order_count(session: Session) -> int:
    """Count the orders in the database."""
    return len(session.exec(select(Order.id)).all())


def outbox_kinds(session: Session) -> list[str]:
    """List the kinds of the queued mails, oldest first."""
    return list(session.exec(select(OutboxEmail.kind).order_by(OutboxEmail.id)).all())


def price(value: str) -> Decimal:
    """Write an amount as Decimal."""
    return Decimal(value)
