"""States of the recommendation shelves: similar books, and picks on the home page."""

from __future__ import annotations

import reflex as rx

from sky_readers.core.db import session_scope
from sky_readers.core.ids import parse_row_id
from sky_readers.recommendations.queries import recommended_for, similar_books
from sky_readers.ui.states.auth import session_user
from sky_readers.ui.states.catalog import BookCard, book_card, route_argument


class SimilarBooksState(rx.State):
    """The "Readers who liked this also liked" shelf of the book page."""

    loaded: bool = False
    similar: list[BookCard] = []

    @rx.event
    def load(self):
        """Read the books similar to the book in the URL."""
        raw_id = route_argument(self.router.url.path)
        self.similar = []
        book_id = parse_row_id(raw_id)
        if book_id is not None:
            with session_scope() as session:
                found = similar_books(session, book_id)
            self.similar = [book_card(item.book) for item in found]
        self.loaded = True


class RecommendedState(rx.State):
    """The "Recommended for you" shelf of the home page, for shoppers with history."""

    picks: list[BookCard] = []

    @rx.event
    def load(self):
        """Pick books for the logged-in shopper; none for other visitors."""
        user = session_user(self)
        if user is None:
            self.picks = []
            return
        with session_scope() as session:
            self.picks = [book_card(book) for book in recommended_for(session, user.id)]
