"""Book cards and the grids and shelves they sit in."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.cart_widgets import add_to_cart_button
from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.rating import rating_compact
from sky_readers.ui.components.wishlist_button import wishlist_heart
from sky_readers.ui.states.catalog import BookCard

# Cards in the first rows load their covers at once; the rest load lazily.
EAGER_COVERS = 6

_TWO_LINES = {
    "display": "-webkit-box",
    "WebkitLineClamp": "2",
    "WebkitBoxOrient": "vertical",
    "overflow": "hidden",
}


def book_card(
    card: rx.Var[BookCard], eager: rx.Var[bool] | bool = False
) -> rx.Component:
    """Show one book: cover, title, author, price and rating, and an add button.

    A wishlist heart sits over the cover's corner, beside the link rather than in it.
    """
    return rx.flex(
        _card_link(card, eager),
        rx.box(wishlist_heart(card.id), position="absolute", top="6px", right="6px"),
        add_to_cart_button(card.id, card.in_stock),
        direction="column",
        gap="8px",
        position="relative",
        min_width="0",
    )


def _card_link(card: rx.Var[BookCard], eager: rx.Var[bool] | bool) -> rx.Component:
    # The add button sits outside the link, since a button inside a link is invalid.
    return rx.link(
        rx.flex(
            rx.box(
                cover_image(card.cover_path, card.title, eager=eager),
                rx.cond(
                    card.in_stock,
                    rx.fragment(),
                    rx.badge(
                        "Out of stock",
                        color_scheme="gray",
                        variant="solid",
                        position="absolute",
                        top="8px",
                        left="8px",
                    ),
                ),
                position="relative",
                transition="transform 0.15s ease",
                class_name="book-card-cover",
            ),
            rx.text(
                card.title,
                size="2",
                weight="bold",
                color="var(--gray-12)",
                line_height="1.3",
                min_height="2.6em",
                style=_TWO_LINES,
            ),
            rx.text(
                card.author_line,
                size="1",
                color_scheme="gray",
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
            ),
            rx.flex(
                rx.text(card.price, size="2", weight="bold", color="var(--accent-11)"),
                rating_compact(card.rating, card.rating_count),
                justify="between",
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            direction="column",
            spacing="1",
        ),
        href=card.href,
        underline="none",
        class_name="book-card",
        display="block",
        min_width="0",
        _hover={"& .book-card-cover": {"transform": "translateY(-3px)"}},
    )


def book_grid(cards: rx.Var[list[BookCard]]) -> rx.Component:
    """Lay out cards in a grid: two columns on a phone up to six on a wide screen."""
    return rx.grid(
        rx.foreach(cards, lambda card, i: book_card(card, eager=i < EAGER_COVERS)),
        columns=rx.breakpoints(initial="2", sm="3", md="4", lg="6"),
        spacing=rx.breakpoints(initial="4", md="5"),
        width="100%",
        class_name="book-grid",
    )


def book_shelf(cards: rx.Var[list[BookCard]], *, eager: bool = False) -> rx.Component:
    """Lay out cards in one row that scrolls sideways, as on the home page."""
    return rx.flex(
        rx.foreach(
            cards,
            lambda card, i: rx.box(
                book_card(card, eager=(i < EAGER_COVERS) if eager else False),
                width=["42%", "30%", "22%", "calc((100% - 5 * 20px) / 6)"],
                flex_shrink="0",
                scroll_snap_align="start",
            ),
        ),
        gap="20px",
        overflow_x="auto",
        padding_bottom="8px",
        scroll_snap_type="x mandatory",
        class_name="book-shelf",
        width="100%",
    )


def grid_placeholder(count: int = 12) -> rx.Component:
    """Show grey card shapes while a list loads, so the page does not jump."""
    return rx.grid(
        *[
            rx.box(
                rx.box(
                    aspect_ratio="2 / 3",
                    background="#ece4d8",
                    border_radius="4px",
                ),
                rx.box(height="2.6em", margin_top="8px", background="#f1ebe1"),
            )
            for _ in range(count)
        ],
        columns=rx.breakpoints(initial="2", sm="3", md="4", lg="6"),
        spacing=rx.breakpoints(initial="4", md="5"),
        width="100%",
        aria_busy="true",
    )
