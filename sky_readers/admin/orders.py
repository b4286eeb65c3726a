"""Admin work on orders: search with filters, one order with its people, state changes.

The admin pages and the admin API both call these functions, so a filter means the
same in the list, in the CSV export and over HTTP. Figures are the ones stored on
each order when it was placed (by `orders.pricing.price_lines`); nothing here prices
an order again. Dates are UTC calendar days, as on the dashboard, so the paid total
of a date range equals the dashboard's revenue for the same days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, type_coerce
from sqlmodel import Session, col, select

from sky_readers.accounts.models import User
from sky_readers.catalog.queries import Page
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import parse_row_id
from sky_readers.core.types import Money
from sky_readers.orders.errors import ConflictError
from sky_readers.orders.models import Order, OrderItem, OrderStatus, Payment
from sky_readers.orders.queries import PURCHASED_STATES, OrderDetail, get_order_detail
from sky_readers.orders.workflow import (
    Actor,
    allowed_next_states,
    status_label,
    transition,
)

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Longest customer or order number text accepted in a filter.
TEXT_MAX = 200
# Longest tracking link put into the shipped mail.
TRACKING_URL_MAX = 500
# Orders read per query while exporting.
EXPORT_BATCH = 500
# The filter value that means every state.
ALL_STATES = "all"


@dataclasses.dataclass(frozen=True)
class OrderFilters:
    """Which orders to list; empty fields filter nothing.

    `placed_from` and `placed_to` are UTC calendar days, both included.
    """

    statuses: tuple[OrderStatus, ...] = ()
    # Text in the customer's name or email address, case-insensitive.
    customer: str = ""
    # Text in the order number, case-insensitive.
    number: str = ""
    placed_from: dt.date | None = None
    placed_to: dt.date | None = None

    def query_params(self) -> dict[str, str]:
        """Return the filters as URL query parameters, leaving out empty ones."""
        params = {
            "status": ",".join(status.value for status in self.statuses),
            "customer": self.customer,
            "number": self.number,
            "from": self.placed_from.isoformat() if self.placed_from else "",
            "to": self.placed_to.isoformat() if self.placed_to else "",
        }
        return {name: value for name, value in params.items() if value}


@dataclasses.dataclass(frozen=True)
class AdminOrderRow:
    """One order of the admin list, with its customer and number of copies."""

    id: int
    number: str
    status: str
    created_at: dt.datetime
    customer_id: int
    customer_name: str
    customer_email: str
    copies: int
    total: Decimal
    currency: str
    payment_method: str


@dataclasses.dataclass(frozen=True)
class CurrencyTotals:
    """Sums over the matching orders of one currency.

    `paid_total` counts orders that are paid, shipped or delivered, as the
    dashboard's revenue does; `total` counts every matching order.
    """

    currency: str
    orders: int
    total: Decimal
    paid_orders: int
    paid_total: Decimal


@dataclasses.dataclass(frozen=True)
class OrderSearchResult:
    """One page of matching orders and the sums over all of them."""

    page: Page[AdminOrderRow]
    totals: list[CurrencyTotals]


@dataclasses.dataclass(frozen=True)
class AdminOrderDetail:
    """One order as the admin sees it: lines, history, payment, customer, next steps."""

    detail: OrderDetail
    customer: User
    # Name and email of each user who appears in the history, by user id.
    actor_names: dict[int, str]
    allowed: list[OrderStatus]


@dataclasses.dataclass(frozen=True)
class ExportRow:
    """An order with everything the CSV export writes about it."""

    order: Order
    customer_name: str
    customer_email: str
    items: list[OrderItem]
    payment: Payment | None


def _first(value: Any) -> str:
    # Query strings may repeat a parameter; the pages read the first value.
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _parse_statuses(values: list[str]) -> tuple[OrderStatus, ...]:
    parts = [part.strip() for value in values for part in value.split(",")]
    parts = [part for part in parts if part and part != ALL_STATES]
    known = {status.value: status for status in OrderStatus}
    unknown = [part for part in parts if part not in known]
    if unknown:
        names = ", ".join(known)
        raise ValidationError(
            {
                "status": f"unknown order state {unknown[0][:40]!r}: use {ALL_STATES} "
                f"or one or more of {names}, separated by commas"
            }
        )
    # Keep the order of the states table and drop repeats.
    return tuple(status for status in OrderStatus if status.value in parts)


def _parse_day(text: str, field: str, errors: dict[str, str]) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = (
            f"{text[:40]!r} is not a date: use YYYY-MM-DD, such as 2026-04-30"
        )
        return None


def parse_filters(
    *,
    status: str | list[str] = "",
    customer: str = "",
    number: str = "",
    placed_from: str = "",
    placed_to: str = "",
) -> OrderFilters:
    """Check filters as typed in the page or sent in a URL, and build OrderFilters.

    Args:
        status: "all", a state such as "shipped", several states separated by
            commas, or a list of such values (a repeated query parameter).
        customer: Text in the customer's name or email.
        number: Text in the order number.
        placed_from: First UTC day, as YYYY-MM-DD; empty for no lower bound.
        placed_to: Last UTC day, as YYYY-MM-DD; empty for no upper bound.

    Raises:
        ValidationError: Keyed by the parameter name ("status", "customer",
            "number", "from", "to"), with what to send instead.
    """
    errors: dict[str, str] = {}
    statuses: tuple[OrderStatus, ...] = ()
    try:
        values = status if isinstance(status, list) else [status]
        statuses = _parse_statuses([_first(value) for value in values])
    except ValidationError as exc:
        errors.update(exc.errors)
    texts = {"customer": customer.strip(), "number": number.strip()}
    for field, text in texts.items():
        if len(text) > TEXT_MAX:
            errors[field] = f"is longer than {TEXT_MAX} characters: shorten it"
    first = _parse_day(placed_from, "from", errors)
    last = _parse_day(placed_to, "to", errors)
    if first and last and first > last:
        errors["to"] = (
            f"the end date {last.isoformat()} is before the start date "
            f"{first.isoformat()}: swap them"
        )
    if errors:
        raise ValidationError(errors)
    return OrderFilters(
        statuses=statuses,
        customer=texts["customer"],
        number=texts["number"],
        placed_from=first,
        placed_to=last,
    )


def filters_from_query(params: Mapping[str, Any]) -> OrderFilters:
    """Build OrderFilters from URL query parameters (status, customer, number, from, to).

    Raises:
        ValidationError: A parameter is invalid; see `parse_filters`.
    """
    status = params.get("status", "")
    return parse_filters(
        status=status if isinstance(status, list) else _first(status),
        customer=_first(params.get("customer", "")),
        number=_first(params.get("number", "")),
        placed_from=_first(params.get("from", "")),
        placed_to=_first(params.get("to", "")),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _conditions(filters: OrderFilters) -> list:
    where = []
    if filters.statuses:
        where.append(col(Order.status).in_([s.value for s in filters.statuses]))
    if filters.customer:
        # NOTE: SQLite's lower() folds ASCII letters only, so there "ÉMILE" does not
        # find "émile"; PostgreSQL folds every letter.
        text = filters.customer.lower()
        where.append(
            or_(
                func.lower(User.name).contains(text, autoescape=True),
                col(User.email).contains(text, autoescape=True),
            )
        )
    if filters.number:
        where.append(
            func.upper(Order.number).contains(filters.number.upper(), autoescape=True)
        )
    if filters.placed_from:
        where.append(col(Order.created_at) >= _day_start(filters.placed_from))
    if filters.placed_to:
        next_day = filters.placed_to + dt.timedelta(days=1)
        where.append(col(Order.created_at) < _day_start(next_day))
    return where


def _copies_subquery():
    return (
        select(
            col(OrderItem.order_id).label("order_id"),
            func.sum(col(OrderItem.quantity)).label("copies"),
        )
        .group_by(col(OrderItem.order_id))
        .subquery()
    )


def order_totals(session: Session, filters: OrderFilters) -> list[CurrencyTotals]:
    """Count and add up the orders that match, per currency, sorted by currency."""
    paid = col(Order.status).in_([state.value for state in PURCHASED_STATES])
    rows = session.exec(
        select(
            Order.currency,
            func.count().label("orders"),
            type_coerce(func.coalesce(func.sum(col(Order.total)), 0), Money()).label(
                "total"
            ),
            func.count().filter(paid).label("paid_orders"),
            type_coerce(
                func.coalesce(func.sum(col(Order.total)).filter(paid), 0), Money()
            ).label("paid_total"),
        )
        .join(User, col(User.id) == col(Order.user_id))
        .where(*_conditions(filters))
        .group_by(col(Order.currency))
        .order_by(col(Order.currency))
    ).all()
    return [
        CurrencyTotals(
            currency=row.currency,
            orders=row.orders,
            total=row.total,
            paid_orders=row.paid_orders,
            paid_total=row.paid_total,
        )
        for row in rows
    ]


def search_orders(
    session: Session,
    filters: OrderFilters,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> OrderSearchResult:
    """Read one page of the matching orders, newest first, and the sums over all.

    Args:
        session: Open session.
        filters: What to match; `OrderFilters()` matches every order.
        page: Page number from 1; a page past the last gives the last page.
        page_size: Orders per page, 1 to MAX_PAGE_SIZE.

    Raises:
        ValidationError: The page or the page size is out of range.
    """
    errors = {}
    if page < 1:
        errors["page"] = f"page must be 1 or more, not {page}"
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = f"page size must be 1 to {MAX_PAGE_SIZE}, not {page_size}"
    if errors:
        raise ValidationError(errors)

    totals = order_totals(session, filters)
    count = sum(item.orders for item in totals)
    page = min(page, max(1, -(-count // page_size)))
    copies = _copies_subquery()
    rows = session.exec(
        select(Order, User.name, User.email, copies.c.copies)
        .join(User, col(User.id) == col(Order.user_id))
        .join(copies, copies.c.order_id == col(Order.id), isouter=True)
        .where(*_conditions(filters))
        .order_by(col(Order.created_at).desc(), col(Order.id).desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    items = [
        AdminOrderRow(
            id=order.id,
            number=order.number,
            status=order.status,
            created_at=order.created_at,
            customer_id=order.user_id,
            customer_name=name,
            customer_email=email,
            copies=int(copies_count or 0),
            total=order.total,
            currency=order.currency,
            payment_method=order.payment_method,
        )
        for order, name, email, copies_count in rows
    ]
    return OrderSearchResult(
        page=Page(items=items, total=count, page=page, page_size=page_size),
        totals=totals,
    )


def iter_export_rows(
    session: Session, filters: OrderFilters, *, batch_size: int = EXPORT_BATCH
) -> Iterator[ExportRow]:
    """Yield every matching order, newest first, with its lines and payment.

    Orders are read in batches of `batch_size`, each batch starting after the last
    order of the one before (keyset pagination), so memory stays flat however many
    orders match and an order placed during the export is not listed twice.
    """
    after: tuple[dt.datetime, int] | None = None
    while True:
        statement = (
            select(Order, User.name, User.email)
            .join(User, col(User.id) == col(Order.user_id))
            .where(*_conditions(filters))
        )
        if after is not None:
            created, order_id = after
            statement = statement.where(
                or_(
                    col(Order.created_at) < created,
                    and_(col(Order.created_at) == created, col(Order.id) < order_id),
                )
            )
        rows = session.exec(
            statement.order_by(
                col(Order.created_at).desc(), col(Order.id).desc()
            ).limit(batch_size)
        ).all()
        if not rows:
            return
        ids = [order.id for order, _name, _email in rows]
        items: dict[int, list[OrderItem]] = {order_id: [] for order_id in ids}
        for item in session.exec(
            select(OrderItem)
            .where(col(OrderItem.order_id).in_(ids))
            .order_by(col(OrderItem.id))
        ):
            items[item.order_id].append(item)
        payments = {
            payment.order_id: payment
            for payment in session.exec(
                select(Payment).where(col(Payment.order_id).in_(ids))
            )
        }
        for order, name, email in rows:
            yield ExportRow(
                order=order,
                customer_name=name,
                customer_email=email,
                items=items[order.id],
                payment=payments.get(order.id),
            )
        last = rows[-1][0]
        after = (last.created_at, last.id)


def _order_key(key: str | int) -> dict[str, Any]:
    text = str(key).strip()
    if text.isdigit():
        order_id = parse_row_id(text)
        if order_id is None:
            raise NotFoundError(f"Order {text} not found: no order has this id.")
        return {"order_id": order_id}
    return {"number": text.upper()}


def get_admin_order(session: Session, key: str | int) -> AdminOrderDetail:
    """Load one order by its number (such as "SRH-2026-000012") or its numeric id.

    Raises:
        NotFoundError: No order has this number or id.
    """
    if not str(key).strip():
        raise NotFoundError(
            "Order not found: give its number, such as SRH-2026-000012."
        )
    detail = get_order_detail(session, **_order_key(key))
    customer = session.get(User, detail.order.user_id)
    actor_ids = {e.actor_user_id for e in detail.events if e.actor_user_id is not None}
    actor_names = {}
    if actor_ids:
        for user in session.exec(select(User).where(col(User.id).in_(actor_ids))):
            actor_names[user.id] = f"{user.name} <{user.email}>"
    return AdminOrderDetail(
        detail=detail,
        customer=customer,
        actor_names=actor_names,
        allowed=allowed_next_states(session, detail.order),
    )


def check_tracking_url(text: str | None) -> str | None:
    """Return a carrier's tracking link trimmed, or None when empty.

    Raises:
        ValidationError: Under "tracking_url", when the text is not an http or https
            link with a host, or is longer than TRACKING_URL_MAX characters.
    """
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > TRACKING_URL_MAX:
        raise ValidationError(
            {"tracking_url": f"is longer than {TRACKING_URL_MAX} characters"}
        )
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ValidationError(
            {
                "tracking_url": f"{text[:60]!r} is not a link: use the carrier's "
                "https:// address, or leave it empty"
            }
        )
    return text


def change_order_state(
    session: Session,
    key: str | int,
    to_status: OrderStatus | str,
    *,
    admin: User,
    expected_status: str | None = None,
    note: str = "",
    tracking_url: str | None = None,
) -> Order:
    """Move an order to a new state as an admin, through `orders.workflow.transition`.

    When the order left `expected_status` (the state the admin's page showed) but the
    new state is still allowed, the change is rejected: the admin decided on a state
    the order is no longer in. When the new state is not allowed any more, the
    workflow's own message says so. The caller commits.

    Args:
        session: The caller's session.
        key: The order's number or id.
        to_status: The new state.
        admin: The admin who acts, recorded in the history.
        expected_status: The state the admin saw; None skips the check.
        note: Reason or remark, kept in the history and sent in the cancel and
            refund mails.
        tracking_url: The carrier's link, sent in the shipped mail.

    Raises:
        NotFoundError: No such order.
        ValidationError: Unknown state, bad tracking link or too long a note.
        InvalidTransitionError: The order's state does not allow the change.
        ConflictError: The order changed meanwhile.
    """
    tracking = check_tracking_url(tracking_url)
    order = get_order_detail(session, **_order_key(key)).order
    current = order.status
    if expected_status and current != expected_status:
        allowed = [state.value for state in allowed_next_states(session, order)]
        if str(to_status) in allowed:
            raise ConflictError(
                f"Order {order.number} changed while you were looking at it: it is "
                f"now {status_label(current).lower()}. Check it and choose again."
            )
    # The workflow logs the change with the admin's id.
    return transition(
        session,
        order.id,
        to_status,
        actor=Actor.admin(admin.id),
        note=note,
        tracking_url=tracking,
    )
