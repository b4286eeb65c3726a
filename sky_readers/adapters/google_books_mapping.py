"""Records and errors of the Google Books adapter, and the mapping of API payloads.

`volume_from_json` accepts every shape seen in recorded Google Books responses:
missing authors, images, descriptions, dates or identifiers; dates as "1995",
"1925-04", "2018-12-11" or a timestamp; ISBN-10, ISBN-13 and OTHER identifiers in any
order; "/"-separated category paths; prices in any currency or none; http:// image
links; HTML in descriptions; a UTF-8 byte-order mark before the JSON.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from sky_readers.core.errors import NotFoundError, SkyReadersError, ValidationError
from sky_readers.core.money import MAX_AMOUNT, round_money

logger = logging.getLogger(__name__)

# Saleability values for which saleInfo carries a price that can be paid.
SALEABLE = frozenset({"FOR_SALE", "FOR_SALE_AND_RENTAL", "FOR_PREORDER"})
# Image sizes from the largest to the smallest, as named in volumeInfo.imageLinks.
IMAGE_SIZES = ("extraLarge", "large", "medium", "small", "thumbnail", "smallThumbnail")
# Page counts above this are data errors; the longest printed books stay well below.
MAX_PAGES = 100_000
_YEAR_PREFIX = re.compile(r"^(-?\d{1,4})(?:-(\d{2}))?(?:-(\d{2}))?")


class GoogleBooksError(SkyReadersError):
    """Base of the errors of the Google Books client.

    `http_status` is the HTTP status an API route should return, and `str(error)` is a
    message fit to show to an admin.
    """

    http_status = 502


class GoogleBooksUnavailable(GoogleBooksError):
    """Google Books failed or timed out on every attempt, so try again later."""

    http_status = 503

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        """Store the message and the delay Google requested, in seconds, if any."""
        super().__init__(message)
        self.retry_after = retry_after


class GoogleBooksBadResponse(GoogleBooksError):
    """Google Books sent a body that is not the JSON the API documents."""

    http_status = 502


class GoogleBooksRequestError(GoogleBooksError):
    """Google Books rejected the request itself (HTTP 400 or 403)."""

    http_status = 502


class GoogleBooksNotFound(GoogleBooksError, NotFoundError):
    """The volume id does not exist at Google Books."""

    http_status = 404


@dataclass(frozen=True)
class Price:
    """An amount of money in one currency, rounded to its minor unit."""

    amount: Decimal
    currency: str


@dataclass(frozen=True)
class GoogleVolume:
    """One volume of Google Books, with the fields the store uses, normalised."""

    volume_id: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    # Date as given, cut to its date part: "1995", "1925-04" or "2018-12-11".
    published_date: str | None = None
    # Year for sorting; negative before the common era.
    published_year: int | None = None
    # Plain text with paragraphs separated by blank lines; "" when Google has none.
    description: str = ""
    isbn10: str | None = None
    isbn13: str | None = None
    # Identifiers of type OTHER, such as "UOM:39015033907158".
    other_identifiers: tuple[str, ...] = ()
    # Category paths as given ("Fiction / Science Fiction / Space Opera").
    category_paths: tuple[str, ...] = ()
    # Every distinct segment of the paths, in order of appearance.
    categories: tuple[str, ...] = ()
    page_count: int | None = None
    # BCP 47 code as Google gives it ("en", "fr", "zh-CN").
    language: str | None = None
    print_type: str | None = None
    average_rating: Decimal | None = None
    ratings_count: int | None = None
    # https URLs of the cover images by size name, and the largest of them.
    image_links: Mapping[str, str] = field(default_factory=dict)
    cover_url: str | None = None
    info_url: str | None = None
    # saleInfo: country of the offer, saleability and the prices, when for sale.
    country: str | None = None
    saleability: str | None = None
    list_price: Price | None = None
    retail_price: Price | None = None

    @property
    def is_free(self) -> bool:
        """Whether Google gives the volume away (public-domain scans mostly)."""
        return self.saleability == "FREE"

    def price_in(self, currency: str) -> Decimal | None:
        """Return the price Google sells the volume for in `currency`, if any.

        The retail price is preferred, then the list price; None when the volume is
        not for sale or is priced in another currency.
        """
        if self.saleability not in SALEABLE:
            return None
        for price in (self.retail_price, self.list_price):
            if price is not None and price.currency == currency.upper():
                return price.amount
        return None


@dataclass(frozen=True)
class SearchPage:
    """One page of search results."""

    items: tuple[GoogleVolume, ...]
    start_index: int
    max_results: int
    # Google's estimate of all matches; it changes between identical requests.
    total_items: int | None


# Mapping of API payloads.


def decode_json(body: bytes) -> Any:
    """Decode a response body to JSON, accepting a UTF-8 byte-order mark.

    Numbers with a fraction become Decimal, so prices never pass through float.

    Raises:
        GoogleBooksBadResponse: The body is not UTF-8 JSON.
    """
    try:
        return json.loads(body.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        preview = body[:80].decode("utf-8", errors="replace")
        msg = f"Google Books sent a response that is not JSON: {preview!r}"
        raise GoogleBooksBadResponse(msg) from exc


def volumes_from_list(payload: Mapping[str, Any]) -> list[GoogleVolume]:
    """Map a `books#volumes` payload to volumes; a missing `items` key means none."""
    items = payload.get("items") or []
    if not isinstance(items, list):
        msg = f"Google Books sent 'items' as {type(items).__name__}, not a list"
        raise GoogleBooksBadResponse(msg)
    return [volume_from_json(item) for item in items]


def volume_from_json(item: Mapping[str, Any]) -> GoogleVolume:
    """Map one `books#volume` object, from a list or a single lookup.

    Raises:
        GoogleBooksBadResponse: The object has no id or no volumeInfo mapping.
    """
    volume_id = item.get("id") if isinstance(item, Mapping) else None
    info = item.get("volumeInfo") if isinstance(item, Mapping) else None
    if not isinstance(volume_id, str) or not isinstance(info, Mapping):
        msg = "Google Books sent a volume without an id or volumeInfo"
        raise GoogleBooksBadResponse(msg)

    published_date, published_year = parse_published_date(info.get("publishedDate"))
    isbn10, isbn13, others = _identifiers(info.get("industryIdentifiers"))
    paths, categories = _categories(info.get("categories"))
    images = _image_links(info.get("imageLinks"))
    sale = item.get("saleInfo") if isinstance(item.get("saleInfo"), Mapping) else {}

    return GoogleVolume(
        volume_id=volume_id,
        title=_text(info.get("title")) or "Untitled",
        subtitle=_text(info.get("subtitle")),
        authors=_distinct(_text(a) for a in _list(info.get("authors"))),
        publisher=_text(info.get("publisher")),
        published_date=published_date,
        published_year=published_year,
        description=html_to_text(info.get("description") or ""),
        isbn10=isbn10,
        isbn13=isbn13,
        other_identifiers=others,
        category_paths=paths,
        categories=categories,
        page_count=_positive_int(info.get("pageCount"), MAX_PAGES)
        or _positive_int(info.get("printedPageCount"), MAX_PAGES),
        language=_text(info.get("language")),
        print_type=_text(info.get("printType")),
        average_rating=_rating(info.get("averageRating")),
        ratings_count=_positive_int(info.get("ratingsCount")),
        image_links=images,
        cover_url=next((images[s] for s in IMAGE_SIZES if s in images), None),
        info_url=https_url(info.get("canonicalVolumeLink") or info.get("infoLink")),
        country=_text(sale.get("country")),
        saleability=_text(sale.get("saleability")),
        list_price=_price(sale.get("listPrice")),
        retail_price=_price(sale.get("retailPrice")),
    )


def parse_published_date(value: Any) -> tuple[str | None, int | None]:
    """Cut a publishedDate to its date part and read its year.

    "1995", "1925-04" and "2018-12-11" are kept; "2019-10-03T00:00:00+02:00" becomes
    "2019-10-03", the date as written at the publisher's offset. Anything without a
    leading year gives (None, None).
    """
    text = _text(value)
    if text is None:
        return None, None
    match = _YEAR_PREFIX.match(text)
    if match is None:
        return None, None
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        month = day = None
    if day and not 1 <= int(day) <= 31:
        day = None
    date = "-".join(part for part in (year, month, day if month else None) if part)
    return date, int(year)


def https_url(value: Any) -> str | None:
    """Return a link with http:// rewritten to https://, or None for a blank."""
    url = _text(value)
    if url is None:
        return None
    if url.lower().startswith("http://"):
        return "https://" + url[len("http://") :]
    return url


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, with line breaks for block elements."""

    BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Turn an HTML description into plain text; markup is dropped, text is kept.

    `<br>` ends a line and block elements such as `<p>` end a paragraph; entities are
    decoded, runs of blanks become one space and at most one blank line separates
    paragraphs. The result contains no markup, so it is safe to show escaped.
    """
    if not isinstance(html, str):
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _distinct(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _positive_int(value: Any, maximum: int = 2**31 - 1) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return int(value) if 0 < value <= maximum else None


def _rating(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    rating = Decimal(value)
    return rating.quantize(Decimal("0.01")) if 0 < rating <= 5 else None


def _identifiers(value: Any) -> tuple[str | None, str | None, tuple[str, ...]]:
    isbn10 = isbn13 = None
    others: list[str] = []
    for entry in _list(value):
        if not isinstance(entry, Mapping):
            continue
        kind = entry.get("type")
        identifier = _text(entry.get("identifier"))
        if identifier is None:
            continue
        compact = identifier.replace("-", "").replace(" ", "").upper()
        if kind == "ISBN_10" and re.fullmatch(r"\d{9}[\dX]", compact):
            isbn10 = isbn10 or compact
        elif kind == "ISBN_13" and re.fullmatch(r"\d{13}", compact):
            isbn13 = isbn13 or compact
        else:
            others.append(identifier)
    return isbn10, isbn13, tuple(others)


def _categories(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    paths = _distinct(_text(c) for c in _list(value))
    segments = _distinct(
        _text(part) for path in paths for part in path.split("/") if part.strip()
    )
    return paths, segments


def _image_links(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    links = {size: https_url(value.get(size)) for size in IMAGE_SIZES}
    return {size: url for size, url in links.items() if url}


def _price(value: Any) -> Price | None:
    if not isinstance(value, Mapping):
        return None
    amount = value.get("amount")
    currency = _text(value.get("currencyCode"))
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int | Decimal)
        or not currency
    ):
        return None
    try:
        rounded = round_money(Decimal(amount), currency)
    except (ValidationError, TypeError):
        logger.warning(
            "Ignoring the price %s %r: invalid amount or currency", amount, currency
        )
        return None
    if not 0 <= rounded <= MAX_AMOUNT:
        logger.warning("Ignoring the price %s %s: out of range", amount, currency)
        return None
    return Price(rounded, currency.upper())
