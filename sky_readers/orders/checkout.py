"""Placing an order: one transaction that never oversells and never charges twice.

`place_order` runs these steps in one database transaction and commits it itself,
because the payment and the commit must succeed or fail together:

1. Check the account (confirmed address), the payment fields and the address.
2. Mark the cart ordered, which locks its row, so concurrent submissions of one
   cart run one by one. When the cart is no longer open, return the order already
   placed from it (a double click, a retry after a timeout, a second tab).
3. Read the lines with each book's current title and price, price them with
   `price_lines`, and create the order with copied titles and prices.
4. Empty the cart, save the address for next time, queue the confirmation mail.
5. Take the stock of each line with a conditional UPDATE in ascending book id
   order. The database's CHECK keeps stock at zero or more even if this code were
   wrong. This comes late, so the contended book rows stay locked only for the
   payment and the commit.
6. Charge the gateway. A decline raises and rolls everything back.
7. Commit. If the commit fails after a charge, the charge is voided.

Any failure before the commit rolls back stock, cart, order and outbox together.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sky_readers.accounts.models import User
from sky_readers.accounts.services import assert_can_place_order
from sky_readers.cart.models import Cart, CartItem, CartStatus
from sky_readers.cart.services import CART_CLOSED_MESSAGE, max_quantity
from sky_readers.catalog.models import Book
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
from sky_readers.orders.workflow import Actor, new_event
from sky_readers.outbox.order_mail import queue_order_placed

logger = logging.getLogger(__name__)

# Idempotency keys: 8 to 100 visible ASCII characters, such as a UUID.
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,100}$")


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
        if not _claim_cart(session, cart_id, user.id):
            # The cart was ordered meanwhile, perhaps from another tab.
            replay = _earlier_order(session, user, cart_id, key)
            if replay is not None:
                return _replayed(session, replay)
            cart = session.get(Cart, cart_id)
            if cart is None or cart.user_id != user.id:
                raise NotFoundError(f"Cart {cart_id} not found.")
            raise ConflictError(CART_CLOSED_MESSAGE)

        lines = _read_lines(session, cart_id)
        order, items = _create_order(
            session, user, cart_id, gateway, shipping, key, lines, expected_total
        )
        _empty_cart(session, cart_id)
        _save_address(session, user, shipping)
        queue_order_placed(session, order, items, to_address=user.email, name=user.name)

        # The book rows stay locked from here to the commit, so this part is short.
        _take_stock(session, lines)
        outcome = gateway.charge(
            Charge(
                amount=order.total,
                currency=order.currency,
                order_number=order.number,
                idempotency_key=key or f"cart-{cart_id}",
            ),
            card,
        )
        _record_payment(session, order, gateway, outcome)
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

    logger.info(
        "order %s placed: %s %s, %s, %d lines",
        order.number,
        order.total,
        order.currency,
        order.payment_method,
        len(lines),
        extra={"order_id": order.id, "user_id": user.id},
    )
    return PlacedOrder(order=order, created=True)


def _replayed(session: Session, order: Order) -> PlacedOrder:
    """End the transaction and return an order placed earlier, loaded afresh."""
    order_id = order.id
    session.rollback()
    return PlacedOrder(order=session.get(Order, order_id), created=False)


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


def _claim_cart(session: Session, cart_id: int, user_id: int) -> bool:
    """Mark the user's open cart ordered, which also locks its row until commit.

    Concurrent checkouts of the cart wait for the lock and then find it ordered;
    a rollback leaves the cart open again.
    """
    result = session.execute(
        update(Cart)
        .where(Cart.id == cart_id)
        .where(Cart.user_id == user_id)
        .where(Cart.status == CartStatus.OPEN.value)
        .values(status=CartStatus.ORDERED.value, updated_at=utcnow())
    )
    return result.rowcount == 1


def _read_lines(session: Session, cart_id: int) -> list[_StockLine]:
    """Read the cart's lines with each book's current title and price, by book id.

    Raises:
        ValidationError: The cart is empty, or a line is over the per-order limit.
        OutOfStockError: A book is no longer sold.
    """
    rows = session.execute(
        select(
            CartItem.book_id,
            CartItem.quantity,
            Book.title,
            Book.price,
            Book.is_archived,
        )
        .join(Book, Book.id == CartItem.book_id)
        .where(CartItem.cart_id == cart_id)
        .order_by(CartItem.book_id)
    ).all()
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


def _take_stock(session: Session, lines: list[_StockLine]) -> None:
    """Take the stock of every line, in ascending book id order.

    Raises:
        OutOfStockError: Some books are short; every short book is named.
    """
    shortages = []
    for line in sorted(lines, key=lambda line: line.book_id):
        result = session.execute(
            update(Book)
            .where(Book.id == line.book_id)
            .where(Book.stock_on_hand >= line.quantity)
            .where(Book.is_archived.is_(False))
            .values(stock_on_hand=Book.stock_on_hand - line.quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:
            shortages.append(_shortage(session, line))
    if shortages:
        raise OutOfStockError(shortages)


def _shortage(session: Session, item: Any) -> Shortage:
    book = session.exec(
        select(Book.title, Book.stock_on_hand, Book.is_archived).where(
            Book.id == item.book_id
        )
    ).one()
    return Shortage(
        book_id=item.book_id,
        title=book.title,
        requested=item.quantity,
        available=0 if book.is_archived else book.stock_on_hand,
    )


def _create_order(
    session: Session,
    user: User,
    cart_id: int,
    gateway: PaymentGateway,
    shipping: ShippingAddress,
    key: str | None,
    lines: list[_StockLine],
    expected_total: Decimal | None,
) -> tuple[Order, list[OrderItem]]:
    """Price the lines and add the order with its lines and first event."""
    totals = price_lines([LineInput(line.unit_price, line.quantity) for line in lines])
    if expected_total is not None and expected_total != totals.total:
        raise PriceChangedError(
            format_money(expected_total, totals.currency),
            format_money(totals.total, totals.currency),
        )

    now = utcnow()
    order = Order(
        # Replaced below once the id is known; unique until then.
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
    session.add(order)
    session.flush()
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
    placed = new_event(order, None, OrderStatus.PENDING_PAYMENT, Actor.shopper(user.id))
    session.add_all([order, *items, placed])
    session.flush()
    return order, items


def _record_payment(
    session: Session, order: Order, gateway: PaymentGateway, outcome: PaymentOutcome
) -> None:
    """Save the payment and, when the money was taken, mark the order paid."""
    status = PaymentStatus.PAID if outcome.paid else PaymentStatus.PENDING
    rows: list[Any] = [
        Payment(
            order_id=order.id,
            method=gateway.method.value,
            status=status.value,
            amount=order.total,
            currency=order.currency,
            reference=outcome.reference,
            card_brand=outcome.card_brand,
            card_last4=outcome.card_last4,
        )
    ]
    if outcome.paid:
        order.status = OrderStatus.PAID.value
        rows.append(
            new_event(
                order,
                OrderStatus.PENDING_PAYMENT,
                OrderStatus.PAID,
                Actor.system(),
                note=f"Paid by {outcome.card_brand} ending {outcome.card_last4}.",
            )
        )
    session.add_all([order, *rows])
    session.flush()


def order_number(order_id: int, year: int) -> str:
    """Build the readable number of an order, such as "SRH-2026-000123"."""
    return f"{get_settings().order_number_prefix}-{year}-{order_id:06d}"


def _empty_cart(session: Session, cart_id: int) -> None:
    session.execute(
        delete(CartItem)
        .where(CartItem.cart_id == cart_id)
        .execution_options(synchronize_session=False)
    )


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


def _save_address(session: Session, user: User, shipping: ShippingAddress) -> None:
    """Insert or update the user's saved address in one statement."""
    values = {**dataclasses.asdict(shipping), "updated_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SavedAddress.__table__).values(user_id=user.id, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_=values)
    )
