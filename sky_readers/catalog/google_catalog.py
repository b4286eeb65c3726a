"""Google Books volumes next to the catalog: previews, matches and bulk imports.

A volume is "in the catalog" when a store book carries its ISBN-13 (an ISBN-10 is
converted first) or, failing that, its volume id: the same rule by which
`import_google_volume` decides between updating and creating a book.

A bulk import takes a pasted list of ISBNs or a Google Books query, looks the volumes
up, and imports each one in its own transaction, so one rejected volume never undoes
the others. A price given for the batch applies only to new books that Google does
not sell in the store's currency. A stock figure applies only to new books. Existing
books keep their price and stock and take Google's newer metadata.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session

from sky_readers.adapters.google_books import (
    GoogleBooksClient,
    GoogleBooksError,
    GoogleBooksUnavailable,
    GoogleVolume,
)
from sky_readers.catalog import isbn as isbn_rules
from sky_readers.catalog.google_import import import_google_volume
from sky_readers.catalog.models import Book
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.money import parse_money
from sky_readers.core.settings import get_settings

logger = logging.getLogger(__name__)

# Most ISBNs one bulk import accepts, and most volumes it takes from one query.
MAX_BULK_ISBNS = 500
MAX_BULK_QUERY_VOLUMES = 200
DEFAULT_BULK_QUERY_VOLUMES = 40
# Characters that separate ISBNs in a pasted list; hyphens stay inside an ISBN.
_LIST_SEPARATORS = re.compile(r"[\s,;]+")

Outcome = Literal["created", "updated", "skipped", "failed"]
ProgressCallback = Callable[[int, int, "BulkItem"], None]


@dataclasses.dataclass(frozen=True)
class CatalogMatch:
    """The store book that a Google Books volume corresponds to."""

    book_id: int
    title: str
    price: Decimal
    currency: str
    stock_on_hand: int


def volume_isbn13(volume: GoogleVolume) -> str | None:
    """Return the volume's ISBN-13, converted from its ISBN-10 when it has no other."""
    return isbn_rules.normalise_isbn13(volume.isbn13) or isbn_rules.normalise_isbn13(
        volume.isbn10
    )


def match_volumes(
    session: Session, volumes: Sequence[GoogleVolume]
) -> dict[str, CatalogMatch]:
    """Find the store books of some volumes, in two queries.

    Returns:
        Volume id to the matching book, for the volumes that are in the catalog.
    """
    isbns = {volume_isbn13(v) for v in volumes} - {None}
    ids = {v.volume_id for v in volumes}
    columns = (
        Book.id,
        Book.title,
        Book.price,
        Book.currency,
        Book.stock_on_hand,
        Book.isbn13,
        Book.google_volume_id,
    )
    by_isbn: dict[str, CatalogMatch] = {}
    by_volume: dict[str, CatalogMatch] = {}
    if isbns:
        for row in session.execute(
            sa.select(*columns).where(Book.isbn13.in_(sorted(isbns)))
        ):
            by_isbn[row.isbn13] = _match(row)
    for row in session.execute(
        sa.select(*columns).where(Book.google_volume_id.in_(sorted(ids)))
    ):
        by_volume[row.google_volume_id] = _match(row)

    found: dict[str, CatalogMatch] = {}
    for volume in volumes:
        isbn13 = volume_isbn13(volume)
        match = by_isbn.get(isbn13) if isbn13 else None
        match = match or by_volume.get(volume.volume_id)
        if match is not None:
            found[volume.volume_id] = match
    return found


def _match(row) -> CatalogMatch:
    return CatalogMatch(
        book_id=row.id,
        title=row.title,
        price=row.price,
        currency=row.currency,
        stock_on_hand=row.stock_on_hand,
    )


# ---------------------------------------------------------------------------------
# Bulk import


@dataclasses.dataclass(frozen=True)
class BulkItem:
    """Outcome of one ISBN or one volume of a bulk import."""

    # The ISBN as pasted, or the volume id for a query import.
    key: str
    outcome: Outcome
    message: str
    book_id: int | None = None
    title: str | None = None


