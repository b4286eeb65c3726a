"""States of the shopper's order pages: the history and one order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import reflex as rx

from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.orders import queries
from sky_readers.orders.addresses import address_lines, order_address
from sky_readers.orders.errors import ConflictError
from sky_readers.orders.models import OrderItem, OrderStatus
from sky_readers.orders.workflow import (
    Actor,
    allowed_next_states,
    status_label,
    transition,
)
from sky_readers.ui.states.auth import AuthState, login_redirect
from sky_readers.ui.states.catalog import route_argument

logger = logging.getLogger(__name__)

# Radix colour of each state's badge.
STATUS_COLOURS = {
    OrderStatus.PENDING_PAYMENT.value: "amber",
    OrderStatus.PAID.value: "blue",
    OrderStatus.SHIPPED.value: "indigo",
    OrderStatus.DELIVERED.value: "green",
    OrderStatus.CANCELLED.value: "gray",
    OrderStatus.REFUNDED.value: "gray",
}
PAYMENT_LABELS = {
    "pay_on_delivery": "Pay on delivery",
    "test_card": "Card",
}


def _when(value: dt.datetime) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC")


@dataclasses.dataclass
class OrderRowView:
    """One order of the history list."""

    number: str = ""
    href: str = ""
    placed_on: str = ""
    status: str = ""
    status_colour: str = "gray"
    item_count: int = 0
    total: str = ""


@dataclasses.dataclass
class OrderLineView:
    """One line of an order."""

    href: str = ""
    title: str = ""
    quantity: int = 0
    unit_price: str = ""
    line_total: str = ""


@dataclasses.dataclass
class OrderEventView:
    """One change of the order's state."""

    at: str = ""
    status: str = ""
    by: str = ""
    note: str = ""


def order_line_views(
    items: list[OrderItem], currency: str, *, href_prefix: str = "/books/"
) -> list[OrderLineView]:
    """Format an order's lines, each linking to `href_prefix` plus the book id."""
    return [
        OrderLineView(
            href=f"{href_prefix}{item.book_id}",
            title=item.title,
            quantity=item.quantity,
            unit_price=format_money(item.unit_price, currency),
            line_total=format_money(item.line_total, currency),
        )
        for item in items
    ]


def order_row(summary: queries.OrderSummary) -> OrderRowView:
    """Format one order of a list for display."""
    order = summary.order
    return OrderRowView(
        number=order.number,
        href=f"/orders/{order.number}",
        placed_on=order.created_at.strftime("%d %b %Y"),
        status=status_label(order.status),
        status_colour=STATUS_COLOURS.get(order.status, "gray"),
        item_count=summary.item_count,
        total=format_money(order.total, order.currency),
    )


class OrderHistoryState(rx.State):
    """The logged-in shopper's orders, newest first."""

    loaded: bool = False
    orders: list[OrderRowView] = []

    @rx.event
    async def load(self):
        """Load the orders of the logged-in user (the page guard ran before)."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        self.orders = []
        if user is not None:
            with session_scope() as session:
                summaries = queries.list_orders(session, user.id, limit=100)
            self.orders = [order_row(s) for s in summaries]
        self.loaded = True


class OrderDetailState(rx.State):
    """One order of the logged-in shopper, also the confirmation after checkout."""

    loaded: bool = False
    found: bool = True
    # True right after checkout, to thank the shopper.
    just_placed: bool = False
    number: str = ""
    placed_on: str = ""
    status: str = ""
    status_colour: str = "gray"
    lines: list[OrderLineView] = []
    subtotal: str = ""
    shipping: str = ""
    tax: str = ""
    total: str = ""
    ship_to: list[str] = []
    payment: str = ""
    payment_status: str = ""
    events: list[OrderEventView] = []
    can_cancel: bool = False
    _order_id: int = 0

    @rx.event
    async def load(self):
        """Load the order named in the URL, if it belongs to the logged-in user."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        number = route_argument(self.router.url.path)
        self.just_placed = bool(self.router.url.query_parameters.get("placed"))
        if user is None:
            self.loaded = True
            self.found = False
            return
        try:
            with session_scope() as session:
                detail = queries.get_order_detail(
                    session, number=number, user_id=user.id
                )
                self._show(detail)
                self.can_cancel = bool(
                    allowed_next_states(session, detail.order, Actor.shopper(user.id))
                )
        except NotFoundError:
            logger.info("order page for unknown order %r", number)
            self.found = False
        self.loaded = True

    def _show(self, detail: queries.OrderDetail) -> None:
        order = detail.order
        currency = order.currency
        self.found = True
        self._order_id = order.id
        self.number = order.number
        self.placed_on = _when(order.created_at)
        self.status = status_label(order.status)
        self.status_colour = STATUS_COLOURS.get(order.status, "gray")
        self.lines = order_line_views(detail.items, currency)
        self.subtotal = format_money(order.subtotal, currency)
        self.shipping = format_money(order.shipping, currency)
        self.tax = format_money(order.tax, currency)
        self.total = format_money(order.total, currency)

        self.ship_to = address_lines(**dataclasses.asdict(order_address(order)))
        payment = detail.payment
        label = PAYMENT_LABELS.get(order.payment_method, order.payment_method)
        if payment is not None and payment.card_last4:
            label = f"{payment.card_brand} ending {payment.card_last4}"
        self.payment = label
        self.payment_status = payment.status.capitalize() if payment else ""

        self.events = [
            OrderEventView(
                at=_when(event.created_at),
                status=status_label(event.to_status),
                by=_actor_label(event.actor_kind),
                note=event.note,
            )
            for event in detail.events
        ]

    @rx.event
    async def cancel(self):
        """Cancel the order before it ships; the stock and the money go back."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                transition(
                    session,
                    self._order_id,
                    OrderStatus.CANCELLED,
                    actor=Actor.shopper(user.id),
                    note="Cancelled by the customer.",
                )
        except (ConflictError, NotFoundError) as exc:
            return rx.toast.error(str(exc), id="order-toast")
        with session_scope() as session:
            detail = queries.get_order_detail(
                session, order_id=self._order_id, user_id=user.id
            )
            self._show(detail)
        self.can_cancel = False
        return rx.toast.success(
            f"Order {self.number} is cancelled. Any payment goes back to you.",
            id="order-toast",
        )


def _actor_label(kind: str) -> str:
    labels = {
        "shopper": "You",
        "admin": get_settings().store_name,
        "system": "Automatic",
    }
    return labels.get(kind, kind)
