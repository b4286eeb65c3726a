"""Cart services: quantities, caps, prices from the server, notices, visitors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from sky_readers.cart import services
from sky_readers.cart.models import Cart, CartItem, CartStatus
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.orders.errors import ConflictError, OutOfStockError
from tests.orders.fixtures import add_shopper, add_stocked_book, cart_with


def test_get_or_create_cart_reuses_users_open_cart(session):
    user = add_shopper(session)
    first = services.get_or_create_cart(session, user_id=user.id)
    second = services.get_or_create_cart(session, user_id=user.id)
    session.commit()
    assert first.id == second.id
    assert first.user_id == user.id
    assert first.status == CartStatus.OPEN.value


def test_open_cart_unique_per_user(session):
    user = add_shopper(session)
    services.get_or_create_cart(session, user_id=user.id)
    session.commit()
    session.add(Cart(user_id=user.id))
    with pytest.raises(Exception, match="(?i)unique"):
        session.commit()
    session.rollback()


def test_visitor_cart_by_token_and_spent_token(session):
    cart = services.get_or_create_cart(session, anonymous_token="token-abc-123456")
    assert cart.anonymous_token == "token-abc-123456"
    again = services.get_or_create_cart(session, anonymous_token="token-abc-123456")
    assert again.id == cart.id

    cart.status = CartStatus.MERGED.value
    session.add(cart)
    session.flush()
    fresh = services.get_or_create_cart(session, anonymous_token="token-abc-123456")
    assert fresh.id != cart.id
    assert fresh.anonymous_token != "token-abc-123456"
    assert len(fresh.anonymous_token) >= 40


def test_add_book_adds_and_sums(session):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=10)
    cart = services.get_or_create_cart(session, user_id=user.id)

    first = services.add_book(session, cart, book.id, 2)
    second = services.add_book(session, cart, book.id, 3)
    session.commit()

    assert first.quantity == 2
    assert second.quantity == 5
    assert not second.capped
    assert second.message == "Added 3 copies of 'Dune' to your cart."
    lines = session.exec(select(CartItem).where(CartItem.cart_id == cart.id)).all()
    assert [(line.book_id, line.quantity) for line in lines] == [(book.id, 5)]
    assert lines[0].price_when_added == Decimal("9.99")


def test_add_book_caps_at_stock(session):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=3)
    cart = services.get_or_create_cart(session, user_id=user.id)

    change = services.add_book(session, cart, book.id, 5)

    assert change.quantity == 3
    assert change.capped
    assert change.message == (
        "Only 3 copies of 'Dune' in stock, so your cart has 3 instead of 5."
    )


def test_add_book_caps_at_limit(session):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=50)
    cart = cart_with(session, user, (book, 8))

    change = services.add_book(session, cart, book.id, 5)

    assert change.quantity == 10
    assert change.capped
    assert "At most 10 copies of a book per order" in change.message
    assert "instead of 13" in change.message


def test_add_sold_out_book_changes_nothing(session):
    user = add_shopper(session)
    book = add_stocked_book(session, stock=0)
    cart = services.get_or_create_cart(session, user_id=user.id)

    with pytest.raises(OutOfStockError, match="'Dune' is sold out"):
        services.add_book(session, cart, book.id, 1)
    assert services.count_items(session, cart) == 0


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "at least 1"),
        (-2, "at least 1"),
        (11, "at most 10"),
        (10**30, "at most 10"),
        (2.5, "not a whole number"),
        ("2", "not a whole number"),
        (True, "not a whole number"),
        (None, "not a whole number"),
    ],
)
def test_add_book_rejects_bad_quantity(session, quantity, message):
    user = add_shopper(session)
    book = add_stocked_book(session)
    cart = services.get_or_create_cart(session, user_id=user.id)
    with pytest.raises(ValidationError) as caught:
        services.add_book(session, cart, book.id, quantity)
    assert message in caught.value.errors["quantity"]


@pytest.mark.parametrize("book_id", [999_999, 0, -1, 2**40])
def test_add_book_unknown_id(session, book_id):
    user = add_shopper(session)
    cart = services.get_or_create_cart(session, user_id=user.id)
    with pytest.raises(NotFoundError, match="not found"):
        services.add_book(session, cart, book_id, 1)


def test_add_archived_book_not_found(session):
    user = add_shopper(session)
    book = add_stocked_book(session)
    book.is_archived = True
    session.add(book)
    cart = services.get_or_create_cart(session, user_id=user.id)
    with pytest.raises(NotFoundError):
        services.add_book(session, cart, book.id, 1)


def test_add_to_ordered_cart_conflicts(session):
    user = add_shopper(session)
    book = add_stocked_book(session)
    cart = services.get_or_create_cart(session, user_id=user.id)
    cart.status = CartStatus.ORDERED.value
    session.add(cart)
    session.flush()
    with pytest.raises(ConflictError, match="reload the page"):
        services.add_book(session, cart, book.id, 1)


def test_set_quantity_and_remove(session):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", stock=4)
    emma = add_stocked_book(session, "Emma", stock=4)
    cart = cart_with(session, user, (dune, 1), (emma, 1))

    change = services.set_quantity(session, cart, dune.id, 6)
    assert change.quantity == 4
    assert change.capped
    services.remove_line(session, cart, emma.id)
    session.commit()

    view = services.view_cart(session, cart)
    assert [(line.title, line.quantity) for line in view.lines] == [("Dune", 4)]
    with pytest.raises(NotFoundError):
        services.remove_line(session, cart, emma.id)
    with pytest.raises(NotFoundError, match="not in your cart"):
        services.set_quantity(session, cart, emma.id, 1)
    with pytest.raises(ValidationError):
        services.set_quantity(session, cart, dune.id, 0)


@pytest.mark.parametrize("book_id", [2**31, 2**63, -(2**63) - 1])
def test_remove_line_huge_id_not_found(session, book_id):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", stock=4)
    cart = cart_with(session, user, (dune, 1))

    with pytest.raises(NotFoundError, match="not in your cart"):
        services.remove_line(session, cart, book_id)

    assert [line.quantity for line in services.view_cart(session, cart).lines] == [1]


def test_view_cart_prices_from_server_and_notices(session):
    user = add_shopper(session)
    dune = add_stocked_book(session, "Dune", price="10.00", stock=5)
    emma = add_stocked_book(session, "Emma", price="20.00", stock=5)
    gone = add_stocked_book(session, "Gone", price="5.00", stock=5)
    cart = cart_with(session, user, (dune, 2), (emma, 3), (gone, 1))

    # Meanwhile the catalog changes: a new price, fewer copies, a sell-out.
    dune.price = Decimal("12.50")
    emma.stock_on_hand = 2
    gone.stock_on_hand = 0
    session.add_all([dune, emma, gone])
    session.commit()

    view = services.view_cart(session, cart)
    dune_line, emma_line, gone_line = view.lines
    assert dune_line.unit_price == Decimal("12.50")
    assert dune_line.line_total == Decimal("25.00")
    assert dune_line.price_notice == (
        "The price of 'Dune' went up from $10.00 to $12.50 since you added it."
    )
    assert emma_line.problem == (
        "Only 2 copies of 'Emma' left: lower the quantity to 2 to check out."
    )
    assert emma_line.max_quantity == 2
    assert gone_line.problem == "'Gone' is sold out: remove it to check out."
    assert not view.can_check_out
    assert view.totals.subtotal == Decimal("90.00")
    assert view.item_count == 6


def test_view_empty_cart_cannot_check_out(session):
    user = add_shopper(session)
    cart = services.get_or_create_cart(session, user_id=user.id)
    view = services.view_cart(session, cart)
    assert view.lines == ()
    assert view.totals.total == Decimal("0.00")
    assert not view.can_check_out


def test_count_items(session):
    user = add_shopper(session)
    cart = cart_with(
        session,
        user,
        (add_stocked_book(session, "A"), 2),
        (add_stocked_book(session, "B"), 3),
    )
    assert services.count_items(session, cart) == 5
    assert services.count_items(session, None) == 0
