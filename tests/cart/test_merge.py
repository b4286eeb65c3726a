"""Merging a visitor's cart into the account's cart at login."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from sky_readers.cart import services
from sky_readers.cart.models import Cart, CartItem, CartStatus
from tests.orders.fixtures import add_shopper, add_stocked_book, cart_with

TOKEN = "visitor-token-0123456789"


def _visitor_cart(session, *lines):
    cart = services.get_or_create_cart(session, anonymous_token=TOKEN)
    for book, quantity in lines:
        services.add_book(session, cart, book.id, quantity)
    session.flush()
    return cart


def _lines(session, cart_id):
    rows = session.exec(
        select(CartItem).where(CartItem.cart_id == cart_id).order_by(CartItem.book_id)
    ).all()
    return [(row.book_id, row.quantity) for row in rows]


def test_merge_moves_and_sums_lines(session):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", stock=20)
    emma = add_stocked_book(session, "Emma", stock=20)
    user_cart = cart_with(session, user, (dune, 2))
    visitor = _visitor_cart(session, (dune, 3), (emma, 1))
    session.commit()

    notices = services.merge_anonymous_cart(
        session, anonymous_token=TOKEN, user_id=user.id
    )
    session.commit()

    assert _lines(session, user_cart.id) == [(dune.id, 5), (emma.id, 1)]
    assert _lines(session, visitor.id) == []
    assert session.get(Cart, visitor.id).status == CartStatus.MERGED.value
    assert notices == ["We added the 2 books you chose before logging in to your cart."]
    assert services.take_notices(session, user_cart) == notices
    assert services.take_notices(session, user_cart) == []


def test_merge_caps_at_stock_and_limit(session):
    user = add_shopper(session)
    few = add_stocked_book(session, "Few", stock=4)
    many = add_stocked_book(session, "Many", stock=100)
    user_cart = cart_with(session, user, (few, 3), (many, 7))
    _visitor_cart(session, (few, 3), (many, 6))
    session.commit()

    notices = services.merge_anonymous_cart(
        session, anonymous_token=TOKEN, user_id=user.id
    )

    assert _lines(session, user_cart.id) == [(few.id, 4), (many.id, 10)]
    assert notices[1:] == [
        "'Few': 6 copies together, capped at 4 (only 4 in stock).",
        "'Many': 13 copies together, capped at 10 (at most 10 per order).",
    ]


def test_merge_keeps_sold_out_line(session):
    user = add_shopper(session)
    book = add_stocked_book(session, "Dune", stock=5)
    _visitor_cart(session, (book, 2))
    book.stock_on_hand = 0
    session.add(book)
    session.commit()

    services.merge_anonymous_cart(session, anonymous_token=TOKEN, user_id=user.id)

    cart = services.get_or_create_cart(session, user_id=user.id)
    view = services.view_cart(session, cart)
    assert [(line.title, line.quantity) for line in view.lines] == [("Dune", 2)]
    assert "sold out" in view.lines[0].problem


def test_merge_keeps_visitor_price_for_notice(session):
    user = add_shopper(session)
    book = add_stocked_book(session, "Dune", price="8.00")
    _visitor_cart(session, (book, 1))
    book.price = Decimal("9.00")
    session.add(book)
    session.commit()

    services.merge_anonymous_cart(session, anonymous_token=TOKEN, user_id=user.id)

    cart = services.get_or_create_cart(session, user_id=user.id)
    assert (
        "went up from $8.00 to $9.00"
        in services.view_cart(session, cart).lines[0].price_notice
    )


def test_merge_twice_does_nothing(session):
    user = add_shopper(session)
    book = add_stocked_book(session)
    _visitor_cart(session, (book, 2))
    session.commit()

    services.merge_anonymous_cart(session, anonymous_token=TOKEN, user_id=user.id)
    session.commit()
    again = services.merge_anonymous_cart(
        session, anonymous_token=TOKEN, user_id=user.id
    )

    cart = services.get_or_create_cart(session, user_id=user.id)
    assert again == []
    assert _lines(session, cart.id) == [(book.id, 2)]


def test_merge_without_token_or_cart(session):
    user = add_shopper(session)
    assert (
        services.merge_anonymous_cart(session, anonymous_token=None, user_id=user.id)
        == []
    )
    assert (
        services.merge_anonymous_cart(
            session, anonymous_token="unknown", user_id=user.id
        )
        == []
    )
