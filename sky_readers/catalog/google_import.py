"""Import of one Google Books volume into the catalog, without duplicates.

A volume matches an existing book by ISBN-13 first, then by Google volume id. A match
is updated with Google's metadata and keeps its price and stock unless the admin
passes new ones. A new book takes its price from saleInfo when Google sells the volume
in the store's currency. Otherwise the admin must supply the price, because a price in
another currency, or none at all, cannot be shown to shoppers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlmodel import Session

from sky_readers.adapters.google_books import GoogleVolume
from sky_readers.catalog.genres import (
    CATEGORIES,
    MAX_CATEGORIES_PER_BOOK,
    categories_of_tag,
)
from sky_readers.catalog.isbn import (
    isbn13_to_isbn10,
    normalise_isbn10,
    normalise_isbn13,
)
from sky_readers.catalog.models import Book, BookAuthor, BookCategory
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.services import ensure_categories, get_or_create_author
from sky_readers.core.errors import ValidationError
from sky_readers.core.money import MAX_AMOUNT, currency_exponent, parse_money
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

TITLE_MAX = 500
SUBTITLE_MAX = 500
PUBLISHER_MAX = 300
LANGUAGE_MAX = 12

PriceSource = Literal["google", "admin", "unchanged"]

# BISAC subject headings, which Google Books uses as category segments, that reader
# tags do not cover. Other segments go through the reader-tag mapping of genres.py.
BISAC_CATEGORIES: dict[str, str] = {
    "biography & autobiography": "biography-memoir",
    "business & economics": "business",
    "mystery & detective": "mystery",
    "comics & graphic novels": "graphic-novels",
    "young adult fiction": "young-adult",
    "young adult nonfiction": "young-adult",
    "juvenile nonfiction": "childrens",
    "religion": "religion-spirituality",
    "body, mind & spirit": "religion-spirituality",
    "literary collections": "literary-fiction",
    "literary": "literary-fiction",
    "historical": "historical-fiction",
    "science": "science",
    "philosophy": "philosophy",
    "psychology": "psychology",
    "travel": "travel",
    "humor": "humor",
    "poetry": "poetry",
}


@dataclass(frozen=True)
class GoogleImportResult:
    """Outcome of importing one volume."""

    book_id: int
    created: bool
    price: Decimal
    # Source of the price: Google's saleInfo, the admin, or the existing book.
    price_source: PriceSource
    # Store category slugs linked from Google's categories; empty when none matched.
    categories: tuple[str, ...]


def import_google_volume(
    session: Session,
    volume: GoogleVolume,
    *,
    price: Decimal | str | None = None,
    stock: int | None = None,
    currency: str | None = None,
) -> GoogleImportResult:
    """Create or update the book for a Google Books volume.

    Args:
        session: Open session; the caller commits, so a rejected import saves nothing.
        volume: The volume, as the Google Books client returns it.
        price: Store price set by the admin, as Decimal or text such as "12.99". It
            is required when Google does not sell a new volume in the store's currency.
        stock: Copies on hand; a new book gets IMPORT_DEFAULT_STOCK when None, and an
            existing book keeps its stock.
        currency: ISO 4217 code of the store's prices; DEFAULT_CURRENCY when None.

    Returns:
        The book's id, whether it was created, and its price with the price's source.

    Raises:
        ValidationError: The price is missing or invalid, the stock is negative, the
            title is too long, or the volume's identifiers belong to two books.
    """
    settings = get_settings()
    store_currency = (currency or settings.default_currency).upper()
    admin_price = _admin_price(price, store_currency)
    if stock is not None and stock < 0:
        raise ValidationError({"stock": f"{stock} is negative: enter 0 or more"})

    isbn13 = normalise_isbn13(volume.isbn13) or normalise_isbn13(volume.isbn10)
    isbn10 = normalise_isbn10(volume.isbn10) or (
        isbn13_to_isbn10(isbn13) if isbn13 else None
    )
    book = _find_book(session, volume.volume_id, isbn13)
    created = book is None
    _check_identifiers_free(session, book, isbn10, isbn13, volume.volume_id)

    if admin_price is not None:
        final_price, source = admin_price, "admin"
    elif book is not None:
        final_price, source = book["price"], "unchanged"
    else:
        google_price = volume.price_in(store_currency)
        if google_price is None:
            message = _missing_price_message(volume, store_currency)
            raise ValidationError({"price": message})
        final_price, source = google_price, "google"

    values = _metadata(volume, book, isbn10, isbn13)
    values["price"] = final_price
    table = Book.__table__
    if book is None:
        values |= {
            "currency": store_currency,
            "stock_on_hand": settings.import_default_stock if stock is None else stock,
            # Google's rating is imported; a new book has no reviews to combine.
            "average_rating": volume.average_rating or Decimal(0),
            "rating_count": volume.ratings_count or 0,
            "imported_rating": volume.average_rating or Decimal(0),
            "imported_rating_count": volume.ratings_count or 0,
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        book_id = session.execute(
            insert(table).values(**values).returning(table.c.id)
        ).scalar_one()
    else:
        book_id = book["id"]
        if stock is not None:
            values["stock_on_hand"] = stock
        values["updated_at"] = utcnow()
        session.execute(update(table).where(table.c.id == book_id).values(**values))

    _link_authors(session, book_id, volume.authors)
    slugs = _link_categories(session, book_id, volume)
    refresh_search_index(session, [book_id])
    logger.info(
        "%s book %d from Google Books volume %s (isbn13=%s, price %s %s from %s)",
        "Created" if created else "Updated",
        book_id,
        volume.volume_id,
        isbn13,
        final_price,
        store_currency,
        source,
    )
    return GoogleImportResult(book_id, created, final_price, source, slugs)


def _admin_price(price: Decimal | str | None, currency: str) -> Decimal | None:
    if price is None:
        return None
    if isinstance(price, str):
        return parse_money(price, field="price", currency=currency)
    if not isinstance(price, Decimal) or not price.is_finite():
        raise ValidationError(
            {"price": f"{price!r} is not an exact amount: enter it as text like 12.99"}
        )
    exponent = currency_exponent(currency)
    if price != price.quantize(Decimal(1).scaleb(-exponent)):
        raise ValidationError(
            {"price": f"{price} has more than {exponent} decimals for {currency}"}
        )
    if price < 0 or price > MAX_AMOUNT:
        raise ValidationError({"price": f"{price} is out of range: 0 to {MAX_AMOUNT}"})
    return price.quantize(Decimal(1).scaleb(-exponent))


def _missing_price_message(volume: GoogleVolume, currency: str) -> str:
    offered = volume.retail_price or volume.list_price
    if volume.is_free:
        reason = "Google Books gives this volume away"
    elif offered is not None and volume.saleability in (
        "FOR_SALE",
        "FOR_SALE_AND_RENTAL",
    ):
        reason = f"Google Books sells it in {offered.currency}, not {currency}"
    else:
        reason = "Google Books does not sell this volume"
    return f"{reason}: enter the store's price in {currency}"


def _find_book(
    session: Session, volume_id: str, isbn13: str | None
) -> RowMapping | None:
    table = Book.__table__
    if isbn13:
        found = session.execute(select(table).where(table.c.isbn13 == isbn13))
        book = found.mappings().first()
        if book is not None:
            return book
    found = session.execute(select(table).where(table.c.google_volume_id == volume_id))
    return found.mappings().first()


def _check_identifiers_free(
    session: Session,
    book: RowMapping | None,
    isbn10: str | None,
    isbn13: str | None,
    volume_id: str,
) -> None:
    """Reject the import when another book already carries one of the identifiers."""
    table = Book.__table__
    checks = [
        ("isbn13", table.c.isbn13, isbn13),
        ("isbn10", table.c.isbn10, isbn10),
        ("volume_id", table.c.google_volume_id, volume_id),
    ]
    for field, column, value in checks:
        if value is None:
            continue
        other = session.execute(
            select(table.c.id, table.c.title).where(column == value)
        ).first()
        if other is not None and (book is None or other.id != book["id"]):
            raise ValidationError(
                {
                    field: (
                        f"{value} already belongs to book {other.id} "
                        f"({other.title!r}): update that book instead"
                    )
                }
            )


def _title(volume: GoogleVolume) -> str:
    if len(volume.title) > TITLE_MAX:
        raise ValidationError(
            {"title": f"longer than {TITLE_MAX} characters: {volume.title[:60]!r}..."}
        )
    return volume.title


def _metadata(
    volume: GoogleVolume,
    book: RowMapping | None,
    isbn10: str | None,
    isbn13: str | None,
) -> dict:
    """Return the book columns Google provides; a value Google lacks is left out."""
    values: dict = {"title": _title(volume), "google_volume_id": volume.volume_id}
    if book is None or not book["isbn13"]:
        values["isbn13"] = isbn13
    if book is None or not book["isbn10"]:
        values["isbn10"] = isbn10
    if volume.subtitle:
        values["subtitle"] = volume.subtitle[:SUBTITLE_MAX]
    if volume.description or book is None:
        values["description"] = volume.description
    if volume.publisher:
        values["publisher"] = volume.publisher[:PUBLISHER_MAX]
    if volume.published_date:
        values["published_date"] = volume.published_date
        values["published_year"] = volume.published_year
    if volume.page_count:
        values["page_count"] = volume.page_count
    if volume.language:
        # Google gives BCP 47 tags such as "zh-CN"; the column keeps the language.
        values["language"] = volume.language.split("-")[0].lower()[:LANGUAGE_MAX]
    return values


def _link_authors(session: Session, book_id: int, authors: tuple[str, ...]) -> None:
    if not authors:
        return
    author_ids = list(dict.fromkeys(get_or_create_author(session, a) for a in authors))
    table = BookAuthor.__table__
    session.execute(delete(table).where(table.c.book_id == book_id))
    rows = [
        {"book_id": book_id, "author_id": author_id, "position": position}
        for position, author_id in enumerate(author_ids)
    ]
    session.execute(insert(table), rows)


def store_categories_for(volume: GoogleVolume) -> tuple[str, ...]:
    """Map Google's category segments to store category slugs, best first."""
    slugs: list[str] = []
    for segment in volume.categories:
        bisac = BISAC_CATEGORIES.get(segment.casefold())
        for slug in (bisac,) if bisac else categories_of_tag(segment):
            if slug not in slugs:
                slugs.append(slug)
    return tuple(slugs[:MAX_CATEGORIES_PER_BOOK])


def _link_categories(session: Session, book_id: int, volume: GoogleVolume) -> tuple:
    slugs = store_categories_for(volume)
    if not slugs:
        return ()
    specs = [spec for spec in CATEGORIES if spec.slug in slugs]
    ids, _created = ensure_categories(session, specs)
    table = BookCategory.__table__
    session.execute(delete(table).where(table.c.book_id == book_id))
    rows = [
        {"book_id": book_id, "category_id": ids[slug], "position": position}
        for position, slug in enumerate(slugs)
    ]
    session.execute(insert(table), rows)
    return slugs
