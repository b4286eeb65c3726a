"""Wishlist page: the shopper's wanted books, with move to cart and restock notices."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.layout import STORE_NAME, page_layout, page_on_load
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.wishlist import WishlistRow, WishlistState

ROUTE = "/wishlist"


def _row(row: rx.Var[WishlistRow]) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.link(
                cover_image(row.cover_path, row.title),
                href=row.href,
                width="84px",
                flex_shrink="0",
            ),
            rx.vstack(
                rx.link(row.title, href=row.href, weight="bold", size="4"),
                rx.text(row.author_line, size="2", color_scheme="gray"),
                rx.hstack(
                    rx.text(row.price, weight="bold", color="var(--accent-11)"),
                    rx.badge(
                        row.availability,
                        color_scheme=rx.cond(row.in_stock, "green", "red"),
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.text("Added ", row.added, size="1", color_scheme="gray"),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=row.notify,
                            on_change=lambda on: WishlistState.set_notice(
                                row.book_id, on
                            ),
                            size="1",
                        ),
                        rx.text("Email me when it is back in stock", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="2",
                align="start",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.button(
                    rx.icon("shopping-cart", size=16),
                    "Move to cart",
                    on_click=WishlistState.move_to_cart(row.book_id),
                    disabled=~row.in_stock,
                    class_name="move-to-cart",
                ),
                rx.button(
                    "Remove",
                    variant="soft",
                    color_scheme="gray",
                    on_click=WishlistState.remove(row.book_id),
                    class_name="wishlist-remove",
                ),
                spacing="2",
                align="stretch",
            ),
            spacing="4",
            align="start",
            wrap="wrap",
        ),
        id="wishlist-item-" + row.book_id.to_string(),
        class_name="wishlist-item",
        width="100%",
    )


def wishlist_page() -> rx.Component:
    """Build the wishlist page, whose content renders for logged-in shoppers."""
    return page_layout(
        rx.vstack(
            rx.heading(
                "Your wishlist",
                as_="h1",
                size="8",
                font_family="Georgia, 'Times New Roman', serif",
            ),
            rx.cond(
                rx.State.is_hydrated & WishlistState.loaded,
                rx.cond(
                    WishlistState.rows.length() > 0,
                    rx.vstack(
                        rx.foreach(WishlistState.rows, _row),
                        spacing="3",
                        width="100%",
                        id="wishlist-items",
                    ),
                    rx.callout(
                        "Your wishlist is empty. Tap the heart on any book to keep "
                        "it here.",
                        icon="heart",
                        color_scheme="gray",
                        width="100%",
                        id="wishlist-empty",
                    ),
                ),
                rx.center(rx.spinner(size="3"), padding_y="48px", width="100%"),
            ),
            spacing="5",
            width="100%",
            max_width="860px",
        ),
    )


def register_wishlist_page(app: rx.App) -> None:
    """Add the wishlist page at /wishlist, for logged-in shoppers."""
    app.add_page(
        wishlist_page,
        route=ROUTE,
        title=f"Your wishlist · {STORE_NAME}",
        on_load=page_on_load(AuthState.require_login, WishlistState.load_page),
    )
