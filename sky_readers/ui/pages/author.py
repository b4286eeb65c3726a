"""Author page: one page of an author's books."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.book_card import book_grid, grid_placeholder
from sky_readers.ui.components.layout import (
    loaded_content,
    not_found_message,
    page_layout,
)
from sky_readers.ui.components.pagination import pagination, sort_select
from sky_readers.ui.states.catalog import AuthorPageState


def _author_header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(
                rx.link("Home", href="/", color_scheme="gray"),
                " / Authors",
                size="2",
                color_scheme="gray",
            ),
            rx.heading(
                AuthorPageState.name,
                as_="h1",
                size="8",
                font_family="Georgia, 'Times New Roman', serif",
            ),
            rx.text(AuthorPageState.total_label, size="2", color_scheme="gray"),
            spacing="2",
        ),
        sort_select(AuthorPageState),
        justify="between",
        align="end",
        spacing="4",
        wrap="wrap",
        margin_bottom="24px",
    )


def author_page() -> rx.Component:
    """Build the author page."""
    return page_layout(
        loaded_content(
            AuthorPageState,
            rx.fragment(
                _author_header(),
                book_grid(AuthorPageState.books),
                pagination(AuthorPageState),
            ),
            grid_placeholder(),
            not_found_message(
                "Author not found",
                "We have no books by that author. Look for another name from the "
                "home page.",
            ),
        ),
    )
