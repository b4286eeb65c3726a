"""Concurrent checkouts: no copy oversold, one order per checkout, no partial order.

Each test runs real threads, each with its own session and connection, released
together by a barrier. On PostgreSQL they contend for row locks; on SQLite the
database lock serialises them, which must give the same results.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from sky_readers.accounts.models import User
from sky_readers.orders.checkout import place_order
from sky_readers.orders.errors import OutOfStockError
from sky_readers.orders.models import Order
from sky_readers.orders.payments import use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway
from tests.orders.fixtures import (
    ADDRESS,
    VISA,
    add_shopper,
    add_stocked_book,
    cart_with,
    order_count,
    outbox_kinds,
    stock_of,
)

# Seconds a thread waits at the barrier before the test fails.
BARRIER_TIMEOUT = 60


@pytest.fixture
def gateway():
    with use_gateway(TestCardGateway()) as test_gateway:
        yield test_gateway


def _run_together(count: int, work) -> list:
    """Run work(i) in `count` threads released at once; return results or errors."""
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT)

    def call(index: int):
        barrier.wait()
        try:
            return work(index)
        except Exception as exc:  # noqa: BLE001 (the test inspects every outcome)
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def _checkout(engine, user_id: int, cart_id: int, key: str):
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user_id)
        return place_order(
            session,
            user=user,
            cart_id=cart_id,
            payment_method="test_card",
            address=ADDRESS,
            card=VISA,
            idempotency_key=key,
        )


def test_fifty_buyers_ten_copies(engine, session, gateway):
    book = add_stocked_book(session, stock=10)
    buyers = []
    for _ in range(50):
        user = add_shopper(session)
        buyers.append((user.id, cart_with(session, user, (book, 1)).id))
    session.commit()

    results = _run_together(
        50,
        lambda i: _checkout(engine, buyers[i][0], buyers[i][1], f"buyer-key-{i:04d}"),
    )

    kinds = Counter(type(result).__name__ for result in results)
    assert kinds == {"PlacedOrder": 10, "OutOfStockError": 40}, results
    assert all(
        "'Dune' is sold out" in str(r)
        for r in results
        if isinstance(r, OutOfStockError)
    )
    assert stock_of(session, book.id) == 0
    assert order_count(session) == 10
    assert gateway.charge_count == 10
    assert outbox_kinds(session) == ["order_placed"] * 10


def test_twenty_submissions_one_order(engine, session, gateway):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=10)
    cart = cart_with(session, user, (book, 2))
    session.commit()

    results = _run_together(
        20, lambda _i: _checkout(engine, user.id, cart.id, "one-checkout-key")
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert len({r.order.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert order_count(session) == 1
    assert stock_of(session, book.id) == 8
    assert gateway.charge_count == 1
    assert outbox_kinds(session) == ["order_placed"]


def test_two_tabs_one_order(engine, session, gateway):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=10)
    cart = cart_with(session, user, (book, 1))
    session.commit()

    results = _run_together(
        10, lambda i: _checkout(engine, user.id, cart.id, f"tab-key-{i:04d}")
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.order.id for r in results}) == 1
    assert stock_of(session, book.id) == 9
    assert gateway.charge_count == 1


def test_buyers_of_overlapping_books_never_deadlock(engine, session, gateway):
    books = [add_stocked_book(session, f"Book {n}", stock=100) for n in range(4)]
    buyers = []
    for index in range(24):
        user = add_shopper(session)
        # Each cart holds three of the four books, added in a different order.
        chosen = [books[(index + k) % 4] for k in range(3)]
        buyers.append((user.id, cart_with(session, user, *[(b, 1) for b in chosen]).id))
    session.commit()

    results = _run_together(
        24, lambda i: _checkout(engine, buyers[i][0], buyers[i][1], f"mix-key-{i:04d}")
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(stock_of(session, b.id) for b in books) == 400 - 24 * 3
    ordered = session.exec(select(Order.id)).all()
    assert len(ordered) == 24
