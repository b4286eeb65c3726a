"""Cart pieces shared by many pages: the header link with its badge, add buttons."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.states.cart import CartState


def cart_link() -> rx.Component:
    """Link to the cart with a badge of the copies in it, updated by every change."""
    return rx.link(
        rx.box(
            rx.icon("shopping-cart", size=20),
            rx.cond(
                CartState.count > 0,
                rx.badge(
                    CartState.count,
                    variant="solid",
                    radius="full",
                    size="1",
                    position="absolute",
                    top="-8px",
                    right="-10px",
                    id="cart-count",
                ),
                rx.fragment(),
            ),
            position="relative",
            display="flex",
        ),
        href="/cart",
        color="var(--gray-12)",
        aria_label=rx.cond(
            CartState.count > 0,
            "Cart, " + CartState.count.to_string() + " items",
            "Cart, empty",
        ),
        id="cart-link",
    )


def add_to_cart_button(
    book_id: rx.Var[int], in_stock: rx.Var[bool], **props
) -> rx.Component:
    """Button that adds one copy of a book; disabled and relabelled when sold out."""
    return rx.button(
        rx.icon("shopping-cart", size=14),
        rx.cond(in_stock, "Add to cart", "Sold out"),
        on_click=CartState.add(book_id, 1),
        disabled=~in_stock,
        size="1",
        variant="soft",
        # Full width, from assets/store.css.
        class_name="add-to-cart",
        **props,
    )
