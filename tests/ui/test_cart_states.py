"""Cart and checkout page states: the visitor's cookie, the badge, placing orders."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from sky_readers.accounts import sessions
from sky_readers.core.settings import get_settings
from sky_readers.orders.models import Order
from sky_readers.orders.payments import use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway
from sky_readers.ui.states.cart import NO_COOKIE_MESSAGE, CartState
from sky_readers.ui.states.checkout import TEST_CARD_ROWS, CheckoutState
from tests.orders.fixtures import ADDRESS, add_shopper, add_stocked_book

TOKEN = "visitor-token-for-states-1"


def _with_cookie(state_class, cookie: str, path: str = "/cart"):
    """Build a state as Reflex would for a tab whose websocket sent `cookie`."""
    root = rx.State()
    headers = {"origin": "http://127.0.0.1:3000", "cookie": cookie}
    root.router = RouterData.from_router_data({"headers": headers, "asPath": path})
    return root.get_substate(state_class.get_full_name().split("."))


def _visitor_cookie(token: str = TOKEN) -> str:
    return f"{get_settings().cart_cookie_name}={token}"


@pytest.fixture
def book(engine):
    with Session(engine) as session:
        created = add_stocked_book(session, "Dune", price="10.00", stock=3)
        session.commit()
        return created.id


def _toast_text(spec) -> str:
    return str(spec)


def test_visitor_adds_and_badge_counts(book):
    state = _with_cookie(CartState, _visitor_cookie())
    state.add(book, 2)
    assert state.count == 2
    assert [line.quantity for line in state.lines] == [2]

    fresh = _with_cookie(CartState, _visitor_cookie())
    fresh.load_badge()
    assert fresh.count == 2
    other = _with_cookie(CartState, _visitor_cookie("another-visitor-token"))
    other.load_badge()
    assert other.count == 0


def test_visitor_without_cookie_gets_message(book):
    state = _with_cookie(CartState, "")
    spec = state.add(book, 1)
    assert NO_COOKIE_MESSAGE.split(":")[0][:30] in _toast_text(spec)
    assert state.count == 0


def test_cart_page_caps_and_removes(book):
    state = _with_cookie(CartState, _visitor_cookie())
    spec = state.add(book, 5)
    assert "Only 3 copies" in _toast_text(spec)
    assert state.count == 3
    state.change_quantity(book, "1")
    assert state.count == 1
    state.remove(book)
    assert state.count == 0
    assert state.lines == []


@pytest.mark.asyncio
async def test_checkout_state_places_order(engine, book):
    with Session(engine) as session:
        user = add_shopper(session)
        new_session = sessions.create_session(session, user)
        session.commit()
        user_id = user.id
    cookie = f"{get_settings().session_cookie_name}={new_session.session_id}"

    cart = _with_cookie(CartState, cookie)
    cart.add(book, 1)
    root = _with_cookie(CheckoutState, cookie, "/checkout")
    await root.load()
    assert root.total == "$15.79"
    assert root.address["name"] == user.name

    form = {**ADDRESS, "card_number": "4242424242424242", "card_expiry": "12/39"}
    with use_gateway(TestCardGateway()):
        events = [event async for event in root.place({**form, "card_cvc": "12"})]
        assert "card_cvc" in root.errors
        events = [event async for event in root.place({**form, "card_cvc": "123"})]

    assert root.errors == {}
    assert root.form_error == ""
    with Session(engine) as session:
        order = session.exec(select(Order).where(Order.user_id == user_id)).one()
    assert any(f"/orders/{order.number}" in str(event) for event in events)


def test_checkout_lists_test_cards_as_printed():
    numbers = [row.number for row in TEST_CARD_ROWS]

    assert "3782 822463 10005" in numbers
    assert "4242 4242 4242 4242" in numbers
