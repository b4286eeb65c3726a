"""State of the admin dashboard: sales chart, orders by state, stock and mail."""

from __future__ import annotations

import dataclasses

import reflex as rx

from sky_readers.admin.dashboard import load_dashboard
from sky_readers.admin.orders import OrderFilters
from sky_readers.core.db import session_scope
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.orders.models import OrderStatus
from sky_readers.orders.queries import PURCHASED_STATES
from sky_readers.ui.formatting import format_count
from sky_readers.ui.states.admin_orders import list_url
from sky_readers.ui.states.auth import admin_user, login_redirect

STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT.value: "Awaiting payment",
    OrderStatus.PAID.value: "Paid",
    OrderStatus.SHIPPED.value: "Shipped",
    OrderStatus.DELIVERED.value: "Delivered",
    OrderStatus.CANCELLED.value: "Cancelled",
    OrderStatus.REFUNDED.value: "Refunded",
}


@dataclasses.dataclass
class StatusCount:
    """Orders in one state."""

    status: str = ""
    label: str = ""
    count: int = 0


@dataclasses.dataclass
class StockAlert:
    """A book with few copies left."""

    id: int = 0
    title: str = ""
    stock: int = 0


@dataclasses.dataclass
class SellerRow:
    """A best-selling book."""

    book_id: int = 0
    title: str = ""
    copies: int = 0
    revenue: str = ""


class AdminDashboardState(rx.State):
    """Figures of the dashboard, read when the page opens or on refresh."""

    # One point per day: {"day": "12-04", "orders": 3, "revenue": 25.5}. The revenue
    # is a float only because the chart library plots numbers; the exact sums are
    # shown as text in `revenue_total` and the best-seller table.
    chart: list[dict[str, str | int | float]] = []
    revenue_total: str = ""
    orders_total: str = ""
    # The order list of the chart's days: paid, shipped or delivered ones, and all.
    revenue_href: str = "/admin/orders"
    orders_href: str = "/admin/orders"
    statuses: list[StatusCount] = []
    low_stock: list[StockAlert] = []
    best_sellers: list[SellerRow] = []
    mail_pending: int = 0
    mail_dead: int = 0
    mail_retrying: int = 0
    loaded: bool = False

    def _load(self) -> None:
        currency = get_settings().default_currency
        with session_scope() as session:
            figures = load_dashboard(session, currency=currency)
        self.chart = [
            {
                "day": day.day.strftime("%m-%d"),
                "orders": day.orders,
                "revenue": float(day.revenue),
            }
            for day in figures.sales
        ]
        self.revenue_total = format_money(figures.revenue_total, currency)
        self.orders_total = format_count(figures.orders_total)

        days = OrderFilters(
            placed_from=figures.sales[0].day, placed_to=figures.sales[-1].day
        )
        self.orders_href = list_url(days)
        self.revenue_href = list_url(
            dataclasses.replace(days, statuses=PURCHASED_STATES)
        )

        self.statuses = [
            StatusCount(status=status, label=STATUS_LABELS.get(status, status), count=n)
            for status, n in figures.orders_by_status.items()
        ]
        self.low_stock = [
            StockAlert(id=book.id, title=book.title, stock=book.stock_on_hand)
            for book in figures.low_stock
        ]
        self.best_sellers = [
            SellerRow(
                book_id=seller.book_id,
                title=seller.title,
                copies=seller.copies,
                revenue=format_money(seller.revenue, currency),
            )
            for seller in figures.best_sellers
        ]
        # Mail being sent right now still counts as pending.
        self.mail_pending = figures.mail.get("pending", 0) + figures.mail.get(
            "sending", 0
        )
        self.mail_retrying = figures.mail.get("retrying", 0)
        self.mail_dead = figures.mail.get("dead", 0)
        self.loaded = True

    @rx.event
    def load(self):
        """Read every figure for an admin; others go to the login page."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self._load()
        return None
