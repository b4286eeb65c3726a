"""Heart buttons that put a book on the wishlist or take it off."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.states.wishlist import WishlistState

HEART_COLOUR = "#d6336c"


def wishlist_heart(book_id: rx.Var[int]) -> rx.Component:
    """Show a round heart button for a book card, filled when the book is wished for."""
    wished = WishlistState.wished_ids.contains(book_id)
    return rx.icon_button(
        # SVG attributes rather than style props: cards repeat this many times.
        rx.icon(
            "heart",
            size=16,
            custom_attrs={
                "color": HEART_COLOUR,
                "fill": rx.cond(wished, HEART_COLOUR, "none"),
            },
        ),
        on_click=WishlistState.toggle(book_id),
        variant="surface",
        color_scheme="gray",
        radius="full",
        size="2",
        type="button",
        aria_label=rx.cond(wished, "Remove from wishlist", "Add to wishlist"),
        aria_pressed=rx.cond(wished, "true", "false"),
        # Its white backing is in assets/store.css.
        class_name="wishlist-heart",
    )


def wishlist_button(book_id: rx.Var[int]) -> rx.Component:
    """Show the book page's labelled wishlist button."""
    wished = WishlistState.wished_ids.contains(book_id)
    return rx.button(
        rx.icon("heart", size=16, fill=rx.cond(wished, HEART_COLOUR, "none")),
        rx.cond(wished, "On your wishlist", "Add to wishlist"),
        on_click=WishlistState.toggle(book_id),
        variant=rx.cond(wished, "soft", "outline"),
        color_scheme="crimson",
        size="3",
        type="button",
        aria_pressed=rx.cond(wished, "true", "false"),
        id="wishlist-button",
    )
