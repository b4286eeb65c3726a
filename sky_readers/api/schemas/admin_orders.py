"""Request and response bodies of the admin order routes.

Amounts travel as strings with the currency's decimals ("37.36"), as in the
shopper's order routes.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from sky_readers.api.schemas.orders import (
    OrderLinePublic,
    PaymentPublic,
    ShippingAddressPublic,
)


class CustomerPublic(BaseModel):
    """The account that placed an order."""

    id: int
    name: str
    email: str


class AdminOrderSummary(BaseModel):
    """One order of the admin list."""

    id: int
    number: str
    status: str
    status_label: str
    created_at: dt.datetime
    customer: CustomerPublic
    # Copies over all lines.
    item_count: int
    total: str
    currency: str
    payment_method: str


class AdminOrderTotals(BaseModel):
    """Sums over all matching orders of one currency, not only the page."""

    currency: str
    orders: int
    total: str
    # Orders that are paid, shipped or delivered, as the dashboard's revenue.
    paid_orders: int
    paid_total: str


class AdminOrderPage(BaseModel):
    """One page of matching orders, newest first."""

    data: list[AdminOrderSummary]
    count: int
    page: int
    pages: int
    totals: list[AdminOrderTotals]


class AdminOrderEvent(BaseModel):
    """One change of the order's state, with who made it."""

    from_status: str | None
    to_status: str
    # "shopper", "admin" or "system".
    actor: str
    actor_user_id: int | None
    # "Name <email>" of the acting user; empty for the system.
    actor_name: str
    note: str
    at: dt.datetime


class AdminOrderPublic(AdminOrderSummary):
    """One order with its lines, figures, address, payment, history and next states."""

    subtotal: str
    shipping: str
    tax: str
    lines: list[OrderLinePublic]
    shipping_address: ShippingAddressPublic
    payment: PaymentPublic | None
    events: list[AdminOrderEvent]
    # States an admin may move the order to now.
    allowed_next_states: list[str]


class OrderTransitionRequest(BaseModel):
    """A change of an order's state asked for by an admin client."""

    model_config = ConfigDict(extra="forbid")

    status: StrictStr = Field(
        max_length=40, description="The new state, such as 'shipped'."
    )
    note: StrictStr = Field(
        default="",
        max_length=2000,
        description="Kept in the history; the reason in cancel and refund mails. "
        "At most 500 characters once trimmed.",
    )
    tracking_url: StrictStr | None = Field(
        default=None,
        max_length=2000,
        description="The carrier's https link, sent in the shipped mail.",
    )
    expected_status: StrictStr | None = Field(
        default=None,
        max_length=40,
        description="The state the client last saw; the change fails with 409 when "
        "the order has left it.",
    )
