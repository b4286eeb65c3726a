"""State of the checkout page: address, payment, summary and placing the order.

Each visit of the page gets a new idempotency key, kept on the server. A double
click, a retry after an error or a second submit reuses it, so the shopper gets one
order. Card fields go straight from the form to the gateway and are never kept in
this state, which the state manager writes to disk or Redis.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from decimal import Decimal

import reflex as rx

from sky_readers.accounts.errors import EmailNotConfirmedError
from sky_readers.cart import services as cart_services
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.money import format_money
from sky_readers.orders import checkout
from sky_readers.orders.addresses import FIELDS, country_names
from sky_readers.orders.errors import ConflictError
from sky_readers.orders.payments import CardDetails, PaymentDeclinedError, PaymentMethod
from sky_readers.orders.payments.test_card import APPROVED_CARDS, DECLINED_CARDS
from sky_readers.ui.states.auth import AuthState, login_redirect
from sky_readers.ui.states.cart import CartState

logger = logging.getLogger(__name__)

ADDRESS_FIELDS = tuple(name for name, _label, _length in FIELDS)
CARD_FIELDS = ("card_number", "card_expiry", "card_cvc")


@dataclasses.dataclass
class SummaryLine:
    """One line of the checkout summary."""

    title: str = ""
    quantity: int = 0
    line_total: str = ""


@dataclasses.dataclass
class TestCardRow:
    """A documented test card number and what the test gateway does with it."""

    __test__ = False

    number: str = ""
    brand: str = ""
    outcome: str = ""


@dataclasses.dataclass
class CountryOption:
    """One country of the address form."""

    code: str = ""
    name: str = ""


def _grouped(number: str) -> str:
    """Space a card number as printed on the card: 4-6-5 for 15 digits, else fours."""
    if len(number) == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


TEST_CARD_ROWS = [
    TestCardRow(number=_grouped(c.number), brand=c.brand, outcome=c.description)
    for c in APPROVED_CARDS + DECLINED_CARDS
]
COUNTRY_OPTIONS = [CountryOption(code=c, name=n) for c, n in country_names().items()]


class CheckoutState(rx.State):
    """The checkout form, its messages and the summary of the order."""

    loaded: bool = False
    lines: list[SummaryLine] = []
    subtotal: str = ""
    shipping: str = ""
    tax: str = ""
    total: str = ""
    problems: list[str] = []
    price_notices: list[str] = []
    can_place: bool = False
    payment_method: str = PaymentMethod.TEST_CARD.value
    placing: bool = False
    # Values of the address fields shown when the page opens (the saved address).
    address: dict[str, str] = {}
    # Message per field name (address fields, card fields, payment_method), and one
    # for the whole form.
    errors: dict[str, str] = {}
    form_error: str = ""
    test_cards: list[TestCardRow] = TEST_CARD_ROWS
    countries: list[CountryOption] = COUNTRY_OPTIONS
    # Idempotency key of this visit of the page, and the total the page showed.
    _key: str = ""
    _shown_total: str = ""
    _cart_id: int = 0

    @rx.var
    def address_country(self) -> str:
        """Country code of the saved address, or US."""
        return self.address.get("country", "") or "US"

    @rx.event
    async def load(self):
        """Show the cart's summary and the saved address; start a new checkout key."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        self.errors = {}
        self.form_error = ""
        self.placing = False
        self._key = uuid.uuid4().hex
        if user is None:
            self.loaded = True
            return None
        with session_scope() as session:
            cart = cart_services.get_or_create_cart(session, user_id=user.id)
            view = cart_services.view_cart(session, cart)
            saved = checkout.saved_address(session, user.id)
        self._show(view)
        self.address = (
            {name: getattr(saved, name) for name in ADDRESS_FIELDS}
            if saved
            else {"name": user.name, "country": "US"}
        )
        self.loaded = True
        if not view.lines:
            return rx.redirect("/cart")
        return None

    def _show(self, view: cart_services.CartView) -> None:
        currency = view.currency
        self._cart_id = view.cart_id
        self.lines = [
            SummaryLine(
                title=line.title,
                quantity=line.quantity,
                line_total=format_money(line.line_total, currency),
            )
            for line in view.lines
        ]
        totals = view.totals
        self.subtotal = format_money(totals.subtotal, currency)
        self.shipping = format_money(totals.shipping, currency)
        self.tax = format_money(totals.tax, currency)
        self.total = format_money(totals.total, currency)
        self._shown_total = str(totals.total)
        self.problems = view.problems
        self.price_notices = view.price_notices
        self.can_place = view.can_check_out

    @rx.event
    def choose_payment(self, method: str):
        """Show the card fields for the test card gateway, or hide them."""
        self.payment_method = method
        for name in (*CARD_FIELDS, "payment_method"):
            self.errors.pop(name, None)

    @rx.event
    async def place(self, form: dict):
        """Place the order and open its confirmation, or show what to fix."""
        if self.placing:
            return
        self.placing = True
        self.form_error = ""
        yield
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        if user is None:
            self.placing = False
            yield login_redirect(self)
            return
        outcome = self._place(user, form)
        self.placing = False
        yield outcome

    def _place(self, user, form: dict):
        address = {name: _text(form, name) for name in ADDRESS_FIELDS}
        self.address = address
        card = None
        if self.payment_method == PaymentMethod.TEST_CARD.value:
            card = CardDetails(*(_text(form, name) for name in CARD_FIELDS))
        try:
            with session_scope() as session:
                placed = checkout.place_order(
                    session,
                    # Loaded for this event already; attach it without reading it
                    # again.
                    user=session.merge(user, load=False),
                    cart_id=self._cart_id,
                    payment_method=self.payment_method,
                    address=address,
                    card=card,
                    idempotency_key=self._key,
                    expected_total=Decimal(self._shown_total),
                )
                number = placed.order.number
        except ValidationError as exc:
            self.errors = {
                key.removeprefix("shipping_address."): message
                for key, message in exc.errors.items()
            }
            self.form_error = "Check the fields marked in red; nothing was charged."
            return None
        except PaymentDeclinedError as exc:
            self.errors = {}
            self.form_error = str(exc)
            return None
        except (ConflictError, NotFoundError, EmailNotConfirmedError) as exc:
            self.errors = {}
            self.form_error = str(exc)
            self._reload_summary(user.id)
            return None

        self.errors = {}
        self._key = uuid.uuid4().hex
        return [
            CartState.load_badge,
            rx.redirect(f"/orders/{number}?placed=1"),
        ]

    def _reload_summary(self, user_id: int) -> None:
        """Show current prices and stock after a conflict, with a new checkout key."""
        with session_scope() as session:
            cart = cart_services.get_or_create_cart(session, user_id=user_id)
            self._show(cart_services.view_cart(session, cart))
        self._key = uuid.uuid4().hex


def _text(form: dict, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""
