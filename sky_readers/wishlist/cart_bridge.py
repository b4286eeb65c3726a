"""Move a wishlist book into the shopper's cart through the cart's own rules."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlmodel import Session, col

from sky_readers.cart import services as cart_services
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.ids import is_row_id
from sky_readers.wishlist.models import WishlistItem
from sky_readers.wishlist.services import remove_from_wishlist

logger = logging.getLogger(__name__)


def add_book_to_cart(session: Session, *, user_id: int, book: Book) -> bool:
    """Put one copy of a book into the shopper's open cart at today's price.

    A book already in the cart keeps its line and quantity, so moving it from the
    wishlist never buys a second copy by surprise.

    Returns:
        True when a line was added, False when the cart had the book already.
    """
    cart = cart_services.get_or_create_cart(session, user_id=user_id)
    if cart_services.contains_book(session, cart, book.id):
        return False
    cart_services.add_book(session, cart, book.id, 1)
    return True


def move_to_cart(session: Session, *, user_id: int, book_id: int) -> bool:
    """Move a book from the shopper's wishlist into their cart.

    Returns:
        True when the cart got a new line, False when it had the book already; the
        book leaves the wishlist either way.

    Raises:
        NotFoundError: The book is not on the wishlist, or no longer sold.
        ValidationError: The book is sold out; it stays on the wishlist.
    """
    on_list = None
    if is_row_id(book_id):
        on_list = session.execute(
            select(col(WishlistItem.id)).where(
                col(WishlistItem.user_id) == user_id,
                col(WishlistItem.book_id) == book_id,
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
