"""States of catalog search: the header's type-ahead box and the results page.

The results page reads everything from its URL, /catalog/search?q=...&category=...,
so a page of results can be shared and reloaded. Every control changes the URL, and
the page's on_load handler runs the search again.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from urllib.parse import urlencode

import reflex as rx
import sqlalchemy as sa
from cachetools import TTLCache, cached

from sky_readers.catalog import queries
from sky_readers.catalog.models import Book
from sky_readers.catalog.search import (
    PARAMETERS,
    SearchPage,
    SearchQuery,
    search_books,
    suggest,
)
from sky_readers.core.db import get_engine, session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.ui.formatting import format_count, language_name
from sky_readers.ui.states.catalog import BookCard, PageLink, book_card

logger = logging.getLogger(__name__)

RESULTS_PATH = "/catalog/search"
# Pause in typing, in milliseconds, before the box asks for suggestions.
SUGGEST_DEBOUNCE_MS = 250
SUGGESTION_LIMIT = 8
# Order choices in the order the select shows them, with their labels.
SORT_LABELS: dict[str, str] = {
    "relevance": "Best match",
    "rating": "Highest rated",
    "price": "Price, low to high",
    "price_desc": "Price, high to low",
    "newest": "Newest first",
}
# Minimum-rating choices of the filter; "any" applies none.
RATING_CHOICES: dict[str, str] = {
    "any": "Any rating",
    "4.5": "4.5 and up",
    "4": "4 and up",
    "3.5": "3.5 and up",
    "3": "3 and up",
}
# Select value meaning "no filter": Radix selects reject an empty value.
ANY = "any"
# Names of the URL parameters as the results page shows them.
PARAMETER_LABELS = {
    "q": "Search text",
    "category": "Category",
    "language": "Language",
    "min_price": "Lowest price",
    "max_price": "Highest price",
    "min_rating": "Minimum rating",
    "in_stock": "In stock only",
    "sort": "Sort",
    "page": "Page",
    "page_size": "Results per page",
}
# Page numbers shown on each side of the current page in the pagination bar.
PAGINATION_WINDOW = 2
# The filter choices (categories, languages) change only with the catalog, so each
# process reuses them for this many seconds.
CHOICES_SECONDS = 300

_choices: TTLCache = TTLCache(maxsize=8, ttl=CHOICES_SECONDS)
_choices_lock = threading.Lock()


@dataclasses.dataclass
class Choice:
    """One option of a select: the value sent and the label shown."""

    value: str = ""
    label: str = ""


@dataclasses.dataclass
class SuggestionItem:
    """One row of the type-ahead list: a book to open or an author to search for."""

    kind: str = ""
    label: str = ""
    detail: str = ""
    href: str = ""


def results_url(params: dict[str, str]) -> str:
    """Build the results page URL for some query-string values, skipping empty ones."""
    kept = {name: params[name] for name in PARAMETERS if params.get(name)}
    return f"{RESULTS_PATH}?{urlencode(kept)}" if kept else RESULTS_PATH


def _database_key(name: str):
    return lambda: (name, get_engine().url.render_as_string(hide_password=True))


@cached(_choices, key=_database_key("categories"), lock=_choices_lock)
def _category_choices() -> tuple[Choice, ...]:
    with session_scope() as session:
        categories = queries.list_categories(session)
    return tuple(
        Choice(value=c.slug, label=c.name) for c in categories if c.book_count > 0
    )


@cached(_choices, key=_database_key("languages"), lock=_choices_lock)
def _language_choices() -> tuple[Choice, ...]:
    with session_scope() as session:
        codes = session.execute(
            sa.select(Book.language)
            .where(Book.is_archived.is_(False), Book.language.is_not(None))
            .group_by(Book.language)
            .order_by(sa.func.count().desc())
        ).scalars()
        choices = [Choice(value=code, label=language_name(code)) for code in codes]
    return tuple(sorted(choices, key=lambda choice: choice.label))


class SuggestBoxState(rx.State):
    """The header's search box and its list of suggestions."""

    suggestions: list[SuggestionItem] = []
    # Text the suggestions were made for.
    suggested_for: str = ""

    @rx.event(debounce=SUGGEST_DEBOUNCE_MS)
    def type_text(self, text: str):
        """Suggest titles and authors for the text typed so far."""
        text = text.strip()
        if text == self.suggested_for:
            return
        self.suggested_for = text
        with session_scope() as session:
            found = suggest(session, text, limit=SUGGESTION_LIMIT)
        self.suggestions = [
            SuggestionItem(
                kind=item.kind,
                label=item.label,
                detail=item.detail,
                href=(
                    f"/books/{item.book_id}"
                    if item.book_id is not None
                    else results_url({"q": item.label})
                ),
            )
            for item in found
        ]

    @rx.event
    def close(self):
        """Hide the suggestions, as after one of them was chosen."""
        self.suggestions = []
        self.suggested_for = ""

    @rx.event
    def submit(self, form_data: dict):
        """Open the results page for the text in the box."""
        self.suggestions = []
        self.suggested_for = ""
        return rx.redirect(results_url({"q": str(form_data.get("q", "")).strip()}))


