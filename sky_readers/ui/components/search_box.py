"""The header's search box, with title and author suggestions while the shopper types.

The suggestion list shows while the box or one of its links has the focus, so a
click on a suggestion still lands before the list hides, and a click elsewhere
hides it. Enter opens the results page for the text typed.
"""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.states.search import SuggestBoxState, SuggestionItem

LIST_ID = "search-suggestions"


def _suggestion_icon(name: str) -> rx.Component:
    return rx.icon(name, size=16, color="var(--gray-10)", flex_shrink="0")


def _suggestion(item: rx.Var[SuggestionItem]) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.hstack(
                # Two fixed icons: an icon named by a var would ship every icon.
                rx.cond(
                    item.kind == "author",
                    _suggestion_icon("user"),
                    _suggestion_icon("book"),
                ),
                rx.vstack(
                    rx.text(
                        item.label,
                        size="2",
                        weight="medium",
                        color="var(--gray-12)",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                        max_width="100%",
                    ),
                    rx.text(
                        item.detail,
                        size="1",
                        color_scheme="gray",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                        max_width="100%",
                    ),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                spacing="2",
                align="center",
                width="100%",
            ),
            href=item.href,
            underline="none",
            on_click=SuggestBoxState.close,
            display="block",
            padding="8px 12px",
            border_radius="6px",
            _hover={"background": "var(--accent-3)"},
            _focus={"background": "var(--accent-3)", "outline": "none"},
            class_name="search-suggestion",
            data_kind=item.kind,
        ),
        list_style="none",
    )


def search_box() -> rx.Component:
    """Build the search form of the header with its suggestion list."""
    return rx.box(
        rx.form(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                id="search-box",
                type="search",
                placeholder="Search titles, authors, ISBN",
                aria_label="Search the catalog",
                auto_complete="off",
                role="combobox",
                aria_autocomplete="list",
                aria_controls=LIST_ID,
                aria_expanded=SuggestBoxState.suggestions.length() > 0,
                on_change=SuggestBoxState.type_text,
                size="2",
                width="100%",
                radius="full",
                max_length=200,
            ),
            on_submit=SuggestBoxState.submit,
            role="search",
            width="100%",
        ),
        rx.cond(
            SuggestBoxState.suggestions.length() > 0,
            rx.el.ul(
                rx.foreach(SuggestBoxState.suggestions, _suggestion),
                id=LIST_ID,
                aria_label="Suggestions",
                class_name="search-suggestions",
                position="absolute",
                top="calc(100% + 6px)",
                left="0",
                right="0",
                margin="0",
                padding="6px",
                background="white",
                border="1px solid var(--gray-5)",
                border_radius="10px",
                box_shadow="0 10px 30px rgba(0, 0, 0, 0.12)",
                z_index="30",
                max_height="70vh",
                overflow_y="auto",
                display="none",
            ),
        ),
        position="relative",
        width="100%",
        _focus_within={"& .search-suggestions": {"display": "block"}},
    )
