"""Routes of the browsing pages."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.pages.about import about_page
from sky_readers.ui.pages.author import author_page
from sky_readers.ui.pages.book import book_page
from sky_readers.ui.pages.category import category_page
from sky_readers.ui.pages.home import home_page
from sky_readers.ui.pages.not_found import not_found_page
from sky_readers.ui.states.catalog import (
    AuthorPageState,
    BookPageState,
    CategoryPageState,
    HomeState,
)
from sky_readers.ui.states.recommendations import (
    RecommendedState,
    SimilarBooksState,
)
from sky_readers.ui.states.reviews import ReviewsState

DESCRIPTION = "Sky Readers Haven, an online bookshop of fiction and non-fiction."


def register_store_pages(app: rx.App) -> None:
    """Add the home, category, book, author, About and not-found pages to the app."""
    app.add_page(
        home_page,
        route="/",
        title=f"{STORE_NAME}: books for curious readers",
        description=DESCRIPTION,
        on_load=page_on_load(
            HomeState.load, RecommendedState.load, below_fold=[HomeState.load_more]
        ),
    )
    app.add_page(
        category_page,
        route="/categories/[slug]",
        title=CategoryPageState.page_title,
        description=DESCRIPTION,
        on_load=page_on_load(CategoryPageState.load),
    )
    app.add_page(
        book_page,
        route="/books/[book_id]",
        title=BookPageState.page_title,
        description=DESCRIPTION,
        on_load=page_on_load(
            BookPageState.load, ReviewsState.load, SimilarBooksState.load
        ),
    )
    app.add_page(
        author_page,
        route="/authors/[slug]",
        title=AuthorPageState.page_title,
        description=DESCRIPTION,
        on_load=page_on_load(AuthorPageState.load),
    )
    app.add_page(
        about_page,
        route="/about",
        title=f"About · {STORE_NAME}",
        description=DESCRIPTION,
        on_load=page_on_load(),
    )
    app.add_page(
        not_found_page,
        route="404",
        title=f"Page not found · {STORE_NAME}",
        on_load=page_on_load(),
    )
