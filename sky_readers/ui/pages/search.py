"""Search results page at /catalog/search: filters, order, results and pages."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.book_card import book_grid, grid_placeholder
from sky_readers.ui.components.layout import STORE_NAME, page_layout, page_on_load
from sky_readers.ui.components.pagination import pagination
from sky_readers.ui.states.search import (
    ANY,
    RATING_CHOICES,
    RESULTS_PATH,
    SORT_LABELS,
    Choice,
    SearchPageState,
)

SERIF = "Georgia, 'Times New Roman', serif"


def _choice_item(choice: rx.Var[Choice]) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def _filter_select(
    label: str, element_id: str, value, on_change, any_label: str, choices
) -> rx.Component:
    items = (
        [rx.select.item(text, value=key) for key, text in choices.items()]
        if isinstance(choices, dict)
        else [rx.select.item(any_label, value=ANY), rx.foreach(choices, _choice_item)]
    )
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=element_id),
        rx.select.root(
            rx.select.trigger(id=element_id, width="100%", aria_label=label),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
        width="100%",
    )


def _price_filter() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Price", size="2", weight="medium"),
            rx.hstack(
                rx.input(
                    name="min_price",
                    id="filter-min-price",
                    default_value=SearchPageState.min_price,
                    placeholder="Min",
                    aria_label="Lowest price",
                    input_mode="decimal",
                    size="2",
                ),
                rx.text("to", size="2", color_scheme="gray"),
                rx.input(
                    name="max_price",
                    id="filter-max-price",
                    default_value=SearchPageState.max_price,
                    placeholder="Max",
                    aria_label="Highest price",
                    input_mode="decimal",
                    size="2",
                ),
                align="center",
                spacing="2",
            ),
            rx.button("Apply price", type="submit", variant="soft", size="2"),
            spacing="2",
            width="100%",
        ),
        on_submit=SearchPageState.apply_prices,
        # A new key rebuilds the inputs, so they show the prices of the new URL.
        key=SearchPageState.form_key,
        id="price-filter",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.heading("Filters", size="4", as_="h2"),
        _filter_select(
            "Category",
            "filter-category",
            SearchPageState.category,
            SearchPageState.change_category,
            "All categories",
            SearchPageState.categories,
        ),
        _filter_select(
            "Language",
            "filter-language",
            SearchPageState.language,
            SearchPageState.change_language,
            "Any language",
            SearchPageState.languages,
        ),
        _filter_select(
            "Rating",
            "filter-rating",
            SearchPageState.min_rating,
            SearchPageState.change_min_rating,
            "",
            RATING_CHOICES,
        ),
        _price_filter(),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    id="filter-in-stock",
                    checked=SearchPageState.in_stock,
                    on_change=SearchPageState.change_in_stock,
                ),
                rx.text("In stock only", size="2"),
                align="center",
                spacing="2",
            ),
        ),
        rx.cond(
            SearchPageState.has_filters,
            rx.button(
                rx.icon("x", size=14),
                "Clear filters",
                on_click=SearchPageState.clear_filters,
                variant="ghost",
                size="2",
                id="clear-filters",
            ),
        ),
        spacing="4",
        width=["100%", "100%", "240px"],
        flex_shrink="0",
        padding="16px",
        background="white",
        border="1px solid var(--gray-4)",
        border_radius="12px",
        as_="aside",
        aria_label="Filters",
        id="search-filters",
    )


def _sort_select() -> rx.Component:
    return rx.hstack(
        rx.text("Sort by", size="2", color_scheme="gray", as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label="Sort by", min_width="170px"),
            rx.select.content(
                *[
                    rx.select.item(label, value=key)
                    for key, label in SORT_LABELS.items()
                ]
            ),
            value=SearchPageState.sort,
            on_change=SearchPageState.change_sort,
            size="2",
        ),
        align="center",
        spacing="2",
        id="sort",
    )


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=18)),
                name="q",
                id="results-search",
                type="search",
                default_value=SearchPageState.q,
                placeholder="Title, author, ISBN or topic",
                aria_label="Search text",
                size="3",
                flex="1",
                max_length=200,
            ),
            rx.button("Search", type="submit", size="3"),
            spacing="2",
            width="100%",
        ),
        on_submit=SearchPageState.search,
        key=SearchPageState.form_key,
        role="search",
        width="100%",
        max_width="720px",
    )


def _heading() -> rx.Component:
    return rx.vstack(
        rx.heading(
            rx.cond(
                SearchPageState.q != "",
                rx.fragment("Results for “", SearchPageState.q, "”"),
                "All books",
            ),
            as_="h1",
            size="7",
            font_family=SERIF,
        ),
        rx.text(
            SearchPageState.total_label,
            size="2",
            color_scheme="gray",
            id="results-total",
        ),
        spacing="1",
    )


def _notices() -> rx.Component:
    return rx.fragment(
        rx.cond(
            SearchPageState.did_you_mean != "",
            rx.callout(
                rx.fragment(
                    "No books match “",
                    SearchPageState.q,
                    "” exactly, so these are the results for “",
                    rx.el.strong(SearchPageState.did_you_mean),
                    "”.",
                ),
                icon="sparkles",
                id="did-you-mean",
                size="1",
            ),
        ),
        rx.cond(
            SearchPageState.errors.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text(
                        "Some values of this search are invalid. Change them in"
                        " the filters, or start a new search:"
                    ),
                    rx.foreach(
                        SearchPageState.error_list,
                        lambda line: rx.text(line, size="2"),
                    ),
                    rx.link("Start a new search", href=RESULTS_PATH, size="2"),
                    spacing="1",
                ),
                icon="triangle-alert",
                color_scheme="red",
                id="search-errors",
                role="alert",
            ),
        ),
    )


def _no_results() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=40, color="var(--accent-9)"),
            rx.heading("No books found", size="5", as_="h2"),
            rx.text(
                "Check the spelling, try fewer words, or clear the filters.",
                color_scheme="gray",
                text_align="center",
            ),
            align="center",
            spacing="3",
        ),
        padding_y="48px",
        width="100%",
        id="no-results",
    )


def _results() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _heading(),
            _sort_select(),
            justify="between",
            align="end",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        _notices(),
        rx.cond(
            rx.State.is_hydrated & SearchPageState.loaded,
            rx.cond(
                SearchPageState.total > 0,
                rx.box(
                    book_grid(SearchPageState.books),
                    pagination(SearchPageState),
                    width="100%",
                    id="search-results",
                ),
                rx.cond(
                    SearchPageState.errors.length() > 0, rx.fragment(), _no_results()
                ),
            ),
            grid_placeholder(),
        ),
        spacing="4",
        flex="1",
        min_width="0",
        width="100%",
    )


def search_page() -> rx.Component:
    """Build the search results page."""
    return page_layout(
        rx.vstack(
            rx.text(
                rx.link("Home", href="/", color_scheme="gray"),
                " / Search",
                size="2",
                color_scheme="gray",
            ),
            _search_form(),
            rx.flex(
                _filters(),
                _results(),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="5",
                align="start",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )


def register_search_pages(app: rx.App) -> None:
    """Add the search results page to the app."""
    app.add_page(
        search_page,
        route=RESULTS_PATH,
        title=SearchPageState.page_title,
        description=f"Search the books of {STORE_NAME}.",
        on_load=page_on_load(SearchPageState.load),
    )
