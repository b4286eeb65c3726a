"""Placing an order: one transaction that never oversells and never charges twice.

`place_order` runs these steps in one database transaction and commits it itself,
because the payment and the commit must succeed or fail together:

1. Check the account (confirmed address), the payment fields and the address.
2. Mark the cart ordered, which locks its row, so concurrent submissions of one
   cart run one by one. When the cart is no longer open, return the order already
   placed from it (a double click, a retry after a timeout, a second tab).
3. Empty the cart, reading its lines with each book's current title and price
   in the same statement, price them with `price_lines`, and create the order
   with copied titles and prices.
4. Save the address for next time and queue the confirmation mail.
5. Take the stock of each line with a conditional UPDATE in ascending book id
   order. The database's CHECK keeps stock at zero or more even if this code were
   wrong. This comes late, so the contended book rows stay locked only for the
   payment and the commit.
6. Charge the gateway. A decline raises and rolls everything back.
7. Record the payment, the order's number and state, and its history.
8. Commit. If the commit fails after a charge, the charge is voided.

Any failure before the commit rolls back stock, cart, order and outbox together.

The steps run Core statements, built once, on the session's connection instead of
adding ORM objects. A checkout is about ten short statements, and flushing them
through the unit of work cost more time in Python than the database spent on them.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Insert, Label, bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from sky_readers.accounts.models import User
from sky_readers.accounts.services import assert_can_place_order
from sky_readers.cart.models import Cart, CartItem, CartStatus
from sky_readers.cart.services import CART_CLOSED_MESSAGE, max_quantity
from sky_readers.catalog.models import Book
from sky_readers.core.db import new_row
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import MAX_ROW_ID, is_row_id
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow
from sky_readers.orders.addresses import ShippingAddress, validate_address
from sky_readers.orders.errors import (
    ConflictError,
    OutOfStockError,
    PriceChangedError,
    Shortage,
)
from sky_readers.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
    SavedAddress,
)
from sky_readers.orders.payments import (
    CardDetails,
    Charge,
    PaymentGateway,
    PaymentOutcome,
    get_gateway,
)
from sky_readers.orders.pricing import LineInput, price_lines
from sky_readers.orders.workflow import Actor, event_values
from sky_readers.outbox.order_mail import queue_order_placed

logger = logging.getLogger(__name__)

# Idempotency keys: 8 to 100 visible ASCII characters, such as a UUID.
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,100}$")

_CART = Cart.__table__
_CART_ITEM = CartItem.__table__
_BOOK = Book.__table__
_ORDER = Order.__table__

# The statements of every checkout, built once, so SQLAlchemy finds each compiled
# form in its cache without building a cache key first.
_CLAIM_CART = (
    _CART.update()
    .where(_CART.c.id == bindparam("p_cart"))
    .where(_CART.c.user_id == bindparam("p_user"))
    .where(_CART.c.status == CartStatus.OPEN.value)
    .values(status=CartStatus.ORDERED.value, updated_at=bindparam("p_now"))
)


def _of_line_book(column: Column) -> Label:
    """Select a column of the deleted cart line's book, for the RETURNING clause."""
    return (
        select(column)
        .where(_BOOK.c.id == _CART_ITEM.c.book_id)
        .correlate(_CART_ITEM)
        .scalar_subquery()
        .label(column.name)
    )


