"""Cart page: lines with quantities, notices, the order summary and checkout."""

from __future__ import annotations

import reflex as rx

from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.layout import page_layout
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.cart import CartLineRow, CartState

SERIF = "Georgia, 'Times New Roman', serif"
SHIPPING_NOTE = (
    "Free shipping from "
    + format_money(
        get_settings().free_shipping_threshold, get_settings().default_currency
    )
    + ". Prices and stock are checked again when you place the order."
)


def summary_row(label: str, value: rx.Var | str, **props) -> rx.Component:
    """Build one row of an order summary: a label and an amount aligned right."""
    return rx.flex(
        rx.text(label, size="2"),
        rx.text(value, size="2", weight="medium", **props),
        justify="between",
        width="100%",
    )


def totals_box(state, *children: rx.Component) -> rx.Component:
    """Build the subtotal, shipping, tax and total rows of a state with those vars."""
    return rx.vstack(
        summary_row("Subtotal", state.subtotal, id="summary-subtotal"),
        summary_row("Shipping", state.shipping, id="summary-shipping"),
        summary_row("Tax", state.tax, id="summary-tax"),
        rx.divider(),
        rx.flex(
            rx.text("Total", weight="bold"),
            rx.text(state.total, weight="bold", size="4", id="summary-total"),
            justify="between",
            align="center",
            width="100%",
        ),
        *children,
        spacing="2",
        width="100%",
    )


def notices_list(messages: rx.Var[list[str]], tone: str, icon: str, **props):
    """Show each message of a list as a callout."""
    return rx.vstack(
        rx.foreach(
            messages,
            lambda message: rx.callout(
                message, icon=icon, color_scheme=tone, size="1", width="100%"
            ),
        ),
        width="100%",
        spacing="2",
        **props,
    )


def _line(line: rx.Var[CartLineRow]) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.link(
                cover_image(line.cover_path, line.title, width="64px"),
                href=line.href,
                flex_shrink="0",
            ),
            rx.vstack(
                rx.link(line.title, href=line.href, weight="bold", size="3"),
                rx.text(line.author_line, size="2", color_scheme="gray"),
                rx.text(line.unit_price, " each", size="2"),
                rx.cond(
                    line.price_notice != "",
                    rx.text(line.price_notice, size="1", color_scheme="amber"),
                ),
                rx.cond(
                    line.problem != "",
                    rx.text(
                        line.problem, size="1", color_scheme="red", weight="medium"
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.text(line.line_total, weight="bold", size="3"),
                rx.select(
                    line.quantity_options,
                    value=line.quantity.to_string(),
                    on_change=lambda value: CartState.change_quantity(
                        line.book_id, value
                    ),
                    size="1",
                    aria_label="Quantity of " + line.title,
                    class_name="cart-quantity",
                ),
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Remove",
                    on_click=CartState.remove(line.book_id),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    class_name="cart-remove",
                ),
                align="end",
                spacing="2",
            ),
            spacing="4",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="cart-line",
    )


def _checkout_button() -> rx.Component:
    return rx.cond(
        CartState.logged_in,
        rx.cond(
            CartState.can_check_out,
            rx.button(
                rx.link("Go to checkout", href="/checkout", underline="none"),
                as_child=True,
                size="3",
                width="100%",
                id="go-to-checkout",
            ),
            rx.button(
                "Fix the cart to check out", disabled=True, size="3", width="100%"
            ),
        ),
        rx.vstack(
            rx.button(
                rx.link(
                    "Log in to check out",
                    href="/login?next=/checkout",
                    underline="none",
                ),
                as_child=True,
                size="3",
                width="100%",
                id="login-to-checkout",
            ),
            rx.text(
                "Your cart stays here and joins your account's cart when you log in.",
                size="1",
                color_scheme="gray",
            ),
            width="100%",
        ),
    )


def _cart() -> rx.Component:
    return rx.grid(
        rx.vstack(
            notices_list(CartState.merge_notices, "green", "info", id="merge-notices"),
            notices_list(
                CartState.price_notices,
                "amber",
                "badge-dollar-sign",
                id="price-notices",
            ),
            rx.foreach(CartState.lines, _line),
            spacing="3",
            width="100%",
        ),
        rx.card(
            rx.heading("Order summary", size="4", as_="h2", margin_bottom="8px"),
            totals_box(CartState),
            rx.box(_checkout_button(), margin_top="16px", width="100%"),
            rx.text(
                SHIPPING_NOTE,
                size="1",
                color_scheme="gray",
                margin_top="8px",
            ),
            width="100%",
            id="cart-summary",
        ),
        columns=rx.breakpoints(initial="1", md="1fr 340px"),
        spacing="5",
        align="start",
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.vstack(
        notices_list(CartState.merge_notices, "green", "info"),
        rx.center(
            rx.vstack(
                rx.icon("shopping-cart", size=48, color="var(--accent-9)"),
                rx.heading("Your cart is empty", size="5", as_="h2"),
                rx.text("Find your next book on our shelves.", color_scheme="gray"),
                rx.button(rx.link("Browse the store", href="/"), as_child=True),
                align="center",
                spacing="3",
            ),
            padding_y="48px",
            width="100%",
            id="cart-empty",
        ),
        width="100%",
    )


def cart_page() -> rx.Component:
    """Build the cart page, for visitors and logged-in shoppers alike."""
    return page_layout(
        rx.heading("Your cart", size="7", as_="h1", font_family=SERIF),
        rx.cond(
            AuthState.is_hydrated & CartState.loaded,
            rx.cond(CartState.lines.length() > 0, _cart(), _empty()),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        ),
    )
