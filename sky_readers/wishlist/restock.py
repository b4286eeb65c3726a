"""The back-in-stock sweep: mail the wishers of a sold-out book when copies return.

Stock changes in many places (checkout, cancellations, admin edits, imports), so
the sweep does not hook into any of them. It compares each wished-for book's stock
with what it recorded last time (`RestockWatch`):

* stock 0 and no record of it: the book is sold out from now on;
* stock above 0 after a sold-out record: one restock, and one mail to every shopper
  who has the book on the wishlist with notices on, an active account and a
  confirmed address.

The restock and its mails are written in one transaction, and each mail's dedupe
key names the book, the restock's number and the shopper, so one restock sends one
mail per shopper even when two sweeps run at once.

NOTE: a book that sells out and comes back between two sweeps, with no wishlist add
in between, is not seen as sold out; the in-app sweep runs every
RESTOCK_SWEEP_SECONDS (60 by default), so the gap is short.
"""

from __future__ import annotations

import dataclasses
import logging

from babel.numbers import format_currency
from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.core.types import utcnow
from sky_readers.outbox.compose import absolute_url, enqueue_email
from sky_readers.wishlist.models import RestockWatch, WishlistItem
from sky_readers.wishlist.services import watch_if_sold_out

logger = logging.getLogger(__name__)

MAIL_KIND = "back_in_stock"


@dataclasses.dataclass
class SweepReport:
    """Counts of one sweep."""

    watched: int = 0
    sold_out: int = 0
    restocked: int = 0
    mails: int = 0

    def summary(self) -> str:
        """Describe the counts in one line."""
        return (
            f"{self.watched} wished-for books checked, {self.sold_out} newly sold "
            f"out, {self.restocked} back in stock, {self.mails} mails queued"
        )


def _wishers(session: Session, book_id: int) -> list[User]:
    statement = (
        select(User)
        .join(WishlistItem, col(WishlistItem.user_id) == col(User.id))
        .where(
            col(WishlistItem.book_id) == book_id,
            col(WishlistItem.notify_restock).is_(True),
            col(User.is_active).is_(True),
            col(User.email_confirmed_at).is_not(None),
        )
        .order_by(col(User.id))
    )
    return list(session.execute(statement).scalars())


def _claim_restock(session: Session, book_id: int) -> int | None:
    """Count a restock of a book, unless another sweep counted it first.

    Returns:
        The restock's number, or None when the book was not recorded sold out.
    """
    table = RestockWatch.__table__
    return session.execute(
        update(table)
        .where(table.c.book_id == book_id, table.c.sold_out_since.is_not(None))
        .values(
            sold_out_since=None,
            restock_count=table.c.restock_count + 1,
            last_restocked_at=utcnow(),
        )
        .returning(table.c.restock_count)
    ).scalar_one_or_none()


def _queue_notices(session: Session, book: Book, restock_number: int) -> int:
    book_url = absolute_url(f"/books/{book.id}")
    queued = 0
    for user in _wishers(session, book.id):
        enqueue_email(
            session,
            kind=MAIL_KIND,
            to_address=user.email,
            template=MAIL_KIND,
            context={
                "name": user.name,
                "title": book.title,
                "price": format_currency(book.price, book.currency, locale="en_US"),
                "book_url": book_url,
                "wishlist_url": absolute_url("/wishlist"),
            },
            dedupe_key=f"restock:{book.id}:{restock_number}:{user.id}",
        )
        queued += 1
    return queued


def sweep_restocked(session: Session) -> SweepReport:
    """Record sold-out wished-for books and queue notices for restocked ones.

    Args:
        session: Open session; the caller commits, which queues the mails.

    Returns:
        The counts of the sweep.
    """
    report = SweepReport()
    wished = select(col(WishlistItem.book_id)).distinct()
    books = session.execute(
        select(Book).where(col(Book.id).in_(wished)).order_by(col(Book.id))
    ).scalars()
    watches = {
        watch.book_id: watch
        for watch in session.execute(select(RestockWatch)).scalars()
    }
    seen: set[int] = set()
    for book in books:
        seen.add(book.id)
        report.watched += 1
        watch = watches.get(book.id)
        was_sold_out = watch is not None and watch.sold_out_since is not None
        if book.stock_on_hand <= 0:
            if not was_sold_out:
                watch_if_sold_out(session, book.id, book.stock_on_hand)
                report.sold_out += 1
            continue
        if not was_sold_out or book.is_archived:
            continue
        number = _claim_restock(session, book.id)
        if number is None:
            continue
        queued = _queue_notices(session, book, number)
        report.restocked += 1
        report.mails += queued
        logger.info(
            "Book %d is back in stock (restock %d): %d notices queued",
            book.id,
            number,
            queued,
        )

    # Books nobody wishes for any more need no watch.
    if watches.keys() - seen:
        session.execute(
            delete(RestockWatch).where(
                col(RestockWatch.book_id).in_(sorted(watches.keys() - seen))
            )
        )
    return report
