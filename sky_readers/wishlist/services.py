"""Add, remove and list the books of a shopper's wishlist.

Functions return plain dataclasses, never table rows. Archived books cannot be
added, and drop out of the list, but their rows stay until the shopper removes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col

from sky_readers.catalog.covers import cover_path
from sky_readers.catalog.models import Book
from sky_readers.catalog.queries import AuthorRef
from sky_readers.core.errors import NotFoundError
from sky_readers.core.ids import is_row_id
from sky_readers.core.types import utcnow
from sky_readers.core.upsert import insert_or_ignore
from sky_readers.wishlist.models import RestockWatch, WishlistItem

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class WishlistEntry:
    """One book on a wishlist, with what the wishlist page shows of it."""

    book_id: int
    title: str
    authors: list[AuthorRef]
    price: Decimal
    currency: str
    stock_on_hand: int
    cover_path: str
    notify_restock: bool
    added_at: dt.datetime

    @property
    def in_stock(self) -> bool:
        """Whether at least one copy can be sold."""
        return self.stock_on_hand > 0


def _sold_book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id) if is_row_id(book_id) else None
    if book is None or book.is_archived:
        msg = f"book {book_id} not found"
        raise NotFoundError(msg)
    return book


def watch_if_sold_out(session: Session, book_id: int, stock_on_hand: int) -> None:
    """Record that a wished-for book is sold out now, unless that is known already.

    The back-in-stock sweep then mails its wishers when copies return, even if that
    happens before the sweep's next run.
    """
    if stock_on_hand > 0:
        return
    now = utcnow()
    table = RestockWatch.__table__
    session.execute(
        insert_or_ignore(session, table, ["book_id"]),
        {
            "book_id": book_id,
            "sold_out_since": now,
            "restock_count": 0,
            "last_restocked_at": None,
        },
    )
    session.execute(
        update(table)
        .where(table.c.book_id == book_id, table.c.sold_out_since.is_(None))
        .values(sold_out_since=now)
    )


def add_to_wishlist(session: Session, *, user_id: int, book_id: int) -> bool:
    """Put a book on a shopper's wishlist; a book already there stays as it is.

    Returns:
        True when the book was added, False when it was on the wishlist already.

    Raises:
        NotFoundError: The book is not sold in the store.
    """
    book = _sold_book(session, book_id)
    # ON CONFLICT DO NOTHING makes a double click or a second tab harmless.
    added = session.execute(
        insert_or_ignore(session, WishlistItem.__table__, ["user_id", "book_id"]),
        {
            "user_id": user_id,
            "book_id": book_id,
            "notify_restock": True,
            "added_at": utcnow(),
        },
    ).rowcount
    if not added:
        return False
    watch_if_sold_out(session, book_id, book.stock_on_hand)
    logger.info("User %d added book %d to the wishlist", user_id, book_id)
    return True


def remove_from_wishlist(session: Session, *, user_id: int, book_id: int) -> bool:
    """Take a book off a shopper's wishlist.

    Returns:
        True when the book was removed, False when it was not on the wishlist.
    """
    if not is_row_id(book_id):
        return False
    result = session.execute(
        delete(WishlistItem).where(
            col(WishlistItem.user_id) == user_id, col(WishlistItem.book_id) == book_id
        )
    )
    return result.rowcount > 0


def set_restock_notice(
    session: Session, *, user_id: int, book_id: int, enabled: bool
) -> None:
    """Switch the back-in-stock mail of one wishlist book on or off.

    Raises:
        NotFoundError: The book is not on the shopper's wishlist.
    """
    if not is_row_id(book_id):
        msg = f"book {book_id} is not on your wishlist"
        raise NotFoundError(msg)
    result = session.execute(
        update(WishlistItem)
        .where(
            col(WishlistItem.user_id) == user_id, col(WishlistItem.book_id) == book_id
        )
        .values(notify_restock=enabled)
    )
    if result.rowcount == 0:
        msg = f"book {book_id} is not on your wishlist"
        raise NotFoundError(msg)


def wishlist_book_ids(session: Session, user_id: int) -> set[int]:
    """Return the ids of the books on a shopper's wishlist, for the heart buttons."""
    return set(
        session.execute(
            select(col(WishlistItem.book_id)).where(
                col(WishlistItem.user_id) == user_id
            )
        ).scalars()
    )


def list_wishlist(session: Session, user_id: int) -> list[WishlistEntry]:
    """List the store books on a shopper's wishlist, the last added first."""
    statement = (
        select(WishlistItem, Book)
        .join(Book, col(Book.id) == col(WishlistItem.book_id))
        .where(col(WishlistItem.user_id) == user_id, col(Book.is_archived).is_(False))
        .order_by(col(WishlistItem.added_at).desc(), col(WishlistItem.id).desc())
        .options(selectinload(Book.authors))
    )
    entries = []
    for item, book in session.execute(statement).all():
        names = [author.name for author in book.authors]
        entries.append(
            WishlistEntry(
                book_id=book.id,
                title=book.title,
                authors=[AuthorRef(name=a.name, slug=a.slug) for a in book.authors],
                price=book.price,
                currency=book.currency,
                stock_on_hand=book.stock_on_hand,
                cover_path=cover_path(book.id, book.cover_image, book.title, names),
                notify_restock=item.notify_restock,
                added_at=item.added_at,
            )
        )
    return entries
