"""The frame of every page: header with search, categories and account links; footer."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from sky_readers.core.settings import get_settings
from sky_readers.ui.components.account_forms import confirmation_banner
from sky_readers.ui.components.cart_widgets import cart_link
from sky_readers.ui.components.search_box import search_box
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.cart import CartState
from sky_readers.ui.states.catalog import NavState
from sky_readers.ui.states.page_load import page_loader
from sky_readers.ui.states.wishlist import WishlistState
from sky_readers.ui.styles import TYPED_TEXT

STORE_NAME = get_settings().store_name
# Warm paper tones around the indigo accent of the theme.
PAGE_BACKGROUND = "#faf7f2"
HEADER_BORDER = "#ebe3d6"
FOOTER_BACKGROUND = "#f2ece2"
CONTENT_MAX_WIDTH = "1200px"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"


def page_on_load(*handlers, below_fold: Sequence = ()) -> list:
    """List the on_load events of a page: the login check, its own, then the header's.

    The header and the confirmation banner need to know who is logged in on every
    page. A page whose handlers include an AuthState guard, such as
    `AuthState.require_login`, already looks the user up, so none is added.
    CartState.load_badge fills the header's cart badge, and WishlistState.load_ids
    the wishlist hearts that book cards show. All of them run as one event (see
    `page_loader`), so the page's content and its header arrive in one delta.

    Args:
        *handlers: The page's own on_load handlers.
        below_fold: Handlers of content below the first screen. They run as a second
            event, so the browser renders the first screen and requests its images
            while that content is still on its way.
    """
    auth_state = AuthState.get_full_name()
    checks_login = any(
        getattr(handler, "state_full_name", None) == auth_state for handler in handlers
    )
    login_check = [] if checks_login else [AuthState.load_user]
    first_screen = page_loader(
        [
            *login_check,
            *handlers,
            NavState.load_menu,
            CartState.load_badge,
            WishlistState.load_ids,
        ]
    )
    return first_screen + (page_loader(below_fold) if below_fold else [])


def _logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("book-open", size=20, color="white"),
                width="34px",
                height="34px",
                border_radius="8px",
                background="var(--accent-9)",
                flex_shrink="0",
            ),
            rx.text(
                STORE_NAME,
                size="5",
                weight="bold",
                font_family="Georgia, 'Times New Roman', serif",
                color="var(--gray-12)",
                white_space="nowrap",
            ),
            spacing="2",
            align="center",
        ),
        href="/",
        underline="none",
        aria_label=f"{STORE_NAME} home",
    )


def _categories_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("library", size=16),
                "Categories",
                rx.icon("chevron-down", size=14),
                variant="soft",
                size="2",
            ),
        ),
        rx.menu.content(
            rx.foreach(
                NavState.menu,
                lambda category: rx.menu.item(
                    category.name,
                    # Radix menu items select on click and on Enter; both navigate.
                    on_select=rx.redirect(category.href),
                ),
            ),
            max_height="70vh",
            overflow_y="auto",
        ),
    )


def _account_links() -> rx.Component:
    return rx.hstack(
        rx.cond(
            AuthState.is_admin,
            rx.link(
                rx.hstack(
                    rx.icon("layout-dashboard", size=18),
                    rx.text("Admin", size="2", weight="medium"),
                    spacing="1",
                    align="center",
                ),
                href="/admin",
                underline="none",
                color="var(--gray-12)",
                id="admin-link",
            ),
        ),
        cart_link(),
        rx.cond(
            AuthState.logged_in,
            rx.link(
                rx.icon("heart", size=18),
                href="/wishlist",
                color="var(--gray-12)",
                aria_label="Wishlist",
                id="wishlist-link",
            ),
        ),
        rx.cond(
            AuthState.logged_in,
            rx.link(
                rx.hstack(
                    rx.icon("circle-user", size=18),
                    rx.text(
                        AuthState.user_name, size="2", weight="medium", **TYPED_TEXT
                    ),
                    spacing="1",
                    align="center",
                ),
                href="/account",
                underline="none",
                color="var(--gray-12)",
            ),
            rx.hstack(
                rx.link("Log in", href="/login", size="2", weight="medium"),
                rx.button(
                    rx.link("Sign up", href="/signup", underline="none"),
                    as_child=True,
                    size="2",
                ),
                spacing="3",
                align="center",
            ),
        ),
        spacing="4",
        align="center",
        margin_left="auto",
        id="account-links",
    )


def site_header() -> rx.Component:
    """Build the header: on a phone the menu and search box take a second row."""
    return rx.el.header(
        rx.flex(
            _logo(),
            rx.flex(
                _categories_menu(),
                rx.box(search_box(), flex="1", min_width="0", max_width="520px"),
                spacing="3",
                align="center",
                # A second, full-width row on a phone; mid-row on a desktop.
                flex=["1 1 100%", "1 1 100%", "1 1 auto"],
                order=["3", "3", "0"],
                min_width="0",
            ),
            _account_links(),
            spacing=rx.breakpoints(initial="3", md="5"),
            align="center",
            wrap="wrap",
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding=["10px 16px", "10px 16px", "12px 24px"],
            row_gap="10px",
        ),
        background="rgba(255, 255, 255, 0.96)",
        border_bottom=f"1px solid {HEADER_BORDER}",
        position="sticky",
        top="0",
        z_index="10",
    )


def site_footer() -> rx.Component:
    """Build the footer with the About link and the credit for the book data."""
    return rx.el.footer(
        rx.flex(
            rx.vstack(
                rx.text(
                    STORE_NAME,
                    weight="bold",
                    font_family="Georgia, 'Times New Roman', serif",
                ),
                rx.text(
                    "An independent online bookshop for curious readers.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.hstack(
                rx.link("Home", href="/", size="2"),
                rx.link("About", href="/about", size="2"),
                spacing="4",
            ),
            rx.text(
                "Book data: the goodbooks-10k data set by Zygmunt Zając, from "
                "Goodreads data, licensed ",
                rx.link("CC BY-SA 4.0", href=DATA_LICENCE_URL, is_external=True),
                ".",
                size="1",
                color_scheme="gray",
                max_width="420px",
            ),
            spacing="5",
            justify="between",
            wrap="wrap",
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding="28px 24px",
        ),
        background=FOOTER_BACKGROUND,
        border_top=f"1px solid {HEADER_BORDER}",
        margin_top="48px",
    )


def page_layout(*children: rx.Component, **props) -> rx.Component:
    """Wrap a page's content in the store's header and footer.

    Args:
        *children: The page content.
        **props: More props for the main content box.

    Returns:
        The whole page.
    """
    return rx.flex(
        rx.el.a(
            "Skip to content",
            href="#main",
            class_name="skip-link",
            style={
                "position": "absolute",
                "left": "-9999px",
                "&:focus": {"left": "16px", "top": "8px", "zIndex": "20"},
            },
        ),
        site_header(),
        rx.el.main(
            confirmation_banner(),
            *children,
            id="main",
            width="100%",
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding=["20px 16px", "20px 16px", "28px 24px"],
            flex="1",
            **props,
        ),
        site_footer(),
        direction="column",
        min_height="100vh",
        background=PAGE_BACKGROUND,
    )


def loaded_content(
    state, content: rx.Component, loading: rx.Component, not_found: rx.Component
) -> rx.Component:
    """Show a page's content once its state has loaded, else a placeholder.

    Reflex marks the page unhydrated when a navigation starts, so the placeholder
    also replaces the previous book or list until the new one has arrived.

    Args:
        state: A state class with `loaded` and `found` vars.
        content: What the page shows when the record exists.
        loading: Placeholder of the same shape as the content.
        not_found: What the page shows when the record does not exist.

    Returns:
        The conditional component.
    """
    return rx.cond(
        rx.State.is_hydrated & state.loaded,
        rx.cond(state.found, content, not_found),
        loading,
    )


def not_found_message(title: str, message: str) -> rx.Component:
    """Show that a book, author, category or page does not exist, with a way home."""
    return rx.center(
        rx.vstack(
            rx.icon("book-x", size=48, color="var(--accent-9)"),
            rx.heading(title, size="7", as_="h1"),
            rx.text(message, color_scheme="gray", text_align="center"),
            rx.button(rx.link("Back to the home page", href="/"), as_child=True),
            align="center",
            spacing="4",
            max_width="520px",
        ),
        padding_y="64px",
        id="not-found",
    )