# Empties the cart and returns what it contained, so the order contains exactly the
# lines removed. The book's fields come from subqueries, which SQLite allows in RETURNING.
_TAKE_LINES = (
    _CART_ITEM.delete()
    .where(_CART_ITEM.c.cart_id == bindparam("p_cart"))
    .returning(
        _CART_ITEM.c.book_id,
        _CART_ITEM.c.quantity,
        _of_line_book(_BOOK.c.title),
        _of_line_book(_BOOK.c.price),
        _of_line_book(_BOOK.c.is_archived),
    )
)
_INSERT_ORDER = _ORDER.insert().returning(_ORDER.c.id)
_INSERT_ORDER_ITEMS = OrderItem.__table__.insert()
_TAKE_STOCK = (
    _BOOK.update()
    .where(_BOOK.c.id == bindparam("p_book"))
    .where(_BOOK.c.stock_on_hand >= bindparam("p_quantity"))
    .where(_BOOK.c.is_archived.is_(False))
    .values(
        stock_on_hand=_BOOK.c.stock_on_hand - bindparam("p_quantity"),
        updated_at=bindparam("p_now"),
    )
)
_READ_SHORT_BOOK = select(
    _BOOK.c.title, _BOOK.c.stock_on_hand, _BOOK.c.is_archived
).where(_BOOK.c.id == bindparam("p_book"))
_SET_NUMBER_AND_STATUS = (
    _ORDER.update()
    .where(_ORDER.c.id == bindparam("p_order"))
    .values(
        number=bindparam("p_number"),
        status=bindparam("p_status"),
        updated_at=bindparam("p_now"),
    )
)
_INSERT_PAYMENT = Payment.__table__.insert()
_INSERT_EVENTS = OrderEvent.__table__.insert()


@dataclasses.dataclass(frozen=True)
class PlacedOrder:
    """Result of a checkout: the order, and whether this call created it."""

    order: Order
    # False when the call repeated a checkout already placed, which returned it.
    created: bool


@dataclasses.dataclass(frozen=True)
class _StockLine:
    book_id: int
    title: str
    unit_price: Decimal
    quantity: int


def check_idempotency_key(key: str | None) -> str | None:
    """Check an Idempotency-Key value; None means the request carries none.

    Raises:
        ValidationError: Under "idempotency_key", for a key of the wrong form.
    """
    if key is None:
        return None
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.match(key):
        raise ValidationError(
            {
                "idempotency_key": "The idempotency key must be 8 to 100 visible "
                "ASCII characters, such as a UUID; send a new one per checkout."
            }
        )
    return key


def place_order(
    session: Session,
    *,
    user: User,
    cart_id: int,
    payment_method: str,
    address: ShippingAddress | Mapping[str, Any] | None = None,
    card: CardDetails | None = None,
    idempotency_key: str | None = None,
    expected_total: Decimal | None = None,
) -> PlacedOrder:
    """Place an order from a user's cart and commit it; see the module docstring.

    Args:
        session: A session with no pending changes, best with expire_on_commit
            off (as `session_scope` opens it); this function commits or rolls it
            back.
        user: The shopper, who must own the cart and have a confirmed address.
        cart_id: The cart to order.
        payment_method: "pay_on_delivery" or "test_card".
        address: Shipping address, as typed (a mapping, validated here) or already
            validated; None uses the address the user ordered to last.
        card: Card fields for "test_card"; never stored or logged.
        idempotency_key: Key of this checkout attempt, the same on every retry; a
            repeat returns the order it placed.
        expected_total: The total the shopper saw; when prices changed since, the
            order is not placed.

    Returns:
        The order and whether this call created it (False for a repeat).

    Raises:
        EmailNotConfirmedError: The user has not confirmed the email address.
        ValidationError: Payment method, card fields, address, idempotency key or
            cart id is invalid, or the cart is empty; every field is named.
        NotFoundError: The cart does not exist or belongs to someone else.
        OutOfStockError: A book sold out or has fewer copies than the cart holds.
        PriceChangedError: The total differs from `expected_total`.
        PaymentDeclinedError: The gateway declined the card.
        ConflictError: The idempotency key belongs to another checkout.
    """
    assert_can_place_order(user)
    key = check_idempotency_key(idempotency_key)
    gateway, shipping = _checked_input(
        session, user, cart_id, payment_method, address, card
    )

    # A repeat needs no check first: its cart is no longer open, so the claim
    # below fails and finds the order, and a key reused for another cart fails on
    # the key's unique index before anything is charged.
    outcome: PaymentOutcome | None = None
    try:
        connection = session.connection()
        if not _claim_cart(connection, cart_id, user.id):
            # The cart was ordered meanwhile, perhaps from another tab.
            replay = _earlier_order(session, user, cart_id, key)
            if replay is not None:
                return _replayed(session, replay)
            cart = session.get(Cart, cart_id)
            if cart is None or cart.user_id != user.id:
                raise NotFoundError(f"Cart {cart_id} not found.")
            raise ConflictError(CART_CLOSED_MESSAGE)

        lines = _take_lines(connection, cart_id)
        order, items = _create_order(
            connection, user, cart_id, gateway, shipping, key, lines, expected_total
        )
        _save_address(connection, user, shipping)
        queue_order_placed(session, order, items, to_address=user.email, name=user.name)

        # The book rows stay locked from here to the commit, so this part is short.
        _take_stock(connection, lines)
        outcome = gateway.charge(
            Charge(
                amount=order.total,
                currency=order.currency,
                order_number=order.number,
                idempotency_key=key or f"cart-{cart_id}",
            ),
            card,
        )
        _record_payment(connection, order, gateway, outcome, Actor.shopper(user.id))
        session.commit()
    except IntegrityError:
        session.rollback()
        if outcome is not None:
            gateway.void(outcome)
        # A simultaneous checkout with the same key or cart committed first.
        replay = _earlier_order(session, user, cart_id, key)
        if replay is None:
            raise
        return _replayed(session, replay)
    except BaseException:
        session.rollback()
        if outcome is not None:
            gateway.void(outcome)
        raise

    _expire_changed_rows(session, cart_id, lines)
    logger.info(
        "order %s placed: %s %s, %s, %d lines",
        order.number,
        order.total,
        order.currency,
        order.payment_method,
        len(lines),
        extra={"order_id": order.id, "user_id": user.id},
    )
    # The order was inserted past the session: hand it over as if loaded by it,
    # like the order a repeat returns.
    make_transient_to_detached(order)
    session.add(order)
    return PlacedOrder(order=order, created=True)