class SearchPageState(rx.State):
    """The results page: the search read from the URL and one page of books."""

    loaded: bool = False
    q: str = ""
    category: str = ANY
    language: str = ANY
    min_price: str = ""
    max_price: str = ""
    min_rating: str = ANY
    in_stock: bool = False
    sort: str = "relevance"
    # Books per page as the URL gives it; "" for the default.
    page_size: str = ""
    books: list[BookCard] = []
    total: int = 0
    total_label: str = ""
    did_you_mean: str = ""
    # Message per invalid URL parameter, shown instead of results.
    errors: dict[str, str] = {}
    page: int = 1
    pages: int = 1
    pagination: list[PageLink] = []
    previous_href: str = ""
    next_href: str = ""
    categories: list[Choice] = []
    languages: list[Choice] = []
    # Changes with every URL, so the price inputs are rebuilt with its values.
    form_key: str = ""

    @rx.var
    def page_title(self) -> str:
        """Title of the browser tab."""
        store = get_settings().store_name
        return f"{self.q} · Search · {store}" if self.q else f"Search · {store}"

    @rx.var
    def has_filters(self) -> bool:
        """Whether any filter narrows the results."""
        return (
            self.category != ANY
            or self.language != ANY
            or self.min_rating != ANY
            or bool(self.min_price or self.max_price)
            or self.in_stock
        )

    @rx.var
    def error_list(self) -> list[str]:
        """Messages of the invalid URL parameters, one line each."""
        return [
            f"{PARAMETER_LABELS.get(name, name)} ({name}): {message}"
            for name, message in self.errors.items()
        ]

    def _params(self) -> dict[str, str]:
        """Return the current search as query-string values."""
        return {
            "q": self.q,
            "category": "" if self.category == ANY else self.category,
            "language": "" if self.language == ANY else self.language,
            "min_price": self.min_price,
            "max_price": self.max_price,
            "min_rating": "" if self.min_rating == ANY else self.min_rating,
            "in_stock": "true" if self.in_stock else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page_size": self.page_size,
        }

    def _url_with(self, **changes: str) -> str:
        """Build the URL of the first page of the current search with some changes."""
        return results_url({**self._params(), **changes})

    def _page_url(self, page: int) -> str:
        params = self._params()
        if page > 1:
            params["page"] = str(page)
        return results_url(params)

    def _read_url(self) -> dict[str, str]:
        raw = self.router.url.query_parameters
        params = {name: str(raw.get(name, "") or "") for name in PARAMETERS}
        self.q = params["q"].strip()
        self.category = params["category"].strip().lower() or ANY
        self.language = params["language"].strip().lower() or ANY
        self.min_price = params["min_price"].strip()
        self.max_price = params["max_price"].strip()
        self.min_rating = params["min_rating"].strip() or ANY
        self.in_stock = params["in_stock"].strip().lower() in {"1", "true", "yes", "on"}
        self.sort = params["sort"].strip().lower() or "relevance"
        self.page_size = params["page_size"].strip()
        self.form_key = self.router.url.query or "-"
        return params

    @rx.event
    def load(self):
        """Run the search that the URL names and show its page of results."""
        params = self._read_url()
        self.categories = list(_category_choices())
        self.languages = list(_language_choices())
        try:
            query = SearchQuery.from_params(params)
            with session_scope() as session:
                result = search_books(session, query)
        except ValidationError as exc:
            logger.info("Search page with invalid parameters: %s", exc)
            self.errors = exc.errors
            self._show(None)
            return
        self.errors = {}
        self._show(result)

    def _show(self, result: SearchPage | None) -> None:
        if result is None:
            self.books = []
            self.total = 0
            self.total_label = ""
            self.did_you_mean = ""
            self.page = 1
            self.pages = 1
            self.pagination = []
            self.previous_href = ""
            self.next_href = ""
            self.loaded = True
            return
        self.books = [book_card(book) for book in result.items]
        self.total = result.total
        self.total_label = f"{format_count(result.total)} book" + (
            "" if result.total == 1 else "s"
        )
        self.did_you_mean = result.did_you_mean or ""
        self.page = result.page
        self.pages = result.pages
        self.pagination = self._page_links(result.page, result.pages)
        self.previous_href = (
            self._page_url(result.page - 1) if result.has_previous else ""
        )
        self.next_href = self._page_url(result.page + 1) if result.has_next else ""
        self.loaded = True

    def _page_links(self, page: int, pages: int) -> list[PageLink]:
        if pages <= 1:
            return []
        shown = {1, pages, *range(max(1, page - PAGINATION_WINDOW), page + 1)}
        shown.update(range(page, min(pages, page + PAGINATION_WINDOW) + 1))
        links: list[PageLink] = []
        previous = 0
        for number in sorted(shown):
            if number - previous > 1:
                links.append(PageLink(label="…", gap=True))
            links.append(
                PageLink(
                    label=str(number),
                    href=self._page_url(number),
                    current=number == page,
                )
            )
            previous = number
        return links

    @rx.event
    def search(self, form_data: dict):
        """Search for new text, keeping the filters."""
        return rx.redirect(self._url_with(q=str(form_data.get("q", "")).strip()))

    @rx.event
    def change_category(self, value: str):
        """Show only one category's books, or every category for "any"."""
        return rx.redirect(self._url_with(category="" if value == ANY else value))

    @rx.event
    def change_language(self, value: str):
        """Show only books in one language, or in any for "any"."""
        return rx.redirect(self._url_with(language="" if value == ANY else value))

    @rx.event
    def change_min_rating(self, value: str):
        """Show only books rated at least this much, or any for "any"."""
        return rx.redirect(self._url_with(min_rating="" if value == ANY else value))

    @rx.event
    def change_in_stock(self, checked: bool):
        """Show only books with copies on hand, or all books."""
        return rx.redirect(self._url_with(in_stock="true" if checked else ""))

    @rx.event
    def change_sort(self, value: str):
        """Show the results in another order, from the first page."""
        return rx.redirect(self._url_with(sort="" if value == "relevance" else value))

    @rx.event
    def apply_prices(self, form_data: dict):
        """Apply the price range typed in the filter form."""
        return rx.redirect(
            self._url_with(
                min_price=str(form_data.get("min_price", "")).strip(),
                max_price=str(form_data.get("max_price", "")).strip(),
            )
        )

    @rx.event
    def clear_filters(self):
        """Keep the search text and drop every filter and the order."""
        return rx.redirect(results_url({"q": self.q}))
