"""Order mails (placed, shipped, cancelled, refunded), queued with the change to the order.

Call these in the session that writes the order's new state, so the mail exists
exactly when the change is committed. Each mail has a dedupe key per order and event,
so a repeated call queues nothing new.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_currency
from sqlmodel import Session

from sky_readers.orders.addresses import address_lines, order_address
from sky_readers.orders.models import Order, OrderItem
from sky_readers.outbox.compose import (
    absolute_url,
    enqueue_email,
    enqueue_email_once,
)
from sky_readers.outbox.models import OutboxEmail

# Parsed once: Babel parses a locale given by name on every call.
_MAIL_LOCALE = Locale.parse("en_US")


def _money(amount: Decimal, currency: str) -> str:
    return format_currency(amount, currency, locale=_MAIL_LOCALE)


def _order_context(
    order: Order, items: Sequence[OrderItem], name: str
) -> dict[str, Any]:
    currency = order.currency
    return {
        "name": name,
        "order_number": order.number,
        # NOTE: assumes the order page lives at /orders/<number>.
        "order_url": absolute_url(f"/orders/{order.number}"),
        "items": [
            {
                "title": item.title,
                "quantity": item.quantity,
                "unit_price": _money(item.unit_price, currency),
                "line_total": _money(item.line_total, currency),
            }
            for item in items
        ],
        "subtotal": _money(order.subtotal, currency),
        "shipping": _money(order.shipping, currency),
        "tax": _money(order.tax, currency),
        "total": _money(order.total, currency),
        "ship_to": address_lines(**dataclasses.asdict(order_address(order))),
    }


def queue_order_placed(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    *,
    to_address: str,
    name: str,
) -> OutboxEmail:
    """Queue the confirmation of a placed order, with its lines and totals.

    Args:
        session: Session of the transaction that placed the order.
        order: The new order, flushed so it has an id.
        items: Its lines.
        to_address: The shopper's address.
        name: The shopper's name, as the greeting uses it.

    Returns:
        The queued outbox row, detached from the session.
    """
    return enqueue_email_once(
        session,
        kind="order_placed",
        to_address=to_address,
        template="order_placed",
        context=_order_context(order, items, name),
        dedupe_key=f"order:{order.id}:placed",
    )


def queue_order_shipped(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    *,
    to_address: str,
    name: str,
    tracking_url: str | None = None,
) -> OutboxEmail:
    """Queue the notice that an order has shipped.

    Args:
        session: Session of the transaction that marks the order shipped.
        order: The order.
        items: Its lines.
        to_address: The shopper's address.
        name: The shopper's name.
        tracking_url: The carrier's tracking link, if there is one.

    Returns:
        The queued outbox row.
    """
    context = _order_context(order, items, name)
    context["tracking_url"] = tracking_url
    return enqueue_email(
        session,
        kind="order_shipped",
        to_address=to_address,
        template="order_shipped",
        context=context,
        dedupe_key=f"order:{order.id}:shipped",
    )


def queue_order_cancelled(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    *,
    to_address: str,
    name: str,
    reason: str = "",
) -> OutboxEmail:
    """Queue the notice that an order was cancelled.

    Args:
        session: Session of the transaction that cancels the order.
        order: The order.
        items: Its lines.
        to_address: The shopper's address.
        name: The shopper's name.
        reason: Why it was cancelled, shown to the shopper; none when empty.

    Returns:
        The queued outbox row.
    """
    return _queue_with_reason(
        session, order, items, "cancelled", to_address, name, reason
    )


def queue_order_refunded(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    *,
    to_address: str,
    name: str,
    reason: str = "",
) -> OutboxEmail:
    """Queue the notice that an order was refunded.

    Args:
        session: Session of the transaction that refunds the order.
        order: The order.
        items: Its lines.
        to_address: The shopper's address.
        name: The shopper's name.
        reason: Why it was refunded, shown to the shopper; none when empty.

    Returns:
        The queued outbox row.
    """
    return _queue_with_reason(
        session, order, items, "refunded", to_address, name, reason
    )


def _queue_with_reason(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    event: str,
    to_address: str,
    name: str,
    reason: str,
) -> OutboxEmail:
    context = _order_context(order, items, name)
    context["reason"] = reason
    return enqueue_email(
        session,
        kind=f"order_{event}",
        to_address=to_address,
        template=f"order_{event}",
        context=context,
        dedupe_key=f"order:{order.id}:{event}",
    )
