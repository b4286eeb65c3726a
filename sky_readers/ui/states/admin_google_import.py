"""State of the admin Google Books import page: search, preview, import, bulk import.

Every handler checks on the server that the tab belongs to a logged-in admin before
it reads or changes anything. Calls to Google Books and the database run in worker
threads (asyncio.to_thread), so a slow response does not stall the server's event
loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from decimal import Decimal
from urllib.parse import urlsplit

import reflex as rx

from sky_readers.adapters.google_books import (
    GoogleBooksError,
    GoogleVolume,
    get_google_books_client,
)
from sky_readers.catalog.google_catalog import (
    DEFAULT_BULK_QUERY_VOLUMES,
    BulkItem,
    BulkRequest,
    CatalogMatch,
    build_bulk_request,
    match_volumes,
    run_bulk_import,
)
from sky_readers.catalog.google_import import import_google_volume
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.money import format_money, parse_money
from sky_readers.core.settings import get_settings
from sky_readers.ui.states.auth import admin_user, login_redirect

logger = logging.getLogger(__name__)

ROUTE = "/admin/import/google"
# Volumes shown per search, Google's maximum page size.
PREVIEW_SIZE = 40
MAX_QUERY_LENGTH = 300
# Most copies one field accepts.
MAX_STOCK = 1_000_000
# Select value for "any language"; Radix selects reject an empty value.
ANY_LANGUAGE = "any"
LANGUAGES = {
    ANY_LANGUAGE: "Any language",
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
}
# Host of the real API; its thumbnails come from other Google hosts.
GOOGLE_API_HOST = "www.googleapis.com"


@dataclasses.dataclass
class VolumeRow:
    """One Google Books volume of the preview, with the admin's inputs for it."""

    volume_id: str = ""
    title: str = ""
    authors: str = ""
    isbn13: str = ""
    published: str = ""
    categories: str = ""
    thumbnail: str = ""
    # Google's offer, such as "$4.62" or "Not for sale".
    google_price: str = ""
    # Whether a new book needs the admin's price: Google does not sell it in the
    # store's currency.
    needs_price: bool = False
    in_catalog: bool = False
    book_id: int = 0
    catalog_label: str = ""
    selected: bool = False
    price: str = ""
    stock: str = ""
    price_placeholder: str = ""
    stock_placeholder: str = ""
    price_error: str = ""
    stock_error: str = ""
    # What the last import did with this volume.
    outcome: str = ""


@dataclasses.dataclass
class BulkRow:
    """One line of the bulk import's report."""

    key: str = ""
    outcome: str = ""
    message: str = ""
    title: str = ""
    book_id: int = 0


def thumbnail_url(volume: GoogleVolume, api_url: str) -> str:
    """Return the cover thumbnail to show, or "" when it is on a host not configured.

    With the real API the thumbnails come from Google's image hosts. When
    GOOGLE_BOOKS_API_URL names another server, such as the offline fake, only images
    on that server are shown, so the admin's browser contacts no host that the store
    was not set up to reach.
    """
    url = volume.image_links.get("thumbnail") or volume.image_links.get(
        "smallThumbnail"
    )
    if not url:
        return ""
    api_host = urlsplit(api_url).hostname or ""
    image_host = urlsplit(url).hostname or ""
    if api_host == GOOGLE_API_HOST or image_host == api_host:
        return url
    return ""


def _offer_label(volume: GoogleVolume) -> str:
    if volume.is_free:
        return "Free at Google"
    offer = volume.retail_price or volume.list_price
    if offer is None or volume.saleability not in (
        "FOR_SALE",
        "FOR_SALE_AND_RENTAL",
        "FOR_PREORDER",
    ):
        return "Not for sale at Google"
    return format_money(offer.amount, offer.currency)


