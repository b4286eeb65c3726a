"""Dashboard figures from orders, order lines, books and the outbox."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sky_readers.admin.dashboard import load_dashboard
from sky_readers.orders.models import Order, OrderItem
from tests.admin.fixtures import make_shopper
from tests.catalog.builders import add_book

TODAY = dt.date(2026, 12, 4)
_numbers = itertools.count(1)


def _order(session, user, status, total, when, lines=()):
    order = Order(
        number=f"SRH-2026-{next(_numbers):06d}",
        user_id=user.id,
        status=status,
        payment_method="card",
        subtotal=Decimal(total),
        shipping=Decimal("0"),
        tax=Decimal("0"),
        total=Decimal(total),
        ship_name="Sam",
        ship_line1="1 Road",
        ship_city="Town",
        ship_postal_code="1",
        ship_country="US",
        created_at=when,
    )
    session.add(order)
    session.flush()
    for book, quantity, price in lines:
        session.add(
            OrderItem(
                order_id=order.id,
                book_id=book.id,
                title=book.title,
                unit_price=Decimal(price),
                quantity=quantity,
                line_total=Decimal(price) * quantity,
            )
        )
    session.flush()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def test_dashboard_counts_sales_per_day(session):
    user = make_shopper(session)
    dune = add_book(session, "Dune", stock_on_hand=3)
    emma = add_book(session, "Emma", stock_on_hand=40)
    add_book(session, "Archived", stock_on_hand=0, is_archived=True)
    yesterday = TODAY - dt.timedelta(days=1)
    _order(session, user, "paid", "20.00", _at(TODAY, 9), [(dune, 2, "10.00")])
    _order(session, user, "delivered", "5.50", _at(TODAY, 23), [(emma, 1, "5.50")])
    _order(session, user, "cancelled", "99.00", _at(TODAY, 10), [(emma, 9, "11.00")])
    _order(session, user, "shipped", "30.00", _at(yesterday, 0), [(dune, 3, "10.00")])
    _order(session, user, "pending_payment", "7.00", _at(yesterday, 12))
    # Outside the 30 days, but counted in states and best sellers.
    _order(
        session, user, "paid", "1.00", _at(TODAY - dt.timedelta(days=40), 1),
        [(emma, 1, "1.00")],
    )  # fmt: skip
    session.commit()

    figures = load_dashboard(session, currency="USD", today=TODAY)

    assert len(figures.sales) == 30
    assert figures.sales[0].day == TODAY - dt.timedelta(days=29)
    last, before = figures.sales[-1], figures.sales[-2]
    assert (last.day, last.orders, last.paid_orders) == (TODAY, 3, 2)
    assert last.revenue == Decimal("25.50")
    assert (before.orders, before.paid_orders, before.revenue) == (
        2,
        1,
        Decimal("30.00"),
    )
    assert figures.sales[0].revenue == Decimal("0.00")
    assert figures.revenue_total == Decimal("55.50")
    assert figures.orders_total == 5
    assert figures.orders_by_status["paid"] == 2
    assert figures.orders_by_status["cancelled"] == 1
    assert figures.orders_by_status["refunded"] == 0
    assert [(b.title, b.copies) for b in figures.best_sellers] == [
        ("Dune", 5),
        ("Emma", 2),
    ]
    assert figures.best_sellers[0].revenue == Decimal("50.00")
    assert [(b.title, b.stock_on_hand) for b in figures.low_stock] == [("Dune", 3)]
    assert set(figures.mail) >= {"pending", "dead", "sent"}
