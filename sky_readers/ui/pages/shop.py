"""Routes of the cart, checkout and order pages."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.pages.cart import cart_page
from sky_readers.ui.pages.checkout import checkout_page
from sky_readers.ui.pages.orders import order_detail_page, order_history_page
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.cart import CartState
from sky_readers.ui.states.checkout import CheckoutState
from sky_readers.ui.states.orders import OrderDetailState, OrderHistoryState


def register_shop_pages(app: rx.App) -> None:
    """Add the cart page (open to visitors) and the checkout and order pages."""
    app.add_page(
        cart_page,
        route="/cart",
        title=f"Your cart · {STORE_NAME}",
        on_load=page_on_load(AuthState.load_user, CartState.load),
    )
    private = (
        (checkout_page, "/checkout", "Checkout", CheckoutState.load),
        (order_history_page, "/orders", "Your orders", OrderHistoryState.load),
        (order_detail_page, "/orders/[number]", "Your order", OrderDetailState.load),
    )
    for component, route, title, handler in private:
        app.add_page(
            component,
            route=route,
            title=f"{title} · {STORE_NAME}",
            on_load=page_on_load(AuthState.require_login, handler),
        )
