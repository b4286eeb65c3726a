"""Order states and the transitions between them, with their side effects.

The admin pages, the shopper's "cancel" button and checkout all change an order's
state through `transition`, which enforces the table below, records each change
with its time and actor, queues the matching mail once and returns the stock on
cancel and refund.

    pending payment -> paid, cancelled, shipped (pay on delivery only)
    paid            -> shipped, cancelled (the payment is refunded)
    shipped         -> delivered, refunded (card payments),
                       cancelled (pay on delivery, refused at the door)
    delivered       -> refunded
    cancelled, refunded: final

A shopper may only cancel an own order that is pending payment or paid.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.core.db import new_row
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow
from sky_readers.orders.errors import ConflictError, InvalidTransitionError
from sky_readers.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from sky_readers.orders.payments import PaymentMethod, get_gateway
from sky_readers.outbox import order_mail

logger = logging.getLogger(__name__)

S = OrderStatus
TRANSITIONS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    S.PENDING_PAYMENT: (S.PAID, S.SHIPPED, S.CANCELLED),
    S.PAID: (S.SHIPPED, S.CANCELLED),
    S.SHIPPED: (S.DELIVERED, S.REFUNDED, S.CANCELLED),
    S.DELIVERED: (S.REFUNDED,),
    S.CANCELLED: (),
    S.REFUNDED: (),
}
# States a shopper may cancel an own order from: before it ships.
SHOPPER_CANCELLABLE = (S.PENDING_PAYMENT, S.PAID)
# Transitions that put the books back on the shelf.
RESTOCKING = (S.CANCELLED, S.REFUNDED)
STATUS_LABELS = {
    S.PENDING_PAYMENT: "Pending payment",
    S.PAID: "Paid",
    S.SHIPPED: "Shipped",
    S.DELIVERED: "Delivered",
    S.CANCELLED: "Cancelled",
    S.REFUNDED: "Refunded",
}


class ActorKind(enum.StrEnum):
    """Kind of actor that changes an order's state."""

    SHOPPER = "shopper"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclasses.dataclass(frozen=True)
class Actor:
    """The person or process behind a transition, as the order's history shows it."""

    kind: ActorKind
    # The user who acted; None for the system.
    user_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        """Return the actor of automatic changes, such as a captured card payment."""
        return cls(ActorKind.SYSTEM)

    @classmethod
    def admin(cls, user_id: int) -> Actor:
        """Return an admin actor."""
        return cls(ActorKind.ADMIN, user_id)

    @classmethod
    def shopper(cls, user_id: int) -> Actor:
        """Return the shopper who owns the order."""
        return cls(ActorKind.SHOPPER, user_id)


def status_label(status: str) -> str:
    """Name a state for people: "pending_payment" becomes "Pending payment"."""
    try:
        return STATUS_LABELS[OrderStatus(status)]
    except ValueError:
        return status


def _payment(session: Session, order: Order) -> Payment | None:
    return session.exec(select(Payment).where(Payment.order_id == order.id)).first()


def _money_taken(payment: Payment | None) -> bool:
    return payment is not None and payment.status == PaymentStatus.PAID.value


def allowed_next_states(
    session: Session, order: Order, actor: Actor | None = None
) -> list[OrderStatus]:
    """List the states an order may move to now, in the order of the table.

    Args:
        session: The caller's session.
        order: The order, as loaded.
        actor: Who would act; a shopper may only cancel before shipping. None lists
            what an admin or the system may do.

    Returns:
        The allowed next states; empty for a cancelled or refunded order.
    """
    current = OrderStatus(order.status)
    payment = _payment(session, order)
    paid = _money_taken(payment)
    on_delivery = order.payment_method == PaymentMethod.PAY_ON_DELIVERY.value

    allowed = []
    for target in TRANSITIONS[current]:
        if current is S.PENDING_PAYMENT and target is S.SHIPPED and not on_delivery:
            continue
        if current is S.SHIPPED and target is S.REFUNDED and not paid:
            continue
        if current is S.SHIPPED and target is S.CANCELLED and paid:
            continue
        allowed.append(target)
    if actor is not None and actor.kind is ActorKind.SHOPPER:
        if current not in SHOPPER_CANCELLABLE:
            return []
        return [state for state in allowed if state is S.CANCELLED]
    return allowed