def _replayed(session: Session, order: Order) -> PlacedOrder:
    """End the transaction and return an order placed earlier, loaded afresh."""
    order_id = order.id
    session.rollback()
    return PlacedOrder(order=session.get(Order, order_id), created=False)


def _expire_changed_rows(
    session: Session, cart_id: int, lines: list[_StockLine]
) -> None:
    """Make the session reload the cart and books it holds, which checkout changed.

    The statements went past the session, so objects it loaded before, such as the
    caller's cart, would still show the open cart and the old stock.
    """
    changed = [(Cart, cart_id), *((Book, line.book_id) for line in lines)]
    for model, key in changed:
        instance = session.identity_map.get(identity_key(model, key))
        if instance is not None:
            session.expire(instance)


def _checked_input(
    session: Session,
    user: User,
    cart_id: Any,
    payment_method: str,
    address: ShippingAddress | Mapping[str, Any] | None,
    card: CardDetails | None,
) -> tuple[PaymentGateway, ShippingAddress]:
    """Validate every field before any write, and report all failures at once."""
    errors: dict[str, str] = {}
    if not is_row_id(cart_id):
        errors["cart_id"] = (
            f"{cart_id!r} is not a cart id: send a whole number from 1 to {MAX_ROW_ID}."
        )
    gateway = None
    try:
        gateway = get_gateway(payment_method)
        gateway.check(card)
    except ValidationError as exc:
        errors.update(exc.errors)

    shipping = None
    if isinstance(address, ShippingAddress):
        shipping = address
    elif address is not None:
        try:
            shipping = validate_address(address)
        except ValidationError as exc:
            errors.update({f"shipping_address.{k}": v for k, v in exc.errors.items()})
    else:
        shipping = saved_address(session, user.id)
        if shipping is None:
            errors["shipping_address"] = (
                "A shipping address is required: send name, line1, city, "
                "postal_code and country (and region for US, CA and AU)."
            )
    if errors:
        raise ValidationError(errors)
    return gateway, shipping