@dataclasses.dataclass
class BulkSummary:
    """Every item of a bulk import, in the order they were handled."""

    items: list[BulkItem] = dataclasses.field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """Count the items with one outcome."""
        return sum(1 for item in self.items if item.outcome == outcome)

    def summary(self) -> str:
        """Return the counts as one line, such as "3 created, 1 updated, ..."."""
        parts = [
            f"{self.count(outcome)} {outcome}"
            for outcome in ("created", "updated", "skipped", "failed")
        ]
        return ", ".join(parts)


@dataclasses.dataclass(frozen=True)
class BulkRequest:
    """A validated bulk import: ISBNs or a query, with the admin's defaults."""

    isbns: tuple[str, ...] = ()
    query: str = ""
    # Price for new books that Google does not sell in the store's currency.
    price: Decimal | None = None
    # Copies on hand for each new book; IMPORT_DEFAULT_STOCK when None.
    stock: int | None = None
    max_volumes: int = DEFAULT_BULK_QUERY_VOLUMES


def parse_isbn_list(text: str) -> list[str]:
    """Split pasted text into ISBN entries, by lines, commas, semicolons or spaces.

    Entries are returned as typed, repeats removed; they are checked later, one by
    one, so one typo does not reject the whole list.

    Raises:
        ValidationError: Under "isbns", when the text contains more than MAX_BULK_ISBNS.
    """
    entries = [e for e in _LIST_SEPARATORS.split(text or "") if e]
    unique = list(dict.fromkeys(entries))
    if len(unique) > MAX_BULK_ISBNS:
        raise ValidationError(
            {
                "isbns": f"{len(unique)} ISBNs pasted: import at most "
                f"{MAX_BULK_ISBNS} at a time"
            }
        )
    return unique


def build_bulk_request(
    *,
    isbns: str | Iterable[str] = "",
    query: str = "",
    price: str = "",
    stock: str | int | None = "",
    max_volumes: str | int | None = "",
    currency: str | None = None,
) -> BulkRequest:
    """Check the fields of a bulk import form or command line.

    Args:
        isbns: Pasted text, or ISBNs one per item.
        query: Google Books query; exactly one of `isbns` and `query` is required.
        price: Default price of new books that Google does not sell, or "" for none.
        stock: Copies on hand for each new book, or "" for IMPORT_DEFAULT_STOCK.
        max_volumes: Most volumes a query imports, 1 to MAX_BULK_QUERY_VOLUMES.
        currency: Store currency; DEFAULT_CURRENCY when None.

    Raises:
        ValidationError: Naming every invalid field.
    """
    errors: dict[str, str] = {}
    entries: list[str] = []
    try:
        entries = (
            parse_isbn_list(isbns)
            if isinstance(isbns, str)
            else parse_isbn_list(" ".join(isbns))
        )
    except ValidationError as exc:
        errors.update(exc.errors)
    query = " ".join((query or "").split())
    if not entries and not query and "isbns" not in errors:
        errors["isbns"] = "is required: paste ISBNs, or enter a Google Books query"
    elif entries and query:
        errors["query"] = (
            "leave it empty when ISBNs are pasted: import one or the other"
        )

    store_currency = (currency or get_settings().default_currency).upper()
    default_price = None
    if isinstance(price, str) and price.strip():
        try:
            default_price = parse_money(price, field="price", currency=store_currency)
        except ValidationError as exc:
            errors.update(exc.errors)

    copies = _whole_number(stock, "stock", 0, 1_000_000, errors)
    limit = _whole_number(max_volumes, "max_volumes", 1, MAX_BULK_QUERY_VOLUMES, errors)
    if errors:
        raise ValidationError(errors)
    return BulkRequest(
        isbns=tuple(entries),
        query=query if not entries else "",
        price=default_price,
        stock=copies,
        max_volumes=limit or DEFAULT_BULK_QUERY_VOLUMES,
    )


