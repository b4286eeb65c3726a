"""Move a wishlist book into the shopper's cart.

NOTE: `add_book_to_cart` writes the cart tables directly. Once the cart service
offers its own add-to-cart function, call that instead, so its rules (quantity
limits, price changes, stock) apply here too.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlmodel import Session, col

from sky_readers.cart.models import Cart, CartItem, CartStatus
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow
from sky_readers.core.upsert import insert_or_ignore
from sky_readers.wishlist.models import WishlistItem
from sky_readers.wishlist.services import remove_from_wishlist

logger = logging.getLogger(__name__)


def _open_cart_id(session: Session, user_id: int) -> int:
    """Return the id of the shopper's open cart, creating one when there is none."""
    found = session.execute(
        select(col(Cart.id))
        .where(col(Cart.user_id) == user_id, col(Cart.status) == CartStatus.OPEN.value)
        .order_by(col(Cart.id))
    ).first()
    if found is not None:
        return found[0]
    cart = Cart(user_id=user_id, status=CartStatus.OPEN.value)
    session.add(cart)
    session.flush()
    return cart.id


def add_book_to_cart(session: Session, *, user_id: int, book: Book) -> bool:
    """Put one copy of a book into the shopper's open cart at today's price.

    A book already in the cart keeps its line and quantity.

    Returns:
        True when a line was added, False when the cart had the book already.
    """
    cart_id = _open_cart_id(session, user_id)
    added = session.execute(
        insert_or_ignore(session, CartItem.__table__, ["cart_id", "book_id"]),
        {
            "cart_id": cart_id,
            "book_id": book.id,
            "quantity": 1,
            "price_when_added": book.price,
            "added_at": utcnow(),
        },
    ).rowcount
    return bool(added)


def move_to_cart(session: Session, *, user_id: int, book_id: int) -> bool:
    """Move a book from the shopper's wishlist into their cart.

    Returns:
        True when the cart got a new line, False when it had the book already; the
        book leaves the wishlist either way.

    Raises:
        NotFoundError: The book is not on the wishlist, or no longer sold.
        ValidationError: The book is sold out; it stays on the wishlist.
    """
    on_list = session.execute(
        select(col(WishlistItem.id)).where(
            col(WishlistItem.user_id) == user_id, col(WishlistItem.book_id) == book_id
        )
    ).first()
    if on_list is None:
        msg = f"book {book_id} is not on your wishlist"
        raise NotFoundError(msg)
    book = session.get(Book, book_id)
    if book is None or book.is_archived:
        msg = f"book {book_id} is no longer sold"
        raise NotFoundError(msg)
    if book.stock_on_hand <= 0:
        raise ValidationError(
            {
                "book": f"{book.title!r} is sold out, so it stays on your "
                "wishlist until it is back in stock"
            }
        )
    added = add_book_to_cart(session, user_id=user_id, book=book)
    remove_from_wishlist(session, user_id=user_id, book_id=book_id)
    logger.info("User %d moved book %d from the wishlist to the cart", user_id, book_id)
    return added
