"""Order states: allowed transitions, history, mails once, stock back, has_purchased."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.orders.checkout import place_order
from sky_readers.orders.errors import ConflictError, InvalidTransitionError
from sky_readers.orders.models import OrderEvent, OrderStatus, Payment, PaymentStatus
from sky_readers.orders.payments import use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway
from sky_readers.orders.queries import get_order_detail, has_purchased, list_orders
from sky_readers.orders.workflow import Actor, allowed_next_states, transition
from tests.orders.fixtures import (
    ADDRESS,
    VISA,
    add_shopper,
    add_stocked_book,
    cart_with,
    outbox_kinds,
    stock_of,
)

S = OrderStatus


@pytest.fixture
def gateway():
    with use_gateway(TestCardGateway()) as test_gateway:
        yield test_gateway


@pytest.fixture
def admin(session):
    user = add_shopper(session)
    session.commit()
    return Actor.admin(user.id)


def _order(session, method="test_card", stock=5, quantity=2):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=stock)
    cart = cart_with(session, user, (book, quantity))
    session.commit()
    order = place_order(
        session,
        user=user,
        cart_id=cart.id,
        payment_method=method,
        address=ADDRESS,
        card=VISA if method == "test_card" else None,
        idempotency_key=f"key-{cart.id:08d}",
    ).order
    return user, book, order


def _payment_status(session, order):
    return session.exec(
        select(Payment.status).where(Payment.order_id == order.id)
    ).one()


def test_allowed_next_states_card_order(session, gateway):
    _user, _book, order = _order(session)
    assert allowed_next_states(session, order) == [S.SHIPPED, S.CANCELLED]
    assert allowed_next_states(session, order, Actor.shopper(order.user_id)) == [
        S.CANCELLED
    ]


def test_allowed_next_states_pay_on_delivery(session):
    _user, _book, order = _order(session, method="pay_on_delivery")
    assert allowed_next_states(session, order) == [S.PAID, S.SHIPPED, S.CANCELLED]


def test_card_order_ships_delivers_and_refunds(session, gateway, admin):
    _user, book, order = _order(session)

    transition(
        session, order.id, S.SHIPPED, actor=admin, tracking_url="https://t.example/1"
    )
    session.commit()
    assert allowed_next_states(session, order) == [S.DELIVERED, S.REFUNDED]
    transition(session, order.id, "delivered", actor=admin)
    session.commit()
    assert allowed_next_states(session, order) == [S.REFUNDED]
    refunded = transition(session, order.id, S.REFUNDED, actor=admin, note="Damaged")
    session.commit()

    assert refunded.status == S.REFUNDED.value
    assert allowed_next_states(session, order) == []
    assert stock_of(session, book.id) == 5
    assert _payment_status(session, order) == PaymentStatus.REFUNDED.value
    assert outbox_kinds(session) == ["order_placed", "order_shipped", "order_refunded"]
    events = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id)
    ).all()
    assert [(e.to_status, e.actor_kind, e.actor_user_id) for e in events][2:] == [
        ("shipped", "admin", admin.user_id),
        ("delivered", "admin", admin.user_id),
        ("refunded", "admin", admin.user_id),
    ]
    assert events[-1].note == "Damaged"
    assert all(e.created_at is not None for e in events)


def test_cancel_returns_stock_and_refunds_card(session, gateway, admin):
    _user, book, order = _order(session)
    assert stock_of(session, book.id) == 3

    transition(session, order.id, S.CANCELLED, actor=admin, note="Out of print")
    session.commit()

    assert stock_of(session, book.id) == 5
    assert _payment_status(session, order) == PaymentStatus.REFUNDED.value
    kinds = outbox_kinds(session)
    assert kinds == ["order_placed", "order_cancelled"]


def test_cancel_pay_on_delivery_voids_payment(session, admin):
    user, book, order = _order(session, method="pay_on_delivery")
    transition(session, order.id, S.CANCELLED, actor=Actor.shopper(user.id))
    session.commit()
    assert _payment_status(session, order) == PaymentStatus.VOIDED.value
    assert stock_of(session, book.id) == 5


def test_pay_on_delivery_collected_at_delivery(session, admin):
    _user, _book, order = _order(session, method="pay_on_delivery")
    transition(session, order.id, S.SHIPPED, actor=admin)
    assert allowed_next_states(session, order) == [S.DELIVERED, S.CANCELLED]
    transition(session, order.id, S.DELIVERED, actor=admin)
    session.commit()
    assert _payment_status(session, order) == PaymentStatus.PAID.value
    assert has_purchased(session, order.user_id, _book.id)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], S.DELIVERED),
        ([], S.REFUNDED),
        ([S.SHIPPED], S.PAID),
        ([S.CANCELLED], S.SHIPPED),
        ([S.SHIPPED, S.DELIVERED], S.CANCELLED),
    ],
)
def test_forbidden_transitions(session, gateway, admin, path, target):
    _user, book, order = _order(session)
    for state in path:
        transition(session, order.id, state, actor=admin)
    session.commit()
    stock_before = stock_of(session, book.id)
    mails_before = outbox_kinds(session)

    with pytest.raises(InvalidTransitionError, match="Allowed next states"):
        transition(session, order.id, target, actor=admin)
    session.rollback()

    assert stock_of(session, book.id) == stock_before
    assert outbox_kinds(session) == mails_before


def test_shopper_cannot_cancel_after_shipping(session, gateway, admin):
    user, _book, order = _order(session)
    transition(session, order.id, S.SHIPPED, actor=admin)
    session.commit()
    with pytest.raises(InvalidTransitionError, match="none"):
        transition(session, order.id, S.CANCELLED, actor=Actor.shopper(user.id))


def test_shopper_cannot_touch_others_order(session, gateway):
    _user, _book, order = _order(session)
    stranger = add_shopper(session)
    with pytest.raises(NotFoundError):
        transition(session, order.id, S.CANCELLED, actor=Actor.shopper(stranger.id))


def test_unknown_state_and_order(session, gateway, admin):
    _user, _book, order = _order(session)
    with pytest.raises(ValidationError, match="not an order state"):
        transition(session, order.id, "lost", actor=admin)
    with pytest.raises(NotFoundError):
        transition(session, 999_999, S.SHIPPED, actor=admin)


def test_stale_second_change_conflicts(session, engine, gateway, admin):
    from sqlmodel import Session

    _user, book, order = _order(session)
    with Session(engine) as other:
        stale = other.get(type(order), order.id)
        assert stale.status == S.PAID.value
        transition(session, order.id, S.CANCELLED, actor=admin)
        session.commit()
        # The other admin's page still shows "paid"; its change must not apply.
        with pytest.raises((ConflictError, InvalidTransitionError)):
            transition(other, order.id, S.CANCELLED, actor=admin)
        other.rollback()
    assert stock_of(session, book.id) == 5
    assert outbox_kinds(session).count("order_cancelled") == 1


def test_has_purchased_counts_paid_states_only(session, gateway, admin):
    user, book, order = _order(session)
    other_book = add_stocked_book(session, "Other")
    assert has_purchased(session, user.id, book.id)
    assert not has_purchased(session, user.id, other_book.id)
    transition(session, order.id, S.CANCELLED, actor=admin)
    session.commit()
    assert not has_purchased(session, user.id, book.id)

    cod_user, cod_book, _cod = _order(session, method="pay_on_delivery")
    assert not has_purchased(session, cod_user.id, cod_book.id)


def test_list_orders_and_detail(session, gateway):
    user, _book, order = _order(session)
    summaries = list_orders(session, user.id)
    assert [(s.order.id, s.item_count) for s in summaries] == [(order.id, 2)]

    detail = get_order_detail(session, number=order.number, user_id=user.id)
    assert [item.quantity for item in detail.items] == [2]
    assert [event.to_status for event in detail.events] == ["pending_payment", "paid"]
    assert detail.payment.card_last4 == "4242"
    stranger = add_shopper(session)
    with pytest.raises(NotFoundError):
        get_order_detail(session, number=order.number, user_id=stranger.id)


def test_order_detail_number_any_case(session, gateway):
    user, _book, order = _order(session)
    typed = f"  {order.number.lower()} "

    detail = get_order_detail(session, number=typed, user_id=user.id)

    assert detail.order.id == order.id
    with pytest.raises(NotFoundError):
        get_order_detail(session, number="   ", user_id=user.id)