def _earlier_order(
    session: Session, user: User, cart_id: int, key: str | None
) -> Order | None:
    """Find the order an earlier attempt of this checkout placed, if any.

    Raises:
        ConflictError: The key was used for a checkout of another cart or user.
    """
    condition = Order.cart_id == cart_id
    if key is not None:
        condition = or_(condition, Order.idempotency_key == key)
    found = session.exec(select(Order).where(condition)).all()
    by_key = next((o for o in found if key and o.idempotency_key == key), None)
    if by_key is not None:
        if by_key.user_id != user.id or by_key.cart_id != cart_id:
            raise ConflictError(
                "This Idempotency-Key was already used for another checkout: "
                "send a new key for each new checkout."
            )
        return by_key
    return next((o for o in found if o.user_id == user.id), None)


def _claim_cart(connection: Connection, cart_id: int, user_id: int) -> bool:
    """Mark the user's open cart ordered, which also locks its row until commit.

    Concurrent checkouts of the cart wait for the lock and then find it ordered;
    a rollback leaves the cart open again.
    """
    result = connection.execute(
        _CLAIM_CART, {"p_cart": cart_id, "p_user": user_id, "p_now": utcnow()}
    )
    return result.rowcount == 1


def _take_lines(connection: Connection, cart_id: int) -> list[_StockLine]:
    """Empty the cart; return its lines with each book's current title and price.

    The lines come sorted by book id. A failure rolls the lines back into the cart.

    Raises:
        ValidationError: The cart is empty, or a line is over the per-order limit.
        OutOfStockError: A book is no longer sold.
    """
    rows = sorted(
        connection.execute(_TAKE_LINES, {"p_cart": cart_id}).all(),
        key=lambda row: row.book_id,
    )
    if not rows:
        raise ValidationError({"cart": "Your cart is empty: add a book first."})
    limit = max_quantity()
    too_many = [row.book_id for row in rows if row.quantity > limit]
    if too_many:
        raise ValidationError(
            {
                "cart": f"At most {limit} copies of a book per order: lower the "
                f"quantity of book {', '.join(map(str, too_many))}."
            }
        )
    archived = [
        Shortage(row.book_id, row.title, row.quantity, 0)
        for row in rows
        if row.is_archived
    ]
    if archived:
        raise OutOfStockError(archived)
    return [_StockLine(r.book_id, r.title, r.price, r.quantity) for r in rows]


def _take_stock(connection: Connection, lines: list[_StockLine]) -> None:
    """Take the stock of every line, in ascending book id order.

    Raises:
        OutOfStockError: Some books are short; every short book is named.
    """
    now = utcnow()
    shortages = []
    for line in sorted(lines, key=lambda line: line.book_id):
        result = connection.execute(
            _TAKE_STOCK,
            {"p_book": line.book_id, "p_quantity": line.quantity, "p_now": now},
        )
        if result.rowcount == 0:
            shortages.append(_shortage(connection, line))
    if shortages:
        raise OutOfStockError(shortages)


def _shortage(connection: Connection, line: _StockLine) -> Shortage:
    book = connection.execute(_READ_SHORT_BOOK, {"p_book": line.book_id}).one()
    return Shortage(
        book_id=line.book_id,
        title=book.title,
        requested=line.quantity,
        available=0 if book.is_archived else book.stock_on_hand,
    )