def _row(volume: GoogleVolume, match: CatalogMatch | None, currency: str) -> VolumeRow:
    google_price = volume.price_in(currency)
    default_stock = get_settings().import_default_stock
    if match is not None:
        price_placeholder = f"Keep {match.price}"
        stock_placeholder = f"Keep {match.stock_on_hand}"
        catalog_label = (
            f"In the catalog as book {match.book_id}: "
            f"{format_money(match.price, match.currency)}, "
            f"{match.stock_on_hand} in stock"
        )
    else:
        price_placeholder = (
            f"{google_price} (Google)" if google_price is not None else "Required"
        )
        stock_placeholder = str(default_stock)
        catalog_label = ""
    year = volume.published_date or ""
    return VolumeRow(
        volume_id=volume.volume_id,
        title=volume.title + (f": {volume.subtitle}" if volume.subtitle else ""),
        authors=", ".join(volume.authors) or "Unknown author",
        isbn13=volume.isbn13 or volume.isbn10 or "",
        published=year,
        categories=", ".join(volume.category_paths),
        thumbnail=thumbnail_url(volume, get_settings().google_books_api_url),
        google_price=_offer_label(volume),
        needs_price=match is None and google_price is None,
        in_catalog=match is not None,
        book_id=match.book_id if match is not None else 0,
        catalog_label=catalog_label,
        price_placeholder=price_placeholder,
        stock_placeholder=stock_placeholder,
    )


def _search_google(
    query: str, language: str | None
) -> tuple[list[GoogleVolume], dict[str, CatalogMatch]]:
    page = get_google_books_client().search(
        query, max_results=PREVIEW_SIZE, language=language
    )
    with session_scope() as session:
        matches = match_volumes(session, page.items)
    return list(page.items), matches


def _check_row(row: VolumeRow, currency: str) -> tuple[Decimal | None, int | None]:
    """Read a row's price and stock; record errors on the row.

    Returns:
        The admin's price and stock, None where the field is left empty.
    """
    row.price_error = ""
    row.stock_error = ""
    price = None
    stock = None
    if row.price.strip():
        try:
            price = parse_money(row.price, field="price", currency=currency)
        except ValidationError as exc:
            row.price_error = exc.errors["price"]
    elif row.needs_price:
        row.price_error = (
            f"Google does not sell this volume in {currency}: enter the price"
        )
    if row.stock.strip():
        text = row.stock.strip()
        if not text.isdigit():
            row.stock_error = f"{text!r} is not a whole number: enter 0 or more"
        elif int(text) > MAX_STOCK:
            row.stock_error = f"{text} is too many: enter at most {MAX_STOCK}"
        else:
            stock = int(text)
    return price, stock


def _bulk_row(item: BulkItem) -> BulkRow:
    return BulkRow(
        key=item.key,
        outcome=item.outcome,
        message=item.message,
        title=item.title or "",
        book_id=item.book_id or 0,
    )


