"""Wishlist: adding and removing books, moving them to the cart, restock notices."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from sky_readers.cart.models import Cart, CartItem, CartStatus
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.outbox.models import OutboxEmail
from sky_readers.wishlist import cart_bridge, restock, services
from sky_readers.wishlist.models import RestockWatch, WishlistItem
from tests.catalog.builders import add_author, add_book
from tests.reviews.helpers import add_user


def test_add_to_wishlist_once(session):
    book = add_book(session, "Wanted", stock_on_hand=3)
    ada = add_user(session, "Ada")
    session.commit()

    first = services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    second = services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    assert first is True
    assert second is False
    assert services.wishlist_book_ids(session, ada.id) == {book.id}


def test_add_archived_book_not_found(session):
    book = add_book(session, "Gone", is_archived=True)
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError):
        services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    with pytest.raises(NotFoundError):
        services.add_to_wishlist(session, user_id=ada.id, book_id=424242)


def test_remove_from_wishlist(session):
    book = add_book(session, "Unwanted")
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    removed = services.remove_from_wishlist(session, user_id=ada.id, book_id=book.id)
    again = services.remove_from_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    assert removed is True
    assert again is False
    assert services.wishlist_book_ids(session, ada.id) == set()


def test_list_wishlist_newest_first_without_archived(session):
    author = add_author(session, "Writer One")
    first = add_book(session, "First", authors=[author], price="12.50")
    second = add_book(session, "Second", stock_on_hand=0)
    hidden = add_book(session, "Hidden")
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    for book in (first, second, hidden):
        services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    services.add_to_wishlist(session, user_id=bob.id, book_id=first.id)
    hidden.is_archived = True
    session.commit()

    entries = services.list_wishlist(session, ada.id)

    assert [entry.title for entry in entries] == ["Second", "First"]
    assert entries[1].price == Decimal("12.50")
    assert entries[1].authors[0].name == "Writer One"
    assert entries[0].in_stock is False
    assert entries[1].cover_path.startswith("/")


def test_set_restock_notice(session):
    book = add_book(session, "Notice")
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    services.set_restock_notice(session, user_id=ada.id, book_id=book.id, enabled=False)
    session.commit()

    [entry] = services.list_wishlist(session, ada.id)
    assert entry.notify_restock is False
    with pytest.raises(NotFoundError):
        services.set_restock_notice(session, user_id=ada.id, book_id=999, enabled=True)


def test_move_to_cart_adds_line_and_leaves_wishlist(session):
    book = add_book(session, "Movable", price="15.25", stock_on_hand=4)
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    added = cart_bridge.move_to_cart(session, user_id=ada.id, book_id=book.id)
    session.commit()

    assert added is True
    cart = session.exec(select(Cart).where(Cart.user_id == ada.id)).one()
    assert cart.status == CartStatus.OPEN.value
    [line] = session.exec(select(CartItem).where(CartItem.cart_id == cart.id)).all()
    assert (line.book_id, line.quantity) == (book.id, 1)
    assert line.price_when_added == Decimal("15.25")
    assert services.wishlist_book_ids(session, ada.id) == set()


def test_move_to_cart_keeps_existing_line(session):
    book = add_book(session, "Already", stock_on_hand=4)
    ada = add_user(session, "Ada")
    cart = Cart(user_id=ada.id)
    session.add(cart)
    session.flush()
    session.add(
        CartItem(cart_id=cart.id, book_id=book.id, quantity=2, price_when_added="9.00")
    )
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    added = cart_bridge.move_to_cart(session, user_id=ada.id, book_id=book.id)
    session.commit()

    assert added is False
    lines = session.exec(select(CartItem)).all()
    assert [(line.quantity, line.price_when_added) for line in lines] == [
        (2, Decimal("9.00"))
    ]
    assert len(session.exec(select(Cart)).all()) == 1


def test_move_sold_out_book_rejected(session):
    book = add_book(session, "Sold Out", stock_on_hand=0)
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    with pytest.raises(ValidationError, match="sold out"):
        cart_bridge.move_to_cart(session, user_id=ada.id, book_id=book.id)
    session.rollback()

    assert services.wishlist_book_ids(session, ada.id) == {book.id}
    assert session.exec(select(CartItem)).all() == []


def test_move_book_not_on_wishlist_not_found(session):
    book = add_book(session, "Not Listed")
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError, match="not on your wishlist"):
        cart_bridge.move_to_cart(session, user_id=ada.id, book_id=book.id)


@pytest.mark.parametrize("book_id", [0, -1, 2**31, 2**63, 2**70])
def test_wishlist_calls_with_id_past_rows(session, book_id):
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError, match="not found"):
        services.add_to_wishlist(session, user_id=ada.id, book_id=book_id)
    with pytest.raises(NotFoundError, match="not on your wishlist"):
        cart_bridge.move_to_cart(session, user_id=ada.id, book_id=book_id)
    with pytest.raises(NotFoundError, match="not on your wishlist"):
        services.set_restock_notice(
            session, user_id=ada.id, book_id=book_id, enabled=True
        )
    removed = services.remove_from_wishlist(session, user_id=ada.id, book_id=book_id)
    assert removed is False


def _set_stock(session, book_id: int, copies: int) -> None:
    session.get(Book, book_id).stock_on_hand = copies
    session.commit()


def _restock_mails(session) -> list[OutboxEmail]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.kind == restock.MAIL_KIND)
            .order_by(OutboxEmail.id)
        ).all()
    )


def test_sweep_mails_wishers_once_per_restock(session):
    # Given a sold-out book wished for by four shoppers, two of whom get no notice.
    book = add_book(session, "Back <Soon> & Co", price="8.00", stock_on_hand=0)
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    quiet = add_user(session, "Quiet")
    unconfirmed = add_user(session, "Unconfirmed", confirmed=False)
    for user in (ada, bob, quiet, unconfirmed):
        services.add_to_wishlist(session, user_id=user.id, book_id=book.id)
    services.set_restock_notice(
        session, user_id=quiet.id, book_id=book.id, enabled=False
    )
    session.commit()
    assert session.get(RestockWatch, book.id).sold_out_since is not None

    # When copies arrive and the sweep runs twice,
    _set_stock(session, book.id, 5)
    first = restock.sweep_restocked(session)
    session.commit()
    second = restock.sweep_restocked(session)
    session.commit()

    # then Ada and Bob get one mail each, with the title escaped in HTML.
    assert (first.restocked, first.mails) == (1, 2)
    assert (second.restocked, second.mails) == (0, 0)
    mails = _restock_mails(session)
    assert sorted(mail.to_address for mail in mails) == sorted([ada.email, bob.email])
    assert mails[0].subject == "Back <Soon> & Co is back in stock at Sky Readers Haven"
    assert "Back &lt;Soon&gt; &amp; Co" in mails[0].html_body
    assert f"/books/{book.id}" in mails[0].text_body
    assert "$8.00" in mails[0].text_body


def test_sweep_notices_later_restock_again(session):
    book = add_book(session, "Twice", stock_on_hand=2)
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    # In stock when added, so no notice, but the sweep records the sell-out.
    assert restock.sweep_restocked(session).sold_out == 0
    session.commit()
    _set_stock(session, book.id, 0)
    assert restock.sweep_restocked(session).sold_out == 1
    session.commit()
    _set_stock(session, book.id, 1)
    assert restock.sweep_restocked(session).mails == 1
    session.commit()
    _set_stock(session, book.id, 0)
    restock.sweep_restocked(session)
    session.commit()
    _set_stock(session, book.id, 3)
    assert restock.sweep_restocked(session).mails == 1
    session.commit()

    assert len(_restock_mails(session)) == 2
    assert session.get(RestockWatch, book.id).restock_count == 2


def test_sweep_ignores_books_in_stock_throughout(session):
    book = add_book(session, "Plenty", stock_on_hand=9)
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    report = restock.sweep_restocked(session)
    session.commit()

    assert (report.watched, report.sold_out, report.restocked) == (1, 0, 0)
    assert _restock_mails(session) == []


def test_sweep_drops_watch_of_unwished_book(session):
    book = add_book(session, "Forgotten", stock_on_hand=0)
    ada = add_user(session, "Ada")
    services.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()
    services.remove_from_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()

    restock.sweep_restocked(session)
    session.commit()

    assert session.get(RestockWatch, book.id) is None


def test_concurrent_sweeps_mail_once(engine, session):
    book = add_book(session, "Raced", stock_on_hand=0)
    shoppers = [add_user(session, f"Shopper {n}") for n in range(5)]
    for user in shoppers:
        services.add_to_wishlist(session, user_id=user.id, book_id=book.id)
    session.commit()
    _set_stock(session, book.id, 4)
    barrier = threading.Barrier(4)

    def sweep():
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait(timeout=30)
            report = restock.sweep_restocked(own)
            own.commit()
            return report.mails

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = [f.result(timeout=60) for f in [pool.submit(sweep) for _ in range(4)]]

    assert sum(counts) == 5
    assert len(_restock_mails(session)) == 5
    assert session.exec(select(WishlistItem)).all() != []
