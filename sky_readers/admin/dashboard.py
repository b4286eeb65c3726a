"""Figures of the admin dashboard: sales per day, orders by state, stock, mail.

Revenue counts orders that were paid: paid, shipped and delivered. Cancelled and
refunded orders, and orders still waiting for payment, add nothing. Days are UTC
calendar days, and the series has one entry per day even when nothing was sold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, cast, func, literal_column, select, type_coerce
from sqlmodel import Session, col

from sky_readers.catalog.models import Book
from sky_readers.catalog.queries import LOW_STOCK_THRESHOLD
from sky_readers.core.types import Money, utcnow
from sky_readers.orders.models import Order, OrderItem, OrderStatus
from sky_readers.outbox.services import count_by_status

# Days shown in the sales chart, today included.
SALES_DAYS = 30
# Rows in the low-stock and best-seller lists.
LIST_LENGTH = 10
PAID_STATUSES = (
    OrderStatus.PAID.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
)


@dataclasses.dataclass(frozen=True)
class DaySales:
    """Orders placed on one UTC day and the revenue of those that were paid."""

    day: dt.date
    orders: int
    paid_orders: int
    revenue: Decimal


@dataclasses.dataclass(frozen=True)
class LowStockBook:
    """A store book with few or no copies left."""

    id: int
    title: str
    stock_on_hand: int


@dataclasses.dataclass(frozen=True)
class BestSeller:
    """A book by copies sold in paid orders, over all time."""

    book_id: int
    title: str
    copies: int
    revenue: Decimal


@dataclasses.dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows."""

    currency: str
    sales: list[DaySales]
    revenue_total: Decimal
    orders_total: int
    orders_by_status: dict[str, int]
    low_stock: list[LowStockBook]
    best_sellers: list[BestSeller]
    # Outbox mail per status (pending, sending, retrying, sent, dead).
    mail: dict[str, int]


def _day_expression(session: Session):
    """Build the UTC calendar day of an order as an SQL date on each database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), col(Order.created_at)), Date)
    # SQLite keeps UTC timestamps as text, whose first ten characters are the date.
    return func.substr(col(Order.created_at), 1, 10)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def sales_by_day(
    session: Session, *, days: int = SALES_DAYS, today: dt.date | None = None
) -> list[DaySales]:
    """Count orders and paid revenue per UTC day, oldest first, days without sales too.

    Args:
        session: Open session.
        days: Number of days, ending with `today`.
        today: Last day of the series; the current UTC date by default.
    """
    today = today or utcnow().date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    day = _day_expression(session)
    paid = col(Order.status).in_(PAID_STATUSES)
    rows = session.execute(
        select(
            day.label("day"),
            func.count().label("orders"),
            func.count().filter(paid).label("paid_orders"),
            type_coerce(
                func.coalesce(func.sum(col(Order.total)).filter(paid), 0), Money()
            ).label("revenue"),
        )
        .where(col(Order.created_at) >= start)
        .group_by(day)
    ).all()
    found = {_as_date(row.day): row for row in rows}
    series = []
    for offset in range(days):
        current = first + dt.timedelta(days=offset)
        row = found.get(current)
        series.append(
            DaySales(
                day=current,
                orders=row.orders if row else 0,
                paid_orders=row.paid_orders if row else 0,
                revenue=row.revenue if row else Decimal("0.00"),
            )
        )
    return series


def orders_by_status(session: Session) -> dict[str, int]:
    """Count all orders per state, every state present (zero when none)."""
    counts = {status.value: 0 for status in OrderStatus}
    for status, number in session.execute(
        select(Order.status, func.count()).group_by(col(Order.status))
    ):
        counts[status] = number
    return counts


def low_stock_books(session: Session, limit: int = LIST_LENGTH) -> list[LowStockBook]:
    """List store books with LOW_STOCK_THRESHOLD copies or fewer, fewest first."""
    rows = session.execute(
        select(Book.id, Book.title, Book.stock_on_hand)
        .where(
            col(Book.is_archived).is_(False),
            col(Book.stock_on_hand) <= LOW_STOCK_THRESHOLD,
        )
        .order_by(col(Book.stock_on_hand), func.lower(Book.title), col(Book.id))
        .limit(limit)
    ).all()
    return [
        LowStockBook(id=row.id, title=row.title, stock_on_hand=row.stock_on_hand)
        for row in rows
    ]


def best_sellers(session: Session, limit: int = LIST_LENGTH) -> list[BestSeller]:
    """List the books with the most copies sold in paid orders, with their revenue.

    Titles come from the order lines, so archived and renamed books show the title
    they were sold under (the latest such line's).
    """
    copies = func.sum(col(OrderItem.quantity))
    rows = session.execute(
        select(
            OrderItem.book_id,
            func.max(OrderItem.title).label("title"),
            copies.label("copies"),
            type_coerce(func.sum(col(OrderItem.line_total)), Money()).label("revenue"),
        )
        .join(Order, col(Order.id) == col(OrderItem.order_id))
        .where(col(Order.status).in_(PAID_STATUSES))
        .group_by(col(OrderItem.book_id))
        .order_by(copies.desc(), col(OrderItem.book_id))
        .limit(limit)
    ).all()
    return [
        BestSeller(
            book_id=row.book_id,
            title=row.title,
            copies=int(row.copies),
            revenue=row.revenue,
        )
        for row in rows
    ]


def load_dashboard(
    session: Session, *, currency: str, today: dt.date | None = None
) -> Dashboard:
    """Read every figure of the dashboard in one session.

    Args:
        session: Open session.
        currency: ISO 4217 code of the store's prices, for display.
        today: Last day of the sales chart; the current UTC date by default.
    """
    sales = sales_by_day(session, today=today)
    return Dashboard(
        currency=currency,
        sales=sales,
        revenue_total=sum((day.revenue for day in sales), Decimal("0.00")),
        orders_total=sum(day.orders for day in sales),
        orders_by_status=orders_by_status(session),
        low_stock=low_stock_books(session),
        best_sellers=best_sellers(session),
        mail=count_by_status(session),
    )