class AdminGoogleImportState(rx.State):
    """The admin's Google Books search, preview and imports."""

    query: str = ""
    language: str = ANY_LANGUAGE
    searching: bool = False
    # Message about the query field, shown beside it.
    query_error: str = ""
    # Google's failure on the last search, shown above the results.
    search_error: str = ""
    searched_for: str = ""
    results: list[VolumeRow] = []
    importing: bool = False
    import_summary: str = ""

    # Bulk import form, its field errors, progress and report.
    bulk_mode: str = "isbns"
    bulk_errors: dict[str, str] = {}
    bulk_running: bool = False
    bulk_done: int = 0
    bulk_total: int = 0
    bulk_rows: list[BulkRow] = []
    bulk_summary: str = ""

    # Volumes of the preview by id, kept on the server for the import.
    _volumes: dict[str, GoogleVolume] = {}
    _bulk_request: BulkRequest | None = None

    @rx.var
    def selected_count(self) -> int:
        """Number of preview rows ticked for import."""
        return sum(1 for row in self.results if row.selected)

    @rx.var
    def bulk_percent(self) -> int:
        """Share of the bulk import done, 0 to 100."""
        if self.bulk_total <= 0:
            return 0
        return min(100, self.bulk_done * 100 // self.bulk_total)

    @rx.var
    def bulk_progress_label(self) -> str:
        """Progress in words, such as "3 of 10"."""
        if self.bulk_total <= 0:
            return "Looking up volumes at Google Books…"
        return f"{self.bulk_done} of {self.bulk_total}"

    @rx.event
    async def load(self):
        """Reset the page and run the search in ?q=, if any."""
        if admin_user(self) is None:
            yield login_redirect(self, error="admin")
            return
        self.import_summary = ""
        query = self.router.url.query_parameters.get("q", "")
        if isinstance(query, str) and query.strip():
            async for update in self._search(query, self.language):
                yield update

    @rx.event
    async def search(self, form_data: dict):
        """Search Google Books and preview the volumes."""
        if admin_user(self) is None:
            yield login_redirect(self, error="admin")
            return
        query = str(form_data.get("query", ""))
        async for update in self._search(query, self.language):
            yield update

    async def _search(self, query: str, language: str):
        query = " ".join(query.split())
        self.query = query
        self.language = language if language in LANGUAGES else ANY_LANGUAGE
        self.search_error = ""
        self.import_summary = ""

        if not query:
            self.query_error = "Enter words, an ISBN, or intitle:/inauthor: terms."
            return
        if len(query) > MAX_QUERY_LENGTH:
            self.query_error = (
                f"The query is {len(query)} characters long: use at most "
                f"{MAX_QUERY_LENGTH}."
            )
            return
        self.query_error = ""
        self.searching = True
        yield

        wanted = None if self.language == ANY_LANGUAGE else self.language
        try:
            volumes, matches = await asyncio.to_thread(_search_google, query, wanted)
        except ValidationError as exc:
            self.query_error = "; ".join(exc.errors.values())
            volumes, matches = [], {}
        except GoogleBooksError as exc:
            logger.warning("Admin Google Books search %r failed: %s", query, exc)
            self.search_error = str(exc)
            volumes, matches = [], {}
        finally:
            self.searching = False

        currency = get_settings().default_currency.upper()
        self._volumes = {volume.volume_id: volume for volume in volumes}
        self.results = [
            _row(volume, matches.get(volume.volume_id), currency) for volume in volumes
        ]
        self.searched_for = query
        if self.search_error:
            yield rx.toast.error(self.search_error)

    def _change_row(self, volume_id: str, **changes) -> None:
        # Assigning a new list marks the var changed; rows are never edited in place.
        self.results = [
            dataclasses.replace(row, **changes) if row.volume_id == volume_id else row
            for row in self.results
        ]

    @rx.event
    def toggle(self, volume_id: str, checked: bool):
        """Tick or untick one volume for import."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self._change_row(volume_id, selected=bool(checked))
        return None

    @rx.event
    def toggle_all(self, checked: bool):
        """Tick or untick every volume of the preview."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.results = [
            dataclasses.replace(row, selected=bool(checked)) for row in self.results
        ]
        return None

    @rx.event
    def set_price(self, volume_id: str, value: str):
        """Store the price typed for one volume; it is checked on import."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self._change_row(volume_id, price=str(value)[:32], price_error="")
        return None

    @rx.event
    def set_stock(self, volume_id: str, value: str):
        """Store the stock typed for one volume; it is checked on import."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self._change_row(volume_id, stock=str(value)[:16], stock_error="")
        return None

    @rx.event
    async def import_selected(self):
        """Import the ticked volumes; nothing is saved while a field is invalid."""
        if admin_user(self) is None:
            yield login_redirect(self, error="admin")
            return
        currency = get_settings().default_currency.upper()
        rows = [dataclasses.replace(row, outcome="") for row in self.results]
        chosen = [row for row in rows if row.selected]
        if not chosen:
            yield rx.toast.error("Tick at least one volume to import.")
            return
        inputs = {row.volume_id: _check_row(row, currency) for row in chosen}
        self.results = rows
        if any(row.price_error or row.stock_error for row in chosen):
            self.import_summary = ""
            yield rx.toast.error("Fix the fields marked in red, then import again.")
            return

        self.importing = True
        yield
        created = updated = failed = 0
        for row in chosen:
            volume = self._volumes.get(row.volume_id)
            if volume is None:
                row.outcome = "Search again: this volume is no longer loaded."
                failed += 1
                continue
            price, stock = inputs[row.volume_id]
            try:
                result = await asyncio.to_thread(_import_volume, volume, price, stock)
            except ValidationError as exc:
                failed += 1
                row.outcome = str(exc)
                if "price" in exc.errors:
                    row.price_error = exc.errors["price"]
                continue
            created += result.created
            updated += not result.created
            verb = "Created" if result.created else "Updated"
            row.outcome = f"{verb} book {result.book_id}"
            row.selected = False
        self.results = rows
        self.importing = False
        await self._refresh_matches()
        self.import_summary = (
            f"{created} created, {updated} updated, {failed} not imported"
        )
        if failed:
            yield rx.toast.error(f"Import finished: {self.import_summary}.")
        else:
            yield rx.toast.success(f"Import finished: {self.import_summary}.")

    async def _refresh_matches(self) -> None:
        volumes = list(self._volumes.values())
        matches = await asyncio.to_thread(_match, volumes)
        currency = get_settings().default_currency.upper()
        refreshed = []
        for row in self.results:
            volume = self._volumes.get(row.volume_id)
            if volume is None:
                refreshed.append(row)
                continue
            new = _row(volume, matches.get(row.volume_id), currency)
            new.outcome = row.outcome
            new.selected = row.selected
            new.price_error = row.price_error
            refreshed.append(new)
        self.results = refreshed

    @rx.event
    def set_language(self, value: str):
        """Limit the next searches to one language, or to any."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.language = value if value in LANGUAGES else ANY_LANGUAGE
        return None

    @rx.event
    def set_bulk_mode(self, mode: str | list[str]):
        """Switch the bulk form between a list of ISBNs and a query."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if isinstance(mode, list):
            mode = mode[0] if mode else "isbns"
        self.bulk_mode = mode if mode in ("isbns", "query") else "isbns"
        self.bulk_errors = {}
        return None

    @rx.event
    def start_bulk(self, form_data: dict):
        """Check the bulk import form and start the import in the background."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if self.bulk_running:
            return rx.toast.error("A bulk import is already running in this tab.")
        by_isbn = self.bulk_mode == "isbns"
        try:
            request = build_bulk_request(
                isbns=str(form_data.get("isbns", "")) if by_isbn else "",
                query="" if by_isbn else str(form_data.get("bulk_query", "")),
                price=str(form_data.get("bulk_price", "")),
                stock=str(form_data.get("bulk_stock", "")),
                max_volumes=str(form_data.get("max_volumes", "")),
            )
        except ValidationError as exc:
            errors = dict(exc.errors)
            if not by_isbn and "isbns" in errors:
                errors["query"] = "is required: enter a Google Books query"
                del errors["isbns"]
            self.bulk_errors = errors
            return rx.toast.error("Fix the fields marked in red, then start again.")
        self.bulk_errors = {}
        self._bulk_request = request
        self.bulk_running = True
        self.bulk_done = 0
        self.bulk_total = len(request.isbns)
        self.bulk_rows = []
        self.bulk_summary = ""
        return AdminGoogleImportState.run_bulk

    @rx.event(background=True)
    async def run_bulk(self):
        """Run the checked bulk import, sending progress after every item."""
        async with self:
            request = self._bulk_request
            if admin_user(self) is None:
                self.bulk_running = False
                yield login_redirect(self, error="admin")
                return
            if request is None:
                self.bulk_running = False
                return
            self._bulk_request = None

        loop = asyncio.get_running_loop()
        updates: asyncio.Queue = asyncio.Queue()

        def progress(done: int, total: int, item: BulkItem) -> None:
            loop.call_soon_threadsafe(updates.put_nowait, (done, total, item))

        task = asyncio.create_task(
            asyncio.to_thread(
                run_bulk_import, get_google_books_client(), request, progress=progress
            )
        )
        while not task.done() or not updates.empty():
            try:
                done, total, item = await asyncio.wait_for(updates.get(), 0.5)
            except TimeoutError:
                continue
            async with self:
                self.bulk_done = done
                self.bulk_total = total
                self.bulk_rows = [*self.bulk_rows, _bulk_row(item)]
        try:
            summary = task.result()
        except Exception:
            logger.exception("Bulk import from Google Books failed")
            async with self:
                self.bulk_running = False
                self.bulk_summary = "The bulk import stopped on an unexpected error."
            yield rx.toast.error("The bulk import stopped; see the server log.")
            return
        async with self:
            self.bulk_running = False
            self.bulk_summary = summary.summary()
            if self.results:
                await self._refresh_matches()
        yield rx.toast.info(f"Bulk import finished: {summary.summary()}.")


def _import_volume(volume: GoogleVolume, price: Decimal | None, stock: int | None):
    with session_scope() as session:
        return import_google_volume(session, volume, price=price, stock=stock)


def _match(volumes: list[GoogleVolume]) -> dict[str, CatalogMatch]:
    with session_scope() as session:
        return match_volumes(session, volumes)


__all__ = [
    "ANY_LANGUAGE",
    "DEFAULT_BULK_QUERY_VOLUMES",
    "LANGUAGES",
    "ROUTE",
    "AdminGoogleImportState",
    "BulkRow",
    "VolumeRow",
]
