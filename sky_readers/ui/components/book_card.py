"""Book cards and the grids and shelves they sit in.

Their classes are styled in assets/store.css rather than with style props, since a
list renders the same card many times.
"""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.cart_widgets import add_to_cart_button
from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.rating import rating_compact
from sky_readers.ui.components.wishlist_button import wishlist_heart
from sky_readers.ui.states.catalog import BookCard

# Cards in the first rows load their covers at once; the rest load lazily.
EAGER_COVERS = 6


def book_card(
    card: rx.Var[BookCard], eager: rx.Var[bool] | bool = False
) -> rx.Component:
    """Show one book: cover, title, author, price and rating, and an add button.

    A wishlist heart sits over the cover's corner, beside the link rather than in it.
    """
    return rx.el.div(
        _card_link(card, eager),
        rx.el.div(wishlist_heart(card.id), class_name="book-card-heart"),
        add_to_cart_button(card.id, card.in_stock),
        class_name="book-card-frame",
    )


def _card_link(card: rx.Var[BookCard], eager: rx.Var[bool] | bool) -> rx.Component:
    # The add button sits outside the link, since a button inside a link is invalid.
    # The texts are plain elements set in the theme's type scale, not Radix text and
    # flex components, because a list renders them a few hundred times.
    return rx.link(
        rx.el.div(
            rx.el.div(
                cover_image(card.cover_path, card.title, eager=eager),
                rx.cond(
                    card.in_stock,
                    rx.fragment(),
                    rx.badge(
                        "Out of stock",
                        color_scheme="gray",
                        variant="solid",
                        class_name="book-card-badge",
                    ),
                ),
                class_name="book-card-cover",
            ),
            rx.el.p(card.title, class_name="book-card-title"),
            rx.el.p(card.author_line, class_name="book-card-author"),
            rx.el.div(
                rx.el.p(card.price, class_name="book-card-price"),
                rating_compact(card.rating, card.rating_count),
                class_name="book-card-meta",
            ),
            class_name="book-card-body",
        ),
        href=card.href,
        underline="none",
        # The card's colours come from its texts, so the link has no hover colour.
        _hover=None,
        class_name="book-card",
    )


def book_grid(cards: rx.Var[list[BookCard]]) -> rx.Component:
    """Lay out cards in a grid: two columns on a phone up to six on a wide screen."""
    return rx.grid(
        rx.foreach(cards, lambda card, i: book_card(card, eager=i < EAGER_COVERS)),
        columns=rx.breakpoints(initial="2", sm="3", md="4", lg="6"),
        spacing=rx.breakpoints(initial="4", md="5"),
        class_name="book-grid",
    )


def book_shelf(cards: rx.Var[list[BookCard]], *, eager: bool = False) -> rx.Component:
    """Lay out cards in one row that scrolls sideways, as on the home page."""
    return rx.el.div(
        rx.foreach(
            cards,
            lambda card, i: rx.el.div(
                book_card(card, eager=(i < EAGER_COVERS) if eager else False),
                class_name="book-shelf-item",
            ),
        ),
        class_name="book-shelf",
    )


def grid_placeholder(count: int = 12) -> rx.Component:
    """Show grey card shapes while a list loads, so the page does not jump."""
    return rx.grid(
        *[
            rx.el.div(
                rx.el.div(class_name="card-placeholder-cover"),
                rx.el.div(class_name="card-placeholder-text"),
            )
            for _ in range(count)
        ],
        columns=rx.breakpoints(initial="2", sm="3", md="4", lg="6"),
        spacing=rx.breakpoints(initial="4", md="5"),
        width="100%",
        aria_busy="true",
    )
