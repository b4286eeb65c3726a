"""States of the browsing pages: the header menu, home, category, book and author.

Each state contains only what its page shows, as small display-ready dataclasses. Its
on_load handler reloads them from the URL. The route argument is the last path
segment, and `sort` and `page` come from the query string, so a shared link shows the
same page.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from urllib.parse import unquote, urlencode

import reflex as rx
from cachetools import TTLCache, cached

from sky_readers.catalog import queries
from sky_readers.catalog.admin_categories import resolve_category_slug
from sky_readers.catalog.queries import BookSummary, Page
from sky_readers.core.db import get_engine, session_scope
from sky_readers.core.errors import NotFoundError
from sky_readers.core.ids import parse_row_id
from sky_readers.core.money import format_money
from sky_readers.core.settings import get_settings
from sky_readers.ui.formatting import (
    filled_stars,
    format_count,
    format_rating,
    format_year,
    language_name,
)

logger = logging.getLogger(__name__)

# Books in each row of the home page.
HOME_SHELF_SIZE = 12
# Sort choices in the order the select shows them, with their labels.
SORT_LABELS: dict[str, str] = {
    "rating": "Best rated",
    "title": "Title A–Z",
    "price": "Price, low to high",
    "year": "Newest first",
}
# Page numbers shown on each side of the current page in the pagination bar.
PAGINATION_WINDOW = 2
# The home shelves and the category list are the same for every visitor, so each
# process reuses them for this many seconds. New books and stock changes show up on
# those lists at most this late; category, author and book pages are always fresh.
SHARED_LISTS_SECONDS = 60

_shared_lists: TTLCache = TTLCache(maxsize=16, ttl=SHARED_LISTS_SECONDS)
_shared_lists_lock = threading.Lock()


@dataclasses.dataclass
class BookCard:
    """One book in a grid of cards."""

    id: int = 0
    href: str = ""
    title: str = ""
    author_line: str = ""
    price: str = ""
    rating: str = ""
    rating_count: str = ""
    cover_path: str = ""
    in_stock: bool = True


@dataclasses.dataclass
class LinkItem:
    """A named link, such as an author or a category of a book."""

    name: str = ""
    href: str = ""


@dataclasses.dataclass
class CategoryTile:
    """A category in the header menu and on the home page."""

    name: str = ""
    href: str = ""
    description: str = ""
    book_count: str = ""


@dataclasses.dataclass
class Fact:
    """One row of the book details table."""

    label: str = ""
    value: str = ""


@dataclasses.dataclass
class PageLink:
    """One item of the pagination bar: a page number, or a gap ("…") when `gap`."""

    label: str = ""
    href: str = ""
    current: bool = False
    gap: bool = False


def book_card(book: BookSummary) -> BookCard:
    """Turn a query result into the card the pages show."""
    return BookCard(
        id=book.id,
        href=f"/books/{book.id}",
        title=book.title,
        author_line=queries.author_line(book.authors),
        price=format_money(book.price, book.currency),
        rating=format_rating(book.average_rating),
        rating_count=format_count(book.rating_count),
        cover_path=book.cover_path,
        in_stock=book.in_stock,
    )


def _books_label(count: int) -> str:
    return f"{format_count(count)} book" + ("" if count == 1 else "s")


def parse_page(value: str | None) -> int:
    """Read the `page` query parameter; anything but a positive integer means 1."""
    if value and value.isascii() and value.isdigit():
        return max(1, min(int(value), 1_000_000))
    return 1


def parse_sort(value: str | None) -> str:
    """Read the `sort` query parameter; an unknown key means the default sort."""
    return value if value in queries.SORT_KEYS else queries.DEFAULT_SORT


def list_url(base_path: str, sort: str, page: int) -> str:
    """Build the URL of one page of a list, leaving out default values."""
    query = {}
    if sort != queries.DEFAULT_SORT:
        query["sort"] = sort
    if page > 1:
        query["page"] = str(page)
    return f"{base_path}?{urlencode(query)}" if query else base_path


def page_links(base_path: str, sort: str, page: int, pages: int) -> list[PageLink]:
    """List the page numbers around the current page, with the first and last.

    Runs of skipped numbers become one gap item.
    """
    shown = {1, pages}
    shown.update(
        range(
            max(1, page - PAGINATION_WINDOW), min(pages, page + PAGINATION_WINDOW) + 1
        )
    )
    links: list[PageLink] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            links.append(PageLink(label="…", gap=True))
        links.append(
            PageLink(
                label=str(number),
                href=list_url(base_path, sort, number),
                current=number == page,
            )
        )
        previous = number
    return links


def _per_database(name: str):
    """Key a shared list by its name and the database it was read from."""
    return lambda: (name, get_engine().url.render_as_string(hide_password=True))


@cached(_shared_lists, key=_per_database("categories"), lock=_shared_lists_lock)
def _category_tiles() -> tuple[CategoryTile, ...]:
    with session_scope() as session:
        categories = queries.list_categories(session)
    return tuple(
        CategoryTile(
            name=c.name,
            href=f"/categories/{c.slug}",
            description=c.description,
            book_count=_books_label(c.book_count),
        )
        for c in categories
        if c.book_count > 0
    )


@cached(_shared_lists, key=_per_database("home"), lock=_shared_lists_lock)
def _home_shelves() -> tuple[tuple[BookCard, ...], ...]:
    with session_scope() as session:
        featured = queries.featured_books(session, HOME_SHELF_SIZE)
        best = queries.best_rated_books(session, HOME_SHELF_SIZE)
        arrivals = queries.new_arrivals(session, HOME_SHELF_SIZE)
    return tuple(
        tuple(book_card(b) for b in shelf) for shelf in (featured, best, arrivals)
    )


def clear_shared_lists() -> None:
    """Forget the cached home shelves and category list, so the next read is fresh."""
    with _shared_lists_lock:
        _shared_lists.clear()


def route_argument(path: str) -> str:
    """Return the last segment of a URL path, decoded: the slug or id of the page."""
    return unquote(path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])


class NavState(rx.State):
    """Categories of the header menu, read once per browser tab."""

    menu: list[CategoryTile] = []

    @rx.event
    def load_menu(self):
        """Read the category list for the menu unless this tab has it already."""
        if self.menu:
            return
        self.menu = [
            CategoryTile(name=tile.name, href=tile.href) for tile in _category_tiles()
        ]


class HomeState(rx.State):
    """Shelves of the home page."""

    # The first shelf has arrived.
    loaded: bool = False
    # The shelves and category tiles below the first screen have arrived.
    more_loaded: bool = False
    featured: list[BookCard] = []
    best_rated: list[BookCard] = []
    new_arrivals: list[BookCard] = []
    categories: list[CategoryTile] = []

    @rx.event
    def load(self):
        """Show the first shelf, read at most a minute ago."""
        featured, _, _ = _home_shelves()
        self.featured = list(featured)
        self.loaded = True

    @rx.event
    def load_more(self):
        """Show the shelves and category tiles below the first screen."""
        _, best, arrivals = _home_shelves()
        self.best_rated = list(best)
        self.new_arrivals = list(arrivals)
        self.categories = list(_category_tiles())
        self.more_loaded = True


class BookListMixin(rx.State, mixin=True):
    """One page of a sorted book list, mixed into the category and author states."""

    loaded: bool = False
    found: bool = True
    books: list[BookCard] = []
    total_label: str = ""
    sort: str = queries.DEFAULT_SORT
    page: int = 1
    pages: int = 1
    base_path: str = ""
    pagination: list[PageLink] = []
    previous_href: str = ""
    next_href: str = ""

    def _read_list_query(self) -> tuple[str, int]:
        params = self.router.url.query_parameters
        return parse_sort(params.get("sort")), parse_page(params.get("page"))

    def _show_page(self, result: Page[BookSummary], base_path: str, sort: str) -> None:
        self.found = True
        self.books = [book_card(b) for b in result.items]
        self.total_label = _books_label(result.total)
        self.sort = sort
        self.page = result.page
        self.pages = result.pages
        self.base_path = base_path
        self.pagination = (
            page_links(base_path, sort, result.page, result.pages)
            if result.pages > 1
            else []
        )
        self.previous_href = (
            list_url(base_path, sort, result.page - 1) if result.has_previous else ""
        )
        self.next_href = (
            list_url(base_path, sort, result.page + 1) if result.has_next else ""
        )
        self.loaded = True

    def _show_not_found(self) -> None:
        self.found = False
        self.books = []
        self.pagination = []
        self.previous_href = ""
        self.next_href = ""
        self.loaded = True

    @rx.event
    def change_sort(self, sort: str):
        """Show the first page of the list in another order."""
        return rx.redirect(list_url(self.base_path, parse_sort(sort), 1))


class CategoryPageState(BookListMixin, rx.State):
    """The category page: the category and one page of its books."""

    name: str = ""
    description: str = ""

    @rx.var
    def page_title(self) -> str:
        """Title of the browser tab."""
        return _tab_title(self.found, self.name, "Category not found")

    @rx.event
    def load(self):
        """Read the category named in the URL and the page of books asked for."""
        slug = route_argument(self.router.url.path)
        sort, page = self._read_list_query()
        try:
            with session_scope() as session:
                category, result = queries.category_page(
                    session, slug, sort=sort, page=page
                )
        except NotFoundError:
            with session_scope() as session:
                current = resolve_category_slug(session, slug)
            if current is not None:
                # A renamed or merged category: its old links lead to the new slug.
                return rx.redirect(list_url(f"/categories/{current}", sort, page))
            logger.info("Category page for unknown slug %r", slug)
            self.name = ""
            self.description = ""
            self._show_not_found()
            return
        self.name = category.name
        self.description = category.description
        self._show_page(result, f"/categories/{category.slug}", sort)


class AuthorPageState(BookListMixin, rx.State):
    """The author page: the author and one page of their books."""

    name: str = ""

    @rx.var
    def page_title(self) -> str:
        """Title of the browser tab."""
        return _tab_title(self.found, self.name, "Author not found")

    @rx.event
    def load(self):
        """Read the author named in the URL and the page of books asked for."""
        slug = route_argument(self.router.url.path)
        sort, page = self._read_list_query()
        try:
            with session_scope() as session:
                author, result = queries.author_page(
                    session, slug, sort=sort, page=page
                )
        except NotFoundError:
            logger.info("Author page for unknown slug %r", slug)
            self.name = ""
            self._show_not_found()
            return
        self.name = author.name
        self._show_page(result, f"/authors/{author.slug}", sort)


class BookPageState(rx.State):
    """The book page: every detail of one book, as text ready to show."""

    loaded: bool = False
    found: bool = True
    # Id of the book shown; not named book_id, the route argument of the root state.
    current_book_id: int = 0
    title: str = ""
    subtitle: str = ""
    series: str = ""
    authors: list[LinkItem] = []
    categories: list[LinkItem] = []
    description: str = ""
    price: str = ""
    in_stock: bool = False
    availability: str = ""
    # Radix colour of the availability badge: green, amber or red.
    availability_colour: str = "gray"
    rating: str = ""
    rating_count: str = ""
    stars: int = 0
    cover_path: str = ""
    # Rows of the details table; facts the catalog lacks are left out.
    facts: list[Fact] = []

    @rx.var
    def page_title(self) -> str:
        """Title of the browser tab."""
        return _tab_title(self.found, self.title, "Book not found")

    @rx.event
    def load(self):
        """Read the book whose id is in the URL."""
        raw_id = route_argument(self.router.url.path)
        book = None
        book_id = parse_row_id(raw_id)
        if book_id is not None:
            try:
                with session_scope() as session:
                    book = queries.get_book(session, book_id)
            except NotFoundError:
                book = None
        if book is None:
            logger.info("Book page for unknown id %r", raw_id)
            self.found = False
            self.loaded = True
            return
        self._show_book(book)

    def _show_book(self, book: queries.BookDetail) -> None:
        self.found = True
        self.current_book_id = book.id
        self.title = book.title
        self.subtitle = book.subtitle or ""
        self.series = _series_label(book.series, book.series_number)
        self.authors = [
            LinkItem(name=a.name, href=f"/authors/{a.slug}") for a in book.authors
        ]
        self.categories = [
            LinkItem(name=c.name, href=f"/categories/{c.slug}") for c in book.categories
        ]
        self.description = book.description

        self.price = format_money(book.price, book.currency)
        self.in_stock = book.in_stock
        self.availability = queries.availability(book.stock_on_hand)
        self.availability_colour = _availability_colour(book.stock_on_hand)
        self.rating = format_rating(book.average_rating)
        self.rating_count = format_count(book.rating_count)
        self.stars = filled_stars(book.average_rating)
        self.cover_path = book.cover_path

        facts = [
            ("Publisher", book.publisher or ""),
            ("Published", format_year(book.published_year)),
            ("Language", language_name(book.language)),
            ("Pages", format_count(book.page_count) if book.page_count else ""),
            ("ISBN-13", book.isbn13 or ""),
            ("ISBN-10", book.isbn10 or ""),
        ]
        self.facts = [Fact(label=label, value=value) for label, value in facts if value]
        self.loaded = True


def _tab_title(found: bool, name: str, missing: str) -> str:
    store_name = get_settings().store_name
    if not found:
        return f"{missing} · {store_name}"
    return f"{name} · {store_name}" if name else store_name


def _series_label(series: str | None, number: str | None) -> str:
    if not series:
        return ""
    return f"{series}, book {number}" if number else series


def _availability_colour(stock_on_hand: int) -> str:
    if stock_on_hand <= 0:
        return "red"
    if stock_on_hand <= queries.LOW_STOCK_THRESHOLD:
        return "amber"
    return "green"
