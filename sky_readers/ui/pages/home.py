"""Home page: shelves of featured, best-rated and new books, and category tiles."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.book_card import book_shelf, grid_placeholder
from sky_readers.ui.components.layout import page_layout
from sky_readers.ui.states.catalog import CategoryTile, HomeState
from sky_readers.ui.states.recommendations import RecommendedState


def _hero() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(
                "Stories worth the journey",
                as_="h1",
                size=rx.breakpoints(initial="7", md="8"),
                font_family="Georgia, 'Times New Roman', serif",
            ),
            rx.text(
                "Timeless classics, new voices and the books readers love most, "
                "ready to ship from our shelves to yours.",
                size=rx.breakpoints(initial="3", md="4"),
                color="var(--gray-11)",
                max_width="560px",
            ),
            rx.hstack(
                rx.button(
                    rx.link("See the best rated", href="#best-rated", underline="none"),
                    as_child=True,
                    size="3",
                ),
                rx.button(
                    rx.link("Browse categories", href="#categories", underline="none"),
                    as_child=True,
                    size="3",
                    variant="outline",
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="4",
            align="start",
        ),
        padding=["28px 20px", "28px 20px", "44px 48px"],
        border_radius="16px",
        background="linear-gradient(120deg, #fdf1dc 0%, #f6e3ce 45%, #e6e4f7 100%)",
        border="1px solid #efe2cc",
        margin_bottom="36px",
    )


def _shelf(
    title: str, anchor: str, cards, *, eager: bool = False, below_fold: bool = False
) -> rx.Component:
    loaded = HomeState.more_loaded if below_fold else HomeState.loaded
    return rx.box(
        rx.heading(
            title,
            as_="h2",
            size="6",
            margin_bottom="16px",
            font_family="Georgia, 'Times New Roman', serif",
        ),
        rx.cond(loaded, book_shelf(cards, eager=eager), grid_placeholder(6)),
        id=anchor,
        margin_bottom="40px",
        scroll_margin_top="96px",
        # Laid out only when scrolled near; see assets/store.css.
        class_name="below-fold" if below_fold else None,
    )


def _category_tile(tile: rx.Var[CategoryTile]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(tile.name, weight="bold", size="3", color="var(--gray-12)"),
                rx.text(tile.book_count, size="1", color="var(--accent-11)"),
                rx.text(
                    tile.description,
                    size="1",
                    color_scheme="gray",
                    style={
                        "display": "-webkit-box",
                        "WebkitLineClamp": "2",
                        "WebkitBoxOrient": "vertical",
                        "overflow": "hidden",
                    },
                ),
                spacing="1",
            ),
            height="100%",
            _hover={"boxShadow": "0 4px 14px rgba(60, 40, 20, 0.12)"},
        ),
        href=tile.href,
        underline="none",
        display="block",
    )


def _categories() -> rx.Component:
    return rx.box(
        rx.heading(
            "Browse by category",
            as_="h2",
            size="6",
            margin_bottom="16px",
            font_family="Georgia, 'Times New Roman', serif",
        ),
        rx.grid(
            rx.foreach(HomeState.categories, _category_tile),
            columns=rx.breakpoints(initial="2", sm="3", md="4"),
            spacing="4",
        ),
        id="categories",
        scroll_margin_top="96px",
        class_name="below-fold",
    )


def home_page() -> rx.Component:
    """Build the home page."""
    return page_layout(
        _hero(),
        rx.cond(
            RecommendedState.picks.length() > 0,
            rx.box(
                rx.heading(
                    "Recommended for you",
                    as_="h2",
                    size="6",
                    margin_bottom="16px",
                    font_family="Georgia, 'Times New Roman', serif",
                ),
                book_shelf(RecommendedState.picks, eager=True),
                id="recommended",
                margin_bottom="40px",
            ),
        ),
        _shelf("Readers' favourites", "featured", HomeState.featured, eager=True),
        _shelf("Best rated", "best-rated", HomeState.best_rated, below_fold=True),
        _shelf("New arrivals", "new-arrivals", HomeState.new_arrivals, below_fold=True),
        _categories(),
    )
