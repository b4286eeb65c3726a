"""Request and response bodies of the cart and order routes.

Amounts travel as strings with the currency's decimals ("12.99"), so no client
reads them as binary floating point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from pydantic import BaseModel, Field, StrictInt, StrictStr

from sky_readers.orders.addresses import order_address
from sky_readers.orders.models import Order, OrderItem, Payment


class CartAdd(BaseModel):
    """A book and how many copies to add to the caller's cart."""

    book_id: StrictInt
    quantity: StrictInt = 1


class CartQuantity(BaseModel):
    """The new number of copies of a book in the cart."""

    quantity: StrictInt


class CartLinePublic(BaseModel):
    """One line of GET /api/cart; `price` is the current unit price."""

    book_id: int
    title: str
    quantity: int
    price: str


class CartChangeResponse(BaseModel):
    """Outcome of adding a book or changing its quantity."""

    message: str
    book_id: int
    # Copies of the book in the cart now.
    quantity: int
    # What was capped (stock or the per-order limit) and why; empty when nothing was.
    notice: str = ""


class CartMessage(BaseModel):
    """A plain message about the cart."""

    message: str


class CartSummaryLine(CartLinePublic):
    """A cart line with its total and what keeps it from being ordered."""

    line_total: str
    price_when_added: str
    stock_on_hand: int
    problem: str
    price_notice: str


class CartSummary(BaseModel):
    """The whole cart: lines, the figures of the money rule and every notice."""

    cart_id: int
    currency: str
    lines: list[CartSummaryLine]
    item_count: int
    subtotal: str
    shipping: str
    tax: str
    total: str
    can_check_out: bool
    problems: list[str]
    price_notices: list[str]


class AddressIn(BaseModel):
    """A shipping address as typed; the service checks each field."""

    name: StrictStr = Field(default="", max_length=1000)
    line1: StrictStr = Field(default="", max_length=1000)
    line2: StrictStr = Field(default="", max_length=1000)
    city: StrictStr = Field(default="", max_length=1000)
    region: StrictStr = Field(default="", max_length=1000)
    postal_code: StrictStr = Field(default="", max_length=1000)
    country: StrictStr = Field(default="", max_length=1000)


class OrderCreate(BaseModel):
    """Checkout of a cart. Card fields go with payment_method "test_card" only."""

    cart_id: StrictInt
    payment_method: StrictStr = Field(max_length=50)
    card_number: StrictStr | None = Field(default=None, max_length=40)
    card_expiry: StrictStr | None = Field(default=None, max_length=10)
    card_cvc: StrictStr | None = Field(default=None, max_length=10)
    # None uses the address of the caller's previous order.
    shipping_address: AddressIn | None = None
    # The total the client showed, such as "36.82"; the order is refused when the
    # current prices give another total.
    expected_total: StrictStr | None = Field(default=None, max_length=20)


class OrderPlaced(BaseModel):
    """Response to a checkout, the same for a repeat of the same checkout."""

    message: str
    order_id: int
    order_number: str
    status: str
    total: str
    currency: str


class OrderLinePublic(BaseModel):
    """One line of an order, with the title and unit price copied at order time."""

    book_id: int
    title: str
    unit_price: str
    quantity: int
    line_total: str

    @classmethod
    def from_item(cls, item: OrderItem) -> OrderLinePublic:
        """Build the public form of a stored order line."""
        return cls(
            book_id=item.book_id,
            title=item.title,
            unit_price=str(item.unit_price),
            quantity=item.quantity,
            line_total=str(item.line_total),
        )


class OrderEventPublic(BaseModel):
    """One change of the order's state."""

    from_status: str | None
    to_status: str
    # "shopper", "admin" or "system".
    actor: str
    note: str
    at: dt.datetime


class OrderSummaryPublic(BaseModel):
    """One order in the caller's history."""

    id: int
    number: str
    status: str
    status_label: str
    item_count: int
    total: str
    currency: str
    created_at: dt.datetime


class ShippingAddressPublic(BaseModel):
    """Where the order goes."""

    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    @classmethod
    def from_order(cls, order: Order) -> ShippingAddressPublic:
        """Build the address copied onto an order."""
        return cls(**dataclasses.asdict(order_address(order)))


class PaymentPublic(BaseModel):
    """How the order is paid; a card shows only brand and last four digits."""

    method: str
    status: str
    card_brand: str
    card_last4: str

    @classmethod
    def from_payment(cls, payment: Payment) -> PaymentPublic:
        """Build the public form of a payment: no reference, no card number."""
        return cls(
            method=payment.method,
            status=payment.status,
            card_brand=payment.card_brand,
            card_last4=payment.card_last4,
        )


class OrderPublic(OrderSummaryPublic):
    """One order with its lines, figures, address, payment and history."""

    subtotal: str
    shipping: str
    tax: str
    lines: list[OrderLinePublic]
    shipping_address: ShippingAddressPublic
    payment: PaymentPublic | None
    events: list[OrderEventPublic]
    # States the caller may move the order to (a shopper: "cancelled" or none).
    allowed_next_states: list[str]
