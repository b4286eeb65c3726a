"""States of the admin order pages: the filtered list and one order with its actions.

The list keeps its filters in the URL (/admin/orders?status=paid&from=2026-04-01),
so a filtered list can be bookmarked, reloaded and reached with the back button.
Every event checks the admin role on the server before it reads or changes anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

import reflex as rx

from sky_readers.accounts.models import User
from sky_readers.admin import orders as admin_orders
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.money import format_money
from sky_readers.orders.addresses import address_lines, order_address
from sky_readers.orders.errors import ConflictError
from sky_readers.orders.models import OrderStatus
from sky_readers.orders.queries import PURCHASED_STATES
from sky_readers.orders.workflow import status_label
from sky_readers.ui.formatting import format_count
from sky_readers.ui.states.auth import admin_user, login_redirect
from sky_readers.ui.states.catalog import route_argument
from sky_readers.ui.states.orders import (
    PAYMENT_LABELS,
    STATUS_COLOURS,
    OrderLineView,
    order_line_views,
)

LIST_ROUTE = "/admin/orders"
EXPORT_PATH = "/api/admin/orders/export.csv"
S = OrderStatus


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    """Button label, icon and behaviour of one state change on the order page."""

    label: str
    icon: str
    colour: str
    # Cancel and refund cannot be undone, so the page requests confirmation first.
    destructive: bool
    # Opens a form first: the tracking link for shipping, the reason otherwise.
    needs_form: bool
    # End of the success message, after "Order SRH-2026-000012".
    done: str


ACTIONS = {
    S.PAID: ActionSpec("Mark paid", "banknote", "green", False, False, "is paid"),
    S.SHIPPED: ActionSpec(
        "Ship", "truck", "indigo", False, True, "is shipped; the customer gets an email"
    ),
    S.DELIVERED: ActionSpec(
        "Mark delivered", "package-check", "green", False, False, "is delivered"
    ),
    S.CANCELLED: ActionSpec(
        "Cancel order",
        "ban",
        "red",
        True,
        True,
        "is cancelled; the stock is back and the customer gets an email",
    ),
    S.REFUNDED: ActionSpec(
        "Refund",
        "undo-2",
        "red",
        True,
        True,
        "is refunded; the stock is back and the customer gets an email",
    ),
}
DIALOG_TEXTS = {
    S.SHIPPED.value: "The customer gets the shipping email, with the tracking link "
    "when you give one.",
    S.CANCELLED.value: "The books go back on the shelf, a card payment is refunded "
    "and a pay-on-delivery payment is voided. The customer gets an email with your "
    "reason. This cannot be undone.",
    S.REFUNDED.value: "The whole payment goes back to the customer and the books go "
    "back on the shelf. The customer gets an email with your reason. This cannot be "
    "undone.",
}
# The states that count as revenue, as one choice, so the paid total of a date range
# can be compared with the dashboard.
REVENUE_CHOICE = ",".join(state.value for state in PURCHASED_STATES)
STATUS_CHOICES = (
    {"all": "Any state"}
    | {status.value: status_label(status) for status in OrderStatus}
    | {REVENUE_CHOICE: "Paid, shipped or delivered"}
)


def _short_time(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _long_time(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def list_url(filters: admin_orders.OrderFilters, page: int = 1) -> str:
    """Build the address of the order list with filters and a page number."""
    params = filters.query_params()
    if page > 1:
        params["page"] = str(page)
    return LIST_ROUTE + (f"?{urlencode(params)}" if params else "")


@dataclasses.dataclass
class AdminOrderRowView:
    """One order of the admin list, formatted for display."""

    number: str = ""
    href: str = ""
    placed_at: str = ""
    status: str = ""
    status_label: str = ""
    status_colour: str = "gray"
    customer_name: str = ""
    customer_email: str = ""
    copies: int = 0
    total: str = ""


@dataclasses.dataclass
class TotalsView:
    """Sums over every matching order of one currency, formatted."""

    currency: str = ""
    # Such as "1 order" or "1,204 orders".
    orders: str = ""
    total: str = ""
    paid_orders: str = ""
    paid_total: str = ""


def _row_view(row: admin_orders.AdminOrderRow) -> AdminOrderRowView:
    return AdminOrderRowView(
        number=row.number,
        href=f"{LIST_ROUTE}/{row.number}",
        placed_at=_short_time(row.created_at),
        status=row.status,
        status_label=status_label(row.status),
        status_colour=STATUS_COLOURS.get(row.status, "gray"),
        customer_name=row.customer_name,
        customer_email=row.customer_email,
        copies=row.copies,
        total=format_money(row.total, row.currency),
    )


def _totals_view(item: admin_orders.CurrencyTotals) -> TotalsView:
    return TotalsView(
        currency=item.currency,
        orders=format_count(item.orders)
        + (" order" if item.orders == 1 else " orders"),
        total=format_money(item.total, item.currency),
        paid_orders=format_count(item.paid_orders),
        paid_total=format_money(item.paid_total, item.currency),
    )


def _query_filters(params: dict) -> tuple[admin_orders.OrderFilters, str]:
    """Read the filters of the URL, leaving out invalid ones with a notice."""
    try:
        return admin_orders.filters_from_query(params), ""
    except ValidationError as exc:
        valid = {
            name: value for name, value in params.items() if name not in exc.errors
        }
        notice = "; ".join(f"{name}: {message}" for name, message in exc.errors.items())
        filters = admin_orders.filters_from_query(valid)
        return filters, f"Ignored in the address: {notice}."


def _page_number(text) -> int:
    text = str(text[0] if isinstance(text, list) and text else text or "1")
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return 1
    return max(1, int(text))


class AdminOrdersState(rx.State):
    """The admin's order list: filters from the URL, one page, sums over all matches."""

    rows: list[AdminOrderRowView] = []
    totals: list[TotalsView] = []
    # The filters shown in the form, as in the URL.
    status_filter: str = "all"
    customer: str = ""
    number: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    # Message per form field, for filters that failed the checks.
    errors: dict[str, str] = {}
    # Why some filters of the URL were ignored.
    notice: str = ""
    # The URL's query, as a key that makes the filter form show the URL's values.
    form_key: str = ""
    export_href: str = EXPORT_PATH
    loaded: bool = False

    def _filters(self) -> admin_orders.OrderFilters:
        return admin_orders.parse_filters(
            status=self.status_filter,
            customer=self.customer,
            number=self.number,
            placed_from=self.date_from,
            placed_to=self.date_to,
        )

    def _show(self, filters: admin_orders.OrderFilters, page: int) -> None:
        self.status_filter = ",".join(s.value for s in filters.statuses) or "all"
        self.customer = filters.customer
        self.number = filters.number
        self.date_from = filters.placed_from.isoformat() if filters.placed_from else ""
        self.date_to = filters.placed_to.isoformat() if filters.placed_to else ""
        with session_scope() as session:
            result = admin_orders.search_orders(session, filters, page=page)
        self.rows = [_row_view(row) for row in result.page.items]
        self.totals = [_totals_view(item) for item in result.totals]
        self.page = result.page.page
        self.pages = result.page.pages
        self.total = result.page.total
        params = filters.query_params()
        self.export_href = EXPORT_PATH + (f"?{urlencode(params)}" if params else "")
        self.form_key = urlencode(params)
        self.loaded = True

    @rx.event
    def load(self):
        """Show the orders that match the filters and page of the URL."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        params = dict(self.router.url.query_parameters)
        page = _page_number(params.pop("page", "1"))
        filters, self.notice = _query_filters(params)
        self.errors = {}
        self._show(filters, page)
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        """Check the typed filters and open the list they select, from page 1."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        try:
            filters = admin_orders.parse_filters(
                status=self.status_filter,
                customer=str(form_data.get("customer", "")),
                number=str(form_data.get("number", "")),
                placed_from=str(form_data.get("from", "")),
                placed_to=str(form_data.get("to", "")),
            )
        except ValidationError as exc:
            self.errors = exc.errors
            return rx.toast.error("Check the highlighted filters.")
        self.errors = {}
        return rx.redirect(list_url(filters))

    @rx.event
    def set_status(self, status: str):
        """Show only orders in one state, or in any state for "all"."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        try:
            filters = dataclasses.replace(
                self._filters(),
                statuses=admin_orders.parse_filters(status=status).statuses,
            )
        except ValidationError as exc:
            self.errors = exc.errors
            return None
        return rx.redirect(list_url(filters))

    @rx.event
    def clear_filters(self):
        """Show every order again."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.errors = {}
        return rx.redirect(LIST_ROUTE)

    @rx.event
    def go_to_page(self, step: int):
        """Move `step` pages forward, or back when negative."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        page = min(max(1, self.page + step), self.pages)
        try:
            filters = self._filters()
        except ValidationError:
            filters = admin_orders.OrderFilters()
        return rx.redirect(list_url(filters, page))


@dataclasses.dataclass
class AdminEventView:
    """One change of the order's state."""

    at: str = ""
    actor: str = ""
    from_label: str = ""
    to_label: str = ""
    note: str = ""


