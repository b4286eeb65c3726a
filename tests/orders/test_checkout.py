"""Placing orders: one transaction, prices from the server, one order per checkout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from sky_readers.accounts.errors import EmailNotConfirmedError
from sky_readers.cart import services as cart_services
from sky_readers.cart.models import Cart, CartStatus
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.orders import checkout
from sky_readers.orders.checkout import place_order
from sky_readers.orders.errors import ConflictError, OutOfStockError, PriceChangedError
from sky_readers.orders.models import (
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from sky_readers.orders.payments import (
    CardDetails,
    PaymentDeclinedError,
    use_gateway,
)
from sky_readers.orders.payments.test_card import TestCardGateway
from sky_readers.outbox.models import OutboxEmail
from tests.orders.fixtures import (
    ADDRESS,
    VISA,
    add_shopper,
    add_stocked_book,
    cart_with,
    order_count,
    outbox_kinds,
    stock_of,
)

KEY = "checkout-key-0001"


@pytest.fixture
def gateway():
    with use_gateway(TestCardGateway()) as test_gateway:
        yield test_gateway


def _place(session: Session, user, cart, **changes):
    arguments = {
        "user": user,
        "cart_id": cart.id,
        "payment_method": "test_card",
        "address": ADDRESS,
        "card": VISA,
        "idempotency_key": KEY,
        **changes,
    }
    return place_order(session, **arguments)


def test_place_order_with_card(session, gateway):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", price="10.99", stock=5)
    emma = add_stocked_book(session, "Emma", price="7.49", stock=5)
    cart = cart_with(session, user, (emma, 1), (dune, 2))
    session.commit()

    placed = _place(session, user, cart)

    order = placed.order
    assert placed.created
    assert order.number == f"SRH-{order.created_at.year}-{order.id:06d}"
    assert order.status == OrderStatus.PAID.value
    assert (order.subtotal, order.shipping, order.tax, order.total) == (
        Decimal("29.47"),
        Decimal("4.99"),
        Decimal("2.36"),
        Decimal("36.82"),
    )
    items = session.exec(
        select(OrderItem)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.book_id)
    ).all()
    assert [(i.title, i.unit_price, i.quantity, i.line_total) for i in items] == [
        ("Dune", Decimal("10.99"), 2, Decimal("21.98")),
        ("Emma", Decimal("7.49"), 1, Decimal("7.49")),
    ]
    assert stock_of(session, dune.id) == 3
    assert stock_of(session, emma.id) == 4
    assert session.get(Cart, cart.id).status == CartStatus.ORDERED.value
    assert cart_services.count_items(session, cart) == 0
    payment = session.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.status == PaymentStatus.PAID.value
    assert (payment.card_brand, payment.card_last4) == ("Visa", "4242")
    assert payment.amount == Decimal("36.82")
    events = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id)
    ).all()
    assert [(e.from_status, e.to_status, e.actor_kind) for e in events] == [
        (None, "pending_payment", "shopper"),
        ("pending_payment", "paid", "system"),
    ]
    mail = session.exec(select(OutboxEmail)).one()
    assert mail.kind == "order_placed"
    assert mail.to_address == user.email
    assert order.number in mail.subject
    assert "Total:    $36.82" in mail.text_body
    assert "Portland, ME 04101" in mail.text_body
    assert gateway.charge_count == 1


def test_place_order_pay_on_delivery(session):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session, price="40.00"), 1))
    session.commit()

    order = _place(
        session, user, cart, payment_method="pay_on_delivery", card=None
    ).order

    assert order.status == OrderStatus.PENDING_PAYMENT.value
    assert order.shipping == Decimal("0.00")
    payment = session.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.status == PaymentStatus.PENDING.value
    assert payment.card_last4 == ""


def test_no_card_number_is_stored(session, gateway):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session), 1))
    session.commit()
    order = _place(session, user, cart).order

    for table in ("customer_order", "payment", "order_event", "email_outbox"):
        rows = session.connection().exec_driver_sql(f"SELECT * FROM {table}").all()
        assert "4242424242424242" not in str(rows), table
        assert "4242 4242 4242 4242" not in str(rows), table
    assert order.id is not None


def test_repeat_with_same_key_returns_first_order(session, gateway):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=5)
    cart = cart_with(session, user, (book, 2))
    session.commit()

    first = _place(session, user, cart)
    second = _place(session, user, cart)

    assert second.order.id == first.order.id
    assert not second.created
    assert order_count(session) == 1
    assert stock_of(session, book.id) == 3
    assert gateway.charge_count == 1
    assert outbox_kinds(session) == ["order_placed"]


def test_second_tab_with_other_key_returns_first_order(session, gateway):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session), 1))
    session.commit()

    first = _place(session, user, cart, idempotency_key="tab-one-key-1")
    second = _place(session, user, cart, idempotency_key="tab-two-key-2")

    assert second.order.id == first.order.id
    assert not second.created
    assert gateway.charge_count == 1


def test_key_reused_for_other_cart_conflicts(session, gateway):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session, "A"), 1))
    session.commit()
    _place(session, user, cart)
    other_cart = cart_with(session, user, (add_stocked_book(session, "B"), 1))
    session.commit()

    with pytest.raises(ConflictError, match="already used for another checkout"):
        _place(session, user, other_cart)


def test_sold_out_meanwhile_charges_nothing(session, gateway):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", stock=5)
    emma = add_stocked_book(session, "Emma", stock=5)
    cart = cart_with(session, user, (dune, 2), (emma, 3))
    dune.stock_on_hand = 0
    emma.stock_on_hand = 1
    session.add_all([dune, emma])
    session.commit()

    with pytest.raises(OutOfStockError) as caught:
        _place(session, user, cart)

    message = str(caught.value)
    assert "'Dune' is sold out" in message
    assert "only 1 of 'Emma' left (you asked for 3)" in message
    assert "nothing was charged" in message
    assert gateway.charge_count == 0
    assert order_count(session) == 0
    assert stock_of(session, emma.id) == 1
    assert cart_services.count_items(session, cart) == 5


def test_archived_book_keeps_cart(session, gateway):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", stock=5)
    emma = add_stocked_book(session, "Emma", stock=5)
    cart = cart_with(session, user, (dune, 1), (emma, 2))
    emma.is_archived = True
    session.add(emma)
    session.commit()

    with pytest.raises(OutOfStockError) as caught:
        _place(session, user, cart)

    assert "'Emma' is sold out" in str(caught.value)
    assert "Dune" not in str(caught.value)
    assert gateway.charge_count == 0
    assert order_count(session) == 0
    assert stock_of(session, dune.id) == 5
    assert session.get(Cart, cart.id).status == CartStatus.OPEN.value
    assert cart_services.count_items(session, cart) == 3


def test_placed_order_in_session(session, gateway):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session), 1))
    session.commit()

    order = _place(session, user, cart).order

    assert order in session
    assert session.get(type(order), order.id) is order
    assert not session.dirty
    assert not session.new


def test_decline_leaves_everything_unchanged(session, gateway):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=5)
    cart = cart_with(session, user, (book, 2))
    session.commit()

    with pytest.raises(PaymentDeclinedError, match="insufficient funds"):
        _place(
            session,
            user,
            cart,
            card=CardDetails("4000 0000 0000 9995", "12/39", "123"),
        )

    assert order_count(session) == 0
    assert stock_of(session, book.id) == 5
    assert cart_services.count_items(session, cart) == 2
    assert outbox_kinds(session) == []
    # The same checkout succeeds with another card.
    assert _place(session, user, cart).created


@pytest.mark.parametrize("step", ["queue_order_placed", "_record_payment"])
def test_failure_halfway_leaves_stock_cart_and_outbox(
    session, gateway, monkeypatch, step
):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=5)
    cart = cart_with(session, user, (book, 2))
    session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError(f"{step} broke")

    # The mail is queued before the stock is taken; the payment is saved after the
    # card was charged.
    monkeypatch.setattr(checkout, step, broken)
    voided = []
    real_void = gateway.void
    monkeypatch.setattr(gateway, "void", lambda o: (voided.append(o), real_void(o)))
    with pytest.raises(RuntimeError, match="broke"):
        _place(session, user, cart)

    assert order_count(session) == 0
    assert stock_of(session, book.id) == 5
    assert session.get(Cart, cart.id).status == CartStatus.OPEN.value
    assert cart_services.count_items(session, cart) == 2
    assert outbox_kinds(session) == []
    # A charge taken before the failure was voided.
    assert gateway.charge_count == 0
    assert len(voided) == (1 if step == "_record_payment" else 0)


def test_price_changed_since_shown(session, gateway):
    user = add_shopper(session)
    book = add_stocked_book(session, price="10.00")
    cart = cart_with(session, user, (book, 1))
    book.price = Decimal("11.00")
    session.add(book)
    session.commit()

    with pytest.raises(PriceChangedError, match=r"now \$16\.87 instead of \$15\.79"):
        _place(session, user, cart, expected_total=Decimal("15.79"))
    assert stock_of(session, book.id) == 10

    order = _place(session, user, cart, expected_total=Decimal("16.87")).order
    assert order.total == Decimal("16.87")


def test_unconfirmed_account_cannot_order(session, gateway):
    user = add_shopper(session, confirmed=False)
    cart = cart_with(session, user, (add_stocked_book(session), 1))
    session.commit()
    with pytest.raises(EmailNotConfirmedError):
        _place(session, user, cart)
    assert order_count(session) == 0


def test_empty_cart_rejected(session, gateway):
    user = add_shopper(session)
    cart = cart_services.get_or_create_cart(session, user_id=user.id)
    session.commit()
    with pytest.raises(ValidationError) as caught:
        _place(session, user, cart)
    assert "empty" in caught.value.errors["cart"]


def test_other_users_cart_not_found(session, gateway):
    owner = add_shopper(session)
    thief = add_shopper(session)
    cart = cart_with(session, owner, (add_stocked_book(session), 1))
    session.commit()
    with pytest.raises(NotFoundError):
        _place(session, thief, cart)


def test_invalid_input_names_every_field(session):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session), 1))
    session.commit()
    with pytest.raises(ValidationError) as caught:
        _place(
            session,
            user,
            cart,
            address={"country": "US"},
            card=CardDetails("1234", "13/99", "1"),
        )
    errors = caught.value.errors
    assert {"card_number", "card_expiry", "card_cvc"} <= set(errors)
    assert "shipping_address.line1" in errors
    with pytest.raises(ValidationError) as caught:
        _place(session, user, cart, idempotency_key="short")
    assert "idempotency_key" in caught.value.errors


def test_saved_address_used_next_time(session, gateway):
    user = add_shopper(session)
    cart = cart_with(session, user, (add_stocked_book(session, "A"), 1))
    session.commit()
    with pytest.raises(ValidationError) as caught:
        _place(session, user, cart, address=None)
    assert "shipping address is required" in caught.value.errors["shipping_address"]

    _place(session, user, cart)
    assert checkout.saved_address(session, user.id).city == "Portland"
    next_cart = cart_with(session, user, (add_stocked_book(session, "B"), 1))
    session.commit()
    order = _place(
        session, user, next_cart, address=None, idempotency_key="next-key-02"
    ).order
    assert order.ship_city == "Portland"
    assert order.ship_region == "ME"