def _create_order(
    connection: Connection,
    user: User,
    cart_id: int,
    gateway: PaymentGateway,
    shipping: ShippingAddress,
    key: str | None,
    lines: list[_StockLine],
    expected_total: Decimal | None,
) -> tuple[Order, list[OrderItem]]:
    """Price the lines and insert the order and its lines.

    The order is inserted with a placeholder number, unique until
    `_record_payment` stores the number made from its id.
    """
    totals = price_lines([LineInput(line.unit_price, line.quantity) for line in lines])
    if expected_total is not None and expected_total != totals.total:
        raise PriceChangedError(
            format_money(expected_total, totals.currency),
            format_money(totals.total, totals.currency),
        )

    now = utcnow()
    order = Order(
        number=f"new-{uuid.uuid4().hex[:28]}",
        user_id=user.id,
        cart_id=cart_id,
        idempotency_key=key,
        status=OrderStatus.PENDING_PAYMENT.value,
        payment_method=gateway.method.value,
        currency=totals.currency,
        subtotal=totals.subtotal,
        shipping=totals.shipping,
        tax=totals.tax,
        total=totals.total,
        ship_name=shipping.name,
        ship_line1=shipping.line1,
        ship_line2=shipping.line2,
        ship_city=shipping.city,
        ship_region=shipping.region,
        ship_postal_code=shipping.postal_code,
        ship_country=shipping.country,
        created_at=now,
        updated_at=now,
    )
    order.id = connection.execute(
        _INSERT_ORDER, order.model_dump(exclude={"id"})
    ).scalar_one()
    order.number = order_number(order.id, now.year)
    items = [
        OrderItem(
            order_id=order.id,
            book_id=line.book_id,
            title=line.title,
            unit_price=priced.unit_price,
            quantity=priced.quantity,
            line_total=priced.line_total,
        )
        for line, priced in zip(lines, totals.lines, strict=True)
    ]
    # One statement for all lines: SQLAlchemy sends a many-row INSERT.
    connection.execute(
        _INSERT_ORDER_ITEMS, [item.model_dump(exclude={"id"}) for item in items]
    )
    return order, items


def _record_payment(
    connection: Connection,
    order: Order,
    gateway: PaymentGateway,
    outcome: PaymentOutcome,
    placed_by: Actor,
) -> None:
    """Save the payment, the order's number and state, and its history.

    The history starts with the shopper placing the order, at the time it was
    created, and adds the system's "paid" when the money was taken.
    """
    status = PaymentStatus.PAID if outcome.paid else PaymentStatus.PENDING
    events = [
        event_values(
            order.id,
            None,
            OrderStatus.PENDING_PAYMENT,
            placed_by,
            at=order.created_at,
        )
    ]
    if outcome.paid:
        order.status = OrderStatus.PAID.value
        events.append(
            event_values(
                order.id,
                OrderStatus.PENDING_PAYMENT,
                OrderStatus.PAID,
                Actor.system(),
                note=f"Paid by {outcome.card_brand} ending {outcome.card_last4}.",
            )
        )
    order.updated_at = utcnow()
    state = {
        "p_order": order.id,
        "p_number": order.number,
        "p_status": order.status,
        "p_now": order.updated_at,
    }
    payment = new_row(
        Payment,
        order_id=order.id,
        method=gateway.method.value,
        status=status.value,
        amount=order.total,
        currency=order.currency,
        reference=outcome.reference,
        card_brand=outcome.card_brand,
        card_last4=outcome.card_last4,
    )
    connection.execute(_SET_NUMBER_AND_STATUS, state)
    connection.execute(_INSERT_PAYMENT, payment)
    # In this order, so the history's ids follow the time of each change.
    connection.execute(_INSERT_EVENTS, events)


def order_number(order_id: int, year: int) -> str:
    """Build the readable number of an order, such as "SRH-2026-000123"."""
    return f"{get_settings().order_number_prefix}-{year}-{order_id:06d}"


def saved_address(session: Session, user_id: int) -> ShippingAddress | None:
    """Return the address a user last ordered to, or None."""
    row = session.exec(
        select(SavedAddress).where(SavedAddress.user_id == user_id)
    ).first()
    if row is None:
        return None
    return ShippingAddress(
        name=row.name,
        line1=row.line1,
        line2=row.line2,
        city=row.city,
        region=row.region,
        postal_code=row.postal_code,
        country=row.country,
    )


@functools.cache
def _upsert_address(dialect: str) -> Insert:
    """INSERT of a saved address that updates the user's row when there is one."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SavedAddress.__table__)
    changed = [field.name for field in dataclasses.fields(ShippingAddress)]
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: statement.excluded[name] for name in [*changed, "updated_at"]},
    )


def _save_address(
    connection: Connection, user: User, shipping: ShippingAddress
) -> None:
    """Insert or update the user's saved address in one statement."""
    connection.execute(
        _upsert_address(connection.dialect.name),
        {"user_id": user.id, **dataclasses.asdict(shipping), "updated_at": utcnow()},
    )