def _whole_number(
    value: str | int | None,
    field: str,
    minimum: int,
    maximum: int,
    errors: dict[str, str],
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        errors[field] = f"{value!r} is not a whole number: enter digits such as 5"
        return None
    if not minimum <= number <= maximum:
        errors[field] = f"{number} is out of range: enter {minimum} to {maximum}"
        return None
    return number


def _pick_volume(volumes: Sequence[GoogleVolume], isbn13: str) -> GoogleVolume | None:
    """Return the volume that carries the ISBN, or None when no volume does.

    Google's isbn: search sometimes lists editions with other ISBNs as well; a
    volume without the ISBN asked for is never imported in its place.
    """
    for volume in volumes:
        if volume_isbn13(volume) == isbn13:
            return volume
    return None


def _import_one(
    volume: GoogleVolume,
    request: BulkRequest,
    key: str,
    sessions: Callable[[], AbstractContextManager[Session]],
) -> BulkItem:
    currency = get_settings().default_currency.upper()
    try:
        with sessions() as session:
            existing = match_volumes(session, [volume])
            is_new = volume.volume_id not in existing
            price = None
            if is_new and volume.price_in(currency) is None:
                price = request.price
            result = import_google_volume(
                session,
                volume,
                price=price,
                stock=request.stock if is_new else None,
            )
    except ValidationError as exc:
        return BulkItem(key, "skipped", str(exc), title=volume.title)
    except sa.exc.SQLAlchemyError:
        logger.exception("Bulk import of Google Books volume %s failed", key)
        message = "the database rejected this volume; see the server log"
        return BulkItem(key, "failed", message, title=volume.title)
    verb = "created" if result.created else "updated"
    return BulkItem(
        key,
        verb,
        f"{verb} book {result.book_id} at {result.price} {currency}",
        book_id=result.book_id,
        title=volume.title,
    )


def _resolve_isbn(
    client: GoogleBooksClient, entry: str
) -> tuple[GoogleVolume | None, BulkItem | None]:
    """Look up one pasted ISBN: the volume to import, or the item that failed."""
    isbn13 = isbn_rules.normalise_isbn13(entry)
    if isbn13 is None:
        message = "not a valid ISBN-10 or ISBN-13: check the digits"
        return None, BulkItem(entry, "failed", message)
    volume = _pick_volume(client.find_by_isbn(isbn13), isbn13)
    if volume is None:
        return None, BulkItem(entry, "failed", "not found at Google Books")
    return volume, None


def run_bulk_import(
    client: GoogleBooksClient,
    request: BulkRequest,
    *,
    progress: ProgressCallback | None = None,
    sessions: Callable[[], AbstractContextManager[Session]] = session_scope,
) -> BulkSummary:
    """Look up and import every ISBN or every volume of a query.

    Each volume is imported and committed on its own. When Google Books stays
    unavailable after the client's retries, the remaining entries are marked failed
    without further requests.

    Args:
        client: Google Books client.
        request: The checked request, from `build_bulk_request`.
        progress: Called after each item with (done, total, item); a query import
            first fetches its volumes, so its total is known from the first call.
        sessions: Factory of committing sessions, one per volume.

    Returns:
        The outcome of every entry, in order.
    """
    summary = BulkSummary()

    def record(item: BulkItem, total: int) -> None:
        summary.items.append(item)
        if progress is not None:
            progress(len(summary.items), total, item)

    if request.query:
        try:
            volumes = list(
                client.iter_search(request.query, max_items=request.max_volumes)
            )
        except GoogleBooksError as exc:
            record(BulkItem(request.query, "failed", str(exc)), 1)
            return summary
        if not volumes:
            record(
                BulkItem(request.query, "failed", "Google Books found no volumes"), 1
            )
            return summary
        for volume in volumes:
            record(
                _import_one(volume, request, volume.volume_id, sessions), len(volumes)
            )
        _log_summary(request, summary)
        return summary

    total = len(request.isbns)
    for position, entry in enumerate(request.isbns):
        try:
            volume, failure = _resolve_isbn(client, entry)
        except GoogleBooksUnavailable as exc:
            record(BulkItem(entry, "failed", str(exc)), total)
            for rest in request.isbns[position + 1 :]:
                message = "not tried: Google Books is unavailable"
                record(BulkItem(rest, "failed", message), total)
            break
        except GoogleBooksError as exc:
            record(BulkItem(entry, "failed", str(exc)), total)
            continue
        if volume is None:
            record(failure, total)
            continue
        record(_import_one(volume, request, entry, sessions), total)
    _log_summary(request, summary)
    return summary


def _log_summary(request: BulkRequest, summary: BulkSummary) -> None:
    source = f"query {request.query!r}" if request.query else "ISBN list"
    logger.info("Bulk import from Google Books (%s): %s", source, summary.summary())
