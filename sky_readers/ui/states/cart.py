"""State of the header's cart badge and of the cart page.

A logged-in shopper's cart belongs to the account. A visitor's cart is found by the
HttpOnly cart cookie, which the server sets on page loads (see
sky_readers/api/cart_cookie.py) and the websocket sends along, so it is read here
from the websocket's headers. Every handler calls the cart services, which hold
every rule; the handlers only show the outcome.
"""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx
from sqlmodel import Session

from sky_readers.cart import services
from sky_readers.cart.models import Cart
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.orders.errors import ConflictError
from sky_readers.ui.states.auth import parse_cookie_header, session_user

logger = logging.getLogger(__name__)

NO_COOKIE_MESSAGE = (
    "Your browser did not send the cart cookie. Allow cookies for this site and "
    "reload the page, or log in to use your account's cart."
)
SPENT_TOKEN_MESSAGE = (
    "This page's cart was moved to your account when you logged in, in another "
    "tab. Reload the page to go on."
)


@dataclasses.dataclass
class CartLineRow:
    """One line of the cart page, formatted for display."""

    book_id: int = 0
    href: str = ""
    title: str = ""
    author_line: str = ""
    cover_path: str = ""
    quantity: int = 1
    # Quantities the select offers: 1 up to min(limit, stock), and the current one.
    quantity_options: list[str] = dataclasses.field(default_factory=list)
    unit_price: str = ""
    line_total: str = ""
    problem: str = ""
    price_notice: str = ""


def visitor_token(state: rx.State) -> str | None:
    """Return the visitor's cart token that the websocket's cookie header carries."""
    return parse_cookie_header(
        state.router.headers.cookie, get_settings().cart_cookie_name
    )


class CartState(rx.State):
    """The cart of the tab's shopper or visitor: the badge count and the cart page."""

    # Copies in the cart, shown on the header's badge.
    count: int = 0
    loaded: bool = False
    lines: list[CartLineRow] = []
    subtotal: str = ""
    shipping: str = ""
    tax: str = ""
    total: str = ""
    # Messages of the lines that keep the cart from being ordered.
    problems: list[str] = []
    price_notices: list[str] = []
    # Messages left by the merge at login, shown once.
    merge_notices: list[str] = []
    can_check_out: bool = False
    logged_in: bool = False
    # Copies chosen in the book page's quantity select.
    book_quantity: str = "1"

    def _cart(self, session: Session, *, create: bool) -> Cart | None:
        """Find (or create) the cart of this tab's shopper or visitor.

        Raises:
            ConflictError: The visitor has no cookie, or its cart moved to an account.
        """
        user = session_user(self)
        self.logged_in = user is not None
        if user is not None:
            if create:
                return services.get_or_create_cart(session, user_id=user.id)
            return services.find_open_cart(session, user_id=user.id)
        token = visitor_token(self)
        if not token:
            if create:
                raise ConflictError(NO_COOKIE_MESSAGE)
            return None
        if not create:
            return services.find_open_cart(session, anonymous_token=token)
        cart = services.get_or_create_cart(session, anonymous_token=token)
        if cart.anonymous_token != token:
            raise ConflictError(SPENT_TOKEN_MESSAGE)
        return cart

    @rx.event
    def load_badge(self):
        """Count the copies in the cart for the header; every page's on_load runs it."""
        with session_scope() as session:
            self.count = services.count_items(
                session, self._cart(session, create=False)
            )

    @rx.event
    def load(self):
        """Load the cart page: lines at current prices, totals and notices."""
        with session_scope() as session:
            cart = self._cart(session, create=False)
            if cart is None:
                self._show_empty()
                return
            view = services.view_cart(session, cart)
            self.merge_notices = services.take_notices(session, cart)
        self._show(view)

    def _show_empty(self) -> None:
        self.count = 0
        self.lines = []
        self.problems = []
        self.price_notices = []
        self.merge_notices = []
        self.can_check_out = False
        self.subtotal = self.shipping = self.tax = self.total = ""
        self.loaded = True

    def _show(self, view: services.CartView) -> None:
        currency = view.currency
        self.lines = [_row(line, currency) for line in view.lines]
        self.count = view.item_count
        self.problems = view.problems
        self.price_notices = view.price_notices
        self.can_check_out = view.can_check_out
        totals = view.totals
        self.subtotal = format_money(totals.subtotal, currency)
        self.shipping = format_money(totals.shipping, currency)
        self.tax = format_money(totals.tax, currency)
        self.total = format_money(totals.total, currency)
        self.loaded = True

    def _refresh(self, session: Session, cart: Cart) -> None:
        self._show(services.view_cart(session, cart))

    @rx.event
    def add(self, book_id: int, quantity: int = 1):
        """Add copies of a book and update the badge at once."""
        try:
            with session_scope() as session:
                cart = self._cart(session, create=True)
                change = services.add_book(session, cart, book_id, quantity)
                self._refresh(session, cart)
        except (ValidationError, NotFoundError, ConflictError) as exc:
            return rx.toast.error(_message(exc), id="cart-toast")
        if change.capped:
            return rx.toast.warning(change.message, id="cart-toast")
        return rx.toast.success(change.message, id="cart-toast")

    @rx.event
    def choose_book_quantity(self, value: str):
        """Remember the copies chosen on the book page."""
        self.book_quantity = value

    @rx.event
    def add_chosen(self, book_id: int):
        """Add the copies chosen on the book page, then reset the choice to 1."""
        try:
            quantity = int(self.book_quantity)
        except ValueError:
            quantity = 1
        self.book_quantity = "1"
        return CartState.add(book_id, quantity)

    @rx.event
    def change_quantity(self, book_id: int, value: str):
        """Set the copies of a line from the quantity select."""
        try:
            quantity = int(value)
        except (TypeError, ValueError):
            return rx.toast.error(f"{value!r} is not a quantity.", id="cart-toast")
        try:
            with session_scope() as session:
                cart = self._cart(session, create=True)
                change = services.set_quantity(session, cart, book_id, quantity)
                self._refresh(session, cart)
        except (ValidationError, NotFoundError, ConflictError) as exc:
            return rx.toast.error(_message(exc), id="cart-toast")
        if change.capped:
            return rx.toast.warning(change.message, id="cart-toast")
        return None

    @rx.event
    def remove(self, book_id: int):
        """Remove a line from the cart."""
        try:
            with session_scope() as session:
                cart = self._cart(session, create=True)
                services.remove_line(session, cart, book_id)
                self._refresh(session, cart)
        except (ValidationError, NotFoundError, ConflictError) as exc:
            return rx.toast.error(_message(exc), id="cart-toast")
        return rx.toast.info("Removed from your cart.", id="cart-toast")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.errors.values())
    return str(exc)


def _row(line: services.CartLine, currency: str) -> CartLineRow:
    options = {str(n) for n in range(1, line.max_quantity + 1)}
    options.add(str(line.quantity))
    return CartLineRow(
        book_id=line.book_id,
        href=f"/books/{line.book_id}",
        title=line.title,
        author_line=line.author_line,
        cover_path=line.cover_path,
        quantity=line.quantity,
        quantity_options=sorted(options, key=int),
        unit_price=format_money(line.unit_price, currency),
        line_total=format_money(line.line_total, currency),
        problem=line.problem,
        price_notice=line.price_notice,
    )