def transition(
    session: Session,
    order_id: int,
    to_status: OrderStatus | str,
    *,
    actor: Actor,
    note: str = "",
    tracking_url: str | None = None,
) -> Order:
    """Move an order to a new state, with every side effect of that change.

    The state changes with a conditional UPDATE on the state read, so of two
    simultaneous changes one wins and the other raises ConflictError. The change is
    recorded as an OrderEvent with time, actor and note. Side effects:

    - paid: the pay-on-delivery payment counts as received.
    - shipped: queues the "shipped" mail, with `tracking_url` if given.
    - delivered: a pay-on-delivery payment counts as collected.
    - cancelled: returns the stock; refunds a taken payment, else voids it; queues
      the "cancelled" mail with `note` as the reason.
    - refunded: returns the stock, refunds the payment, queues the "refunded" mail.

    Each mail has a dedupe key per order and event, so it is queued once. The caller
    commits.

    Args:
        session: The caller's session.
        order_id: The order.
        to_status: The new state, as OrderStatus or its value.
        actor: Who makes the change.
        note: Reason or remark, kept in the history; at most 500 characters.
        tracking_url: The carrier's tracking link, for the shipped mail.

    Returns:
        The order in its new state.

    Raises:
        ValidationError: Unknown state, or a note that is too long.
        NotFoundError: No such order, or a shopper's order of someone else.
        InvalidTransitionError: The table does not allow the change.
        ConflictError: Another change of the order happened meanwhile.
    """
    target = _parse_status(to_status)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": "The note is too long: at most 500 characters."})
    order = session.get(Order, order_id)
    if order is None or (
        actor.kind is ActorKind.SHOPPER and order.user_id != actor.user_id
    ):
        msg = f"Order {order_id} not found."
        raise NotFoundError(msg)

    current = OrderStatus(order.status)
    allowed = allowed_next_states(session, order, actor)
    if target not in allowed:
        raise InvalidTransitionError(
            _not_allowed_message(order, current, target, allowed)
        )

    result = session.execute(
        update(Order)
        .where(Order.id == order.id)
        .where(Order.status == current.value)
        .values(status=target.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise ConflictError(
            f"Order {order.number} changed while you were working on it: reload it "
            "and try again."
        )
    session.refresh(order)
    record_event(session, order, current, target, actor=actor, note=note)
    _apply_side_effects(session, order, target, note=note, tracking_url=tracking_url)
    logger.info(
        "order %s: %s -> %s by %s %s",
        order.number,
        current.value,
        target.value,
        actor.kind.value,
        actor.user_id or "",
    )
    return order


def record_event(
    session: Session,
    order: Order,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    *,
    actor: Actor,
    note: str = "",
) -> OrderEvent:
    """Add an order's state change to its history.

    Raises:
        ConflictError: The order already entered that state (a concurrent change).
    """
    event = new_event(order, from_status, to_status, actor, note=note)
    session.add(event)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"Order {order.number} is already {status_label(to_status).lower()}."
        ) from exc
    return event


def new_event(
    order: Order,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    actor: Actor,
    *,
    note: str = "",
) -> OrderEvent:
    """Build the history row of a state change, for the caller to add and flush."""
    return OrderEvent(
        **event_values(order.id, from_status, to_status, actor, note=note)
    )


def event_values(
    order_id: int,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    actor: Actor,
    *,
    note: str = "",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the column values of a state change's history row, for a Core INSERT.

    Args:
        order_id: The order that changed.
        from_status: Its state before; None when the change placed the order.
        to_status: Its new state.
        actor: Who made the change.
        note: Reason or remark.
        at: When the change happened; now by default.
    """
    return new_row(
        OrderEvent,
        order_id=order_id,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        note=note,
        created_at=at or utcnow(),
    )


def _parse_status(value: OrderStatus | str) -> OrderStatus:
    try:
        return OrderStatus(value)
    except ValueError as exc:
        names = ", ".join(status.value for status in OrderStatus)
        raise ValidationError(
            {"status": f"{value!r} is not an order state: use one of {names}."}
        ) from exc


def _not_allowed_message(
    order: Order,
    current: OrderStatus,
    target: OrderStatus,
    allowed: list[OrderStatus],
) -> str:
    options = ", ".join(status_label(s).lower() for s in allowed) or "none (final)"
    return (
        f"Order {order.number} is {status_label(current).lower()} and cannot become "
        f"{status_label(target).lower()}. Allowed next states: {options}."
    )


def _apply_side_effects(
    session: Session,
    order: Order,
    target: OrderStatus,
    *,
    note: str,
    tracking_url: str | None,
) -> None:
    payment = _payment(session, order)
    if target in (S.PAID, S.DELIVERED) and payment is not None:
        if payment.status == PaymentStatus.PENDING.value:
            payment.status = PaymentStatus.PAID.value
            session.add(payment)
    if target in RESTOCKING:
        return_stock(session, order)
        _release_payment(payment)
        if payment is not None:
            session.add(payment)
    session.flush()

    items = _items(session, order)
    user = session.get(User, order.user_id)
    mail = {"to_address": user.email, "name": user.name}
    if target is S.SHIPPED:
        order_mail.queue_order_shipped(
            session, order, items, tracking_url=tracking_url, **mail
        )
    elif target is S.CANCELLED:
        order_mail.queue_order_cancelled(session, order, items, reason=note, **mail)
    elif target is S.REFUNDED:
        order_mail.queue_order_refunded(session, order, items, reason=note, **mail)


def _release_payment(payment: Payment | None) -> None:
    if payment is None:
        return
    if payment.status == PaymentStatus.PAID.value:
        # NOTE: the refund is asked for before the caller commits. Gateways ignore a
        # repeated refund of one reference, so a retry after a failed commit is safe.
        get_gateway(payment.method).refund(
            payment.reference, payment.amount, payment.currency
        )
        payment.status = PaymentStatus.REFUNDED.value
    elif payment.status == PaymentStatus.PENDING.value:
        payment.status = PaymentStatus.VOIDED.value


def _items(session: Session, order: Order) -> list[OrderItem]:
    return list(
        session.exec(
            select(OrderItem)
            .where(OrderItem.order_id == order.id)
            .order_by(OrderItem.id)
        ).all()
    )


def return_stock(session: Session, order: Order) -> None:
    """Put an order's copies back on the shelf, locking books in ascending id order."""
    quantities: dict[int, int] = {}
    for item in _items(session, order):
        quantities[item.book_id] = quantities.get(item.book_id, 0) + item.quantity
    for book_id in sorted(quantities):
        session.execute(
            update(Book)
            .where(Book.id == book_id)
            .values(stock_on_hand=Book.stock_on_hand + quantities[book_id])
            .execution_options(synchronize_session=False)
        )