@dataclasses.dataclass
class ActionView:
    """A state the order may move to, as a button."""

    target: str = ""
    label: str = ""
    icon: str = ""
    colour: str = ""
    needs_form: bool = False


def _actor_label(kind: str, user_id: int | None, names: dict[int, str]) -> str:
    if kind == "system":
        return "System"
    name = names.get(user_id, "") if user_id is not None else ""
    role = "Admin" if kind == "admin" else "Customer"
    return f"{role} {name}".strip() if name else f"{role} (account deleted)"


def _payment_text(found: admin_orders.AdminOrderDetail) -> tuple[str, str]:
    """Describe the payment method and its card: brand and last four digits only."""
    order = found.detail.order
    method = PAYMENT_LABELS.get(order.payment_method, order.payment_method)
    payment = found.detail.payment
    if payment is not None and payment.card_last4:
        return method, f"{payment.card_brand} ending {payment.card_last4}"
    return method, ""


class AdminOrderDetailState(rx.State):
    """One order for the admin: lines, figures, address, payment, history, actions."""

    loaded: bool = False
    found: bool = True
    number: str = ""
    status: str = ""
    status_label: str = ""
    status_colour: str = "gray"
    placed_at: str = ""
    customer_name: str = ""
    customer_email: str = ""
    customer_href: str = ""
    # Titles and unit prices as copied when the order was placed.
    lines: list[OrderLineView] = []
    subtotal: str = ""
    shipping: str = ""
    tax: str = ""
    total: str = ""
    ship_to: list[str] = []
    payment_method: str = ""
    payment_card: str = ""
    payment_status: str = ""
    events: list[AdminEventView] = []
    actions: list[ActionView] = []
    # The workflow's message when the last change failed.
    error: str = ""
    # The form of a change with a confirmation step (ship, cancel, refund).
    dialog_open: bool = False
    dialog_target: str = ""
    dialog_title: str = ""
    dialog_text: str = ""
    dialog_confirm: str = ""
    dialog_destructive: bool = False
    dialog_errors: dict[str, str] = {}
    _order_id: int = 0

    def _show(self, found: admin_orders.AdminOrderDetail) -> None:
        order = found.detail.order
        currency = order.currency
        self.found = True
        self._order_id = order.id
        self.number = order.number
        self.status = order.status
        self.status_label = status_label(order.status)
        self.status_colour = STATUS_COLOURS.get(order.status, "gray")
        self.placed_at = _long_time(order.created_at)

        self.customer_name = found.customer.name
        self.customer_email = found.customer.email
        self.customer_href = (
            f"{LIST_ROUTE}?{urlencode({'customer': found.customer.email})}"
        )
        self.lines = order_line_views(
            found.detail.items, currency, href_prefix="/admin/books/"
        )
        self.subtotal = format_money(order.subtotal, currency)
        self.shipping = format_money(order.shipping, currency)
        self.tax = format_money(order.tax, currency)
        self.total = format_money(order.total, currency)

        self.ship_to = address_lines(**dataclasses.asdict(order_address(order)))
        self.payment_method, self.payment_card = _payment_text(found)
        payment = found.detail.payment
        self.payment_status = payment.status.capitalize() if payment else ""

        self.events = [
            AdminEventView(
                at=_long_time(event.created_at),
                actor=_actor_label(
                    event.actor_kind, event.actor_user_id, found.actor_names
                ),
                from_label=status_label(event.from_status) if event.from_status else "",
                to_label=status_label(event.to_status),
                note=event.note,
            )
            for event in found.detail.events
        ]
        self.actions = [
            ActionView(
                target=state.value,
                label=ACTIONS[state].label,
                icon=ACTIONS[state].icon,
                colour=ACTIONS[state].colour,
                needs_form=ACTIONS[state].needs_form,
            )
            for state in found.allowed
        ]

    def _reload(self) -> None:
        with session_scope() as session:
            self._show(admin_orders.get_admin_order(session, self._order_id))

    @rx.event
    def load(self):
        """Load the order named in the URL (/admin/orders/<number>)."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        key = route_argument(self.router.url.path)
        self.error = ""
        self.dialog_open = False
        try:
            with session_scope() as session:
                self._show(admin_orders.get_admin_order(session, key))
        except NotFoundError:
            self.found = False
        self.loaded = True
        return None

    def _change(self, user: User, target: str, note: str = "", tracking_url: str = ""):
        try:
            with session_scope() as session:
                admin_orders.change_order_state(
                    session,
                    self._order_id,
                    target,
                    admin=user,
                    expected_status=self.status,
                    note=note,
                    tracking_url=tracking_url,
                )
        except ValidationError as exc:
            if self.dialog_open and set(exc.errors) <= {"note", "tracking_url"}:
                self.dialog_errors = exc.errors
                return None
            self.error = str(exc)
            return rx.toast.error(self.error)
        except (ConflictError, NotFoundError) as exc:
            # Another admin may have changed the order: show it as it is now.
            self.error = str(exc)
            self.dialog_open = False
            self._reload()
            return rx.toast.error(self.error)
        self.error = ""
        self.dialog_open = False
        self._reload()
        return rx.toast.success(f"Order {self.number} {ACTIONS[S(target)].done}.")

    @rx.event
    def change_state(self, target: str):
        """Move the order to a state that needs no form, such as delivered."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        if target not in ACTIONS or ACTIONS[S(target)].needs_form:
            return rx.toast.error(f"{target[:40]!r} needs its form: use its button.")
        return self._change(user, target)

    @rx.event
    def open_action(self, target: str):
        """Open the confirmation form of a change: ship, cancel or refund."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if target not in DIALOG_TEXTS:
            return rx.toast.error(f"{target[:40]!r} is not a change with a form.")
        spec = ACTIONS[S(target)]
        self.dialog_target = target
        # The label's first word is the verb: Ship, Cancel or Refund.
        verb = spec.label.split()[0]
        self.dialog_title = f"{verb} order {self.number}?"
        self.dialog_text = DIALOG_TEXTS[target]
        self.dialog_confirm = spec.label
        self.dialog_destructive = spec.destructive
        self.dialog_errors = {}
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, is_open: bool):
        """Close the form without a change (Escape, the close button or outside)."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.dialog_open = bool(is_open) and bool(self.dialog_target)
        return None

    @rx.event
    def confirm_action(self, form_data: dict):
        """Make the change of the open form, with its note and tracking link."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        if not self.dialog_open or self.dialog_target not in DIALOG_TEXTS:
            return None
        return self._change(
            user,
            self.dialog_target,
            note=str(form_data.get("note", "")),
            tracking_url=str(form_data.get("tracking_url", "")),
        )
