"""State of the wishlist: the heart buttons on every page and the /wishlist page."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx
from babel.dates import format_date

from sky_readers.catalog import queries
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.money import format_money
from sky_readers.ui.formatting import UI_LOCALE
from sky_readers.ui.states.auth import login_redirect, session_user
from sky_readers.wishlist import cart_bridge, services

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class WishlistRow:
    """One book of the wishlist page, ready to show."""

    book_id: int = 0
    href: str = ""
    title: str = ""
    author_line: str = ""
    price: str = ""
    availability: str = ""
    in_stock: bool = False
    cover_path: str = ""
    added: str = ""
    notify: bool = True


class WishlistState(rx.State):
    """The shopper's wishlist: ids for the hearts, rows for the wishlist page."""

    # Ids of the books on the wishlist; empty for visitors who are not logged in.
    wished_ids: list[int] = []
    loaded: bool = False
    rows: list[WishlistRow] = []

    def _load_rows(self, user_id: int) -> None:
        with session_scope() as session:
            entries = services.list_wishlist(session, user_id)
        self.rows = [
            WishlistRow(
                book_id=entry.book_id,
                href=f"/books/{entry.book_id}",
                title=entry.title,
                author_line=queries.author_line(entry.authors),
                price=format_money(entry.price, entry.currency),
                availability=queries.availability(entry.stock_on_hand),
                in_stock=entry.in_stock,
                cover_path=entry.cover_path,
                added=format_date(entry.added_at, format="medium", locale=UI_LOCALE),
                notify=entry.notify_restock,
            )
            for entry in entries
        ]
        self.wished_ids = [row.book_id for row in self.rows]
        self.loaded = True

    @rx.event
    def load_ids(self):
        """Read which books the shopper wishes for, for the heart buttons."""
        user = session_user(self)
        if user is None:
            self.wished_ids = []
            return
        with session_scope() as session:
            self.wished_ids = sorted(services.wishlist_book_ids(session, user.id))

    @rx.event
    def toggle(self, book_id: int):
        """Add a book to the wishlist, or take it off when it is there already."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                if book_id in self.wished_ids:
                    services.remove_from_wishlist(
                        session, user_id=user.id, book_id=book_id
                    )
                    message = "Removed from your wishlist."
                else:
                    services.add_to_wishlist(session, user_id=user.id, book_id=book_id)
                    message = "Added to your wishlist."
                self.wished_ids = sorted(services.wishlist_book_ids(session, user.id))
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        if self.loaded:
            self._load_rows(user.id)
        return rx.toast.success(message)

    @rx.event
    def load_page(self):
        """Read the wishlist page's rows; the page's guard has checked the login."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        self._load_rows(user.id)
        return None

    @rx.event
    def move_to_cart(self, book_id: int):
        """Move a book from the wishlist into the cart."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                added = cart_bridge.move_to_cart(
                    session, user_id=user.id, book_id=book_id
                )
        except ValidationError as exc:
            self._load_rows(user.id)
            return rx.toast.error(next(iter(exc.errors.values())))
        except NotFoundError as exc:
            self._load_rows(user.id)
            return rx.toast.error(str(exc))
        self._load_rows(user.id)
        if added:
            return rx.toast.success("Moved to your cart.")
        return rx.toast.success(
            "It was in your cart already; removed from the wishlist."
        )

    @rx.event
    def remove(self, book_id: int):
        """Take a book off the wishlist."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        with session_scope() as session:
            services.remove_from_wishlist(session, user_id=user.id, book_id=book_id)
        self._load_rows(user.id)
        return rx.toast.success("Removed from your wishlist.")

    @rx.event
    def set_notice(self, book_id: int, enabled: bool):
        """Switch the back-in-stock mail of one book on or off."""
        user = session_user(self)
        if user is None:
            return login_redirect(self)
        try:
            with session_scope() as session:
                services.set_restock_notice(
                    session, user_id=user.id, book_id=book_id, enabled=bool(enabled)
                )
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self._load_rows(user.id)
        return None
