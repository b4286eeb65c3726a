"""Category page: one page of a category's books, sorted as the URL names."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.book_card import book_grid, grid_placeholder
from sky_readers.ui.components.layout import (
    loaded_content,
    not_found_message,
    page_layout,
)
from sky_readers.ui.components.pagination import pagination, sort_select
from sky_readers.ui.states.catalog import CategoryPageState


def _list_header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(
                rx.link("Home", href="/", color_scheme="gray"),
                " / Categories",
                size="2",
                color_scheme="gray",
            ),
            rx.heading(
                CategoryPageState.name,
                as_="h1",
                size="8",
                font_family="Georgia, 'Times New Roman', serif",
            ),
            rx.text(CategoryPageState.description, color="var(--gray-11)"),
            rx.text(CategoryPageState.total_label, size="2", color_scheme="gray"),
            spacing="2",
            max_width="680px",
        ),
        sort_select(CategoryPageState),
        justify="between",
        align="end",
        spacing="4",
        wrap="wrap",
        margin_bottom="24px",
    )


def category_page() -> rx.Component:
    """Build the category page."""
    return page_layout(
        loaded_content(
            CategoryPageState,
            rx.fragment(
                _list_header(),
                book_grid(CategoryPageState.books),
                pagination(CategoryPageState),
            ),
            grid_placeholder(),
            not_found_message(
                "Category not found",
                "We have no shelf by that name. Browse our categories from the "
                "home page instead.",
            ),
        ),
    )
