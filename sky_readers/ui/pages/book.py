"""Book page: cover, authors, price, availability, details, similar books, reviews."""

from __future__ import annotations

import reflex as rx

from sky_readers.core.settings import get_settings
from sky_readers.ui.components.book_card import book_shelf
from sky_readers.ui.components.cover import cover_image
from sky_readers.ui.components.layout import (
    loaded_content,
    not_found_message,
    page_layout,
)
from sky_readers.ui.components.rating import rating_stars
from sky_readers.ui.components.reviews import reviews_section
from sky_readers.ui.components.wishlist_button import wishlist_button
from sky_readers.ui.states.cart import CartState
from sky_readers.ui.states.catalog import BookPageState, Fact, LinkItem
from sky_readers.ui.states.recommendations import SimilarBooksState

SERIF = "Georgia, 'Times New Roman', serif"


def _author_links() -> rx.Component:
    # Some imported books credit nobody; they show no "by" line at all.
    return rx.cond(
        BookPageState.authors.length() > 0,
        rx.text(
            "by ",
            rx.foreach(
                BookPageState.authors,
                lambda author, i: rx.fragment(
                    rx.cond(i > 0, rx.text.span(", "), rx.fragment()),
                    rx.link(author.name, href=author.href, weight="medium"),
                ),
            ),
            size="4",
            id="book-authors",
        ),
        rx.fragment(),
    )


def _category_badge(category: rx.Var[LinkItem]) -> rx.Component:
    return rx.link(
        rx.badge(category.name, variant="soft", size="2", radius="full"),
        href=category.href,
        underline="none",
    )


def _fact(fact: rx.Var[Fact]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(fact.label, min_width="110px"),
        rx.data_list.value(fact.value),
    )


def _purchase_box() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.text(BookPageState.price, size="7", weight="bold", id="book-price"),
            rx.badge(
                BookPageState.availability,
                color_scheme=BookPageState.availability_colour,
                size="2",
                id="book-availability",
            ),
            wishlist_button(BookPageState.current_book_id),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            BookPageState.in_stock,
            rx.flex(
                rx.el.label(
                    "Quantity",
                    html_for="book-quantity",
                    style={"fontSize": "14px"},
                ),
                rx.select(
                    [str(n) for n in range(1, get_settings().cart_max_quantity + 1)],
                    value=CartState.book_quantity,
                    on_change=CartState.choose_book_quantity,
                    size="2",
                    id="book-quantity",
                ),
                rx.button(
                    rx.icon("shopping-cart", size=16),
                    "Add to cart",
                    on_click=CartState.add_chosen(BookPageState.current_book_id),
                    size="3",
                    id="book-add-to-cart",
                ),
                spacing="3",
                align="center",
                margin_top="12px",
                wrap="wrap",
            ),
            rx.text(
                "Sold out for now: check back soon.",
                size="2",
                color_scheme="gray",
                margin_top="8px",
            ),
        ),
        size="2",
        width="fit-content",
    )


def _breadcrumb() -> rx.Component:
    return rx.text(
        rx.link("Home", href="/", color_scheme="gray"),
        rx.cond(
            BookPageState.categories.length() > 0,
            rx.fragment(
                " / ",
                rx.link(
                    BookPageState.categories[0].name,
                    href=BookPageState.categories[0].href,
                    color_scheme="gray",
                ),
            ),
        ),
        size="2",
        color_scheme="gray",
    )


def _details() -> rx.Component:
    return rx.vstack(
        _breadcrumb(),
        rx.cond(
            BookPageState.series != "",
            rx.text(BookPageState.series, size="2", color="var(--accent-11)"),
        ),
        rx.heading(
            BookPageState.title,
            as_="h1",
            size=rx.breakpoints(initial="7", md="8"),
            font_family=SERIF,
            id="book-title",
        ),
        rx.cond(
            BookPageState.subtitle != "",
            rx.text(BookPageState.subtitle, size="4", color="var(--gray-11)"),
        ),
        _author_links(),
        rating_stars(
            BookPageState.stars, BookPageState.rating, BookPageState.rating_count
        ),
        _purchase_box(),
        rx.flex(
            rx.foreach(BookPageState.categories, _category_badge),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            BookPageState.description != "",
            rx.box(
                rx.heading("About this book", as_="h2", size="4", margin_bottom="8px"),
                rx.text(
                    BookPageState.description,
                    white_space="pre-line",
                    line_height="1.7",
                    color="var(--gray-12)",
                ),
                max_width="680px",
            ),
        ),
        rx.box(
            rx.heading("Details", as_="h2", size="4", margin_bottom="8px"),
            rx.data_list.root(
                rx.foreach(BookPageState.facts, _fact),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            id="book-facts",
        ),
        spacing="4",
        align="start",
        min_width="0",
    )


def _book() -> rx.Component:
    return rx.grid(
        rx.box(
            cover_image(BookPageState.cover_path, BookPageState.title, eager=True),
            max_width=["220px", "260px", "300px"],
            width="100%",
            margin_x=["auto", "auto", "0"],
        ),
        _details(),
        columns=rx.breakpoints(initial="1", md="300px 1fr"),
        spacing=rx.breakpoints(initial="5", md="8"),
        align="start",
    )


def _loading() -> rx.Component:
    return rx.grid(
        rx.box(aspect_ratio="2 / 3", background="#ece4d8", border_radius="4px"),
        rx.vstack(
            rx.box(height="40px", width="70%", background="#ece4d8"),
            rx.box(height="20px", width="40%", background="#f1ebe1"),
            rx.box(height="120px", width="100%", background="#f1ebe1"),
            spacing="3",
        ),
        columns=rx.breakpoints(initial="1", md="300px 1fr"),
        spacing="8",
        aria_busy="true",
    )


def _similar_books() -> rx.Component:
    return rx.cond(
        SimilarBooksState.similar.length() > 0,
        rx.box(
            rx.heading(
                "Readers who liked this also liked",
                as_="h2",
                size="6",
                margin_bottom="16px",
                font_family=SERIF,
            ),
            book_shelf(SimilarBooksState.similar),
            id="similar-books",
            margin_top="48px",
        ),
    )


def book_page() -> rx.Component:
    """Build the book page."""
    return page_layout(
        loaded_content(
            BookPageState,
            rx.fragment(_book(), _similar_books(), reviews_section()),
            _loading(),
            not_found_message(
                "Book not found",
                "This book is not in our catalog, or it is no longer sold here.",
            ),
        ),
    )
