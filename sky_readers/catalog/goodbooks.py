"""Import of the goodbooks-10k catalogue (books.csv, tags.csv, book_tags.csv).

The importer repairs the known faults of that data set while it reads:

* `isbn` was stored as a number, so leading zeros are restored and a final X kept.
* `isbn13` is a rounded float, so the ISBN-13 is derived from the valid ISBN-10;
  when only `isbn13` exists it is kept only if its check digit still validates.
* `authors` is a comma-joined list that includes translators and illustrators; the
  order is kept and repeated names (same case-folded, accent-free key) are dropped.
* `original_publication_year` is a float string and may be negative (before the
  common era): `published_year` is the integer, `published_date` the year as text.
* `language_code` mixes ISO 639-2 ("eng", "fre") and BCP 47 ("en-US"); it is stored
  as the ISO 639-1 code where one exists.
* Titles carry the series, as in "The Hunger Games (The Hunger Games, #1)", and
  stray spaces; the series and its number move to their own columns.
* Reader tags become store categories by the rule in `sky_readers.catalog.genres`.

Books are matched to the store by goodbooks id, then goodreads id, then ISBN-13, so
a second import, or one over the starter catalogue, updates rather than duplicates.
An update always sets the goodbooks and goodreads ids and the rating figures, and
fills the title details, language, year and ISBNs only where the store has none.
Price, stock, description, publisher, page count, cover and archive flag of an
existing book are never changed, and authors and categories are linked only to
books that have none yet, so an import keeps what an admin edited.

New books get a list price from `sky_readers.catalog.pricing` and the starting
stock of the setting `import_default_stock`. All rows are written with bulk
statements in the caller's transaction.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import langcodes
from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from sky_readers.catalog import genres, isbn
from sky_readers.catalog.models import Book, BookAuthor, BookCategory
from sky_readers.catalog.pricing import list_price
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.services import AuthorDirectory, ensure_categories
from sky_readers.catalog.text import clean_spaces, name_key
from sky_readers.core.errors import SkyReadersError, ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow
from sky_readers.reviews.rating_rule import refresh_book_ratings

logger = logging.getLogger(__name__)

BOOKS_FILE = "books.csv"
TAGS_FILE = "tags.csv"
BOOK_TAGS_FILE = "book_tags.csv"
REQUIRED_FILES = (BOOKS_FILE, TAGS_FILE, BOOK_TAGS_FILE)

BOOK_COLUMNS = (
    "book_id",
    "goodreads_book_id",
    "isbn",
    "isbn13",
    "authors",
    "original_publication_year",
    "title",
    "language_code",
    "average_rating",
    "work_ratings_count",
)
TAG_COLUMNS = ("tag_id", "tag_name")
BOOK_TAG_COLUMNS = ("goodreads_book_id", "tag_id", "count")

# Skip reasons, as counted in ImportReport.skipped.
SKIP_MISSING_TITLE = "missing title"
SKIP_INVALID_ID = "invalid id"
SKIP_DUPLICATE_ID = "duplicate id"
SKIP_DUPLICATE_ISBN = "duplicate ISBN"

TITLE_MAX = 500
SERIES_MAX = 300
SERIES_NUMBER_MAX = 20
LANGUAGE_MAX = 12
# Rows of books.csv and of book_tags.csv between two progress reports.
BOOK_PROGRESS_EVERY = 1_000
TAG_PROGRESS_EVERY = 50_000

# Called as progress(step, done, total): step is "books", "tags" or "write"; done and
# total count rows for "books", bytes for "tags" and statements for "write".
ProgressCallback = Callable[[str, int, int], None]

# Columns an import sets on every matched book, and columns it fills only when empty.
# The rating is the imported one; the shown rating is recomputed from it and the
# store's reviews (sky_readers.reviews.rating_rule).
ALWAYS_UPDATED = (
    "goodbooks_id",
    "goodreads_book_id",
    "imported_rating",
    "imported_rating_count",
)
FILLED_WHEN_EMPTY = (
    "series",
    "series_number",
    "language",
    "published_date",
    "published_year",
    "isbn10",
    "isbn13",
)


@dataclass
class ImportReport:
    """Counts of one import: rows read, books created or updated, rows skipped."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    authors_created: int = 0
    categories_created: int = 0
    category_links: int = 0
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        """Number of rows skipped for any reason."""
        return sum(self.skipped.values())

    def summary(self) -> str:
        """Describe the counts in a few lines for people."""
        lines = [
            f"read: {self.read}",
            f"created: {self.created}",
            f"updated: {self.updated}",
            f"unchanged: {self.unchanged}",
            f"skipped: {self.skipped_total}",
        ]
        lines += [
            f"  {reason}: {count}" for reason, count in sorted(self.skipped.items())
        ]
        lines += [
            f"authors created: {self.authors_created}",
            f"categories created: {self.categories_created}",
            f"category links created: {self.category_links}",
            f"time: {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


@dataclass
class GoodbooksBook:
    """One usable row of books.csv, repaired."""

    goodbooks_id: int
    goodreads_book_id: int
    title: str
    series: str | None
    series_number: str | None
    authors: list[str]
    isbn10: str | None
    isbn13: str | None
    published_year: int | None
    published_date: str | None
    language: str | None
    imported_rating: Decimal
    imported_rating_count: int


class RowSkipped(Exception):
    """Raised for a row the importer cannot use; the message is the skip reason."""


# ---------------------------------------------------------------------------------
# Repairs of single fields


def split_series(raw_title: str) -> tuple[str, str | None, str | None]:
    """Split a trailing "(Series, #N)" off a title and tidy its spaces.

    Only a final parenthesis that contains "#" names a series; when it lists several
    ("Mort (Death, #1; Discworld, #4)") the first is used. Parentheses without "#",
    such as "(Penguin Readers, Level 5)", stay in the title.

    Returns:
        The title, the series name or None, and the series number or None.
    """
    title = clean_spaces(raw_title)
    if not title.endswith(")"):
        return title, None, None
    start = _matching_open_paren(title)
    if start is None or start == 0:
        return title, None, None
    inner = title[start + 1 : -1]
    first = inner.split(";")[0]
    match = re.fullmatch(r"\s*(?P<series>.*?)\s*,?\s*#\s*(?P<number>.+?)\s*", first)
    if not match or "#" not in first:
        return title, None, None
    series = clean_spaces(match["series"])
    number = clean_spaces(match["number"])
    base = title[:start].strip()
    if not base or len(series) > SERIES_MAX or len(number) > SERIES_NUMBER_MAX:
        return title, None, None
    return base, series or None, number or None


def _matching_open_paren(text: str) -> int | None:
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def parse_year(raw: str) -> tuple[int | None, str | None]:
    """Read a year stored as a float string such as "2008.0" or "-720.0".

    Returns:
        The year as an integer and as text ("-720"), or (None, None) when empty.
    """
    text = raw.strip()
    if not text:
        return None, None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, None
    if not number.is_finite():
        return None, None
    year = int(number)
    return year, str(year)


def normalise_language(code: str) -> str | None:
    """Map a MARC, ISO 639-2 or BCP 47 code to ISO 639-1 where one exists.

    "eng", "en-US" and "en" give "en"; "fre" gives "fr"; "mul" has no two-letter
    form and stays "mul". Empty or unknown codes give None.
    """
    text = code.strip()
    if not text:
        return None
    try:
        language = langcodes.Language.get(text).language
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return None
    if not language or not langcodes.Language.get(language).is_valid():
        return None
    return language[:LANGUAGE_MAX]


def parse_authors(raw: str) -> list[str]:
    """Split a comma-joined author list, keep its order and drop repeated names."""
    names: list[str] = []
    seen: set[str] = set()
    for part in raw.split(","):
        try:
            name = AuthorDirectory.clean_name(part)
        except ValidationError:
            continue
        key = name_key(name)
        if key in seen:
            continue
        seen.add(key)
        names.append(name)
    return names


def repair_isbns(raw_isbn10: str, raw_isbn13: str) -> tuple[str | None, str | None]:
    """Derive a book's ISBN-10 and ISBN-13 from the two damaged columns.

    Returns:
        The valid ISBN-10 and ISBN-13, each None when it cannot be trusted.
    """
    isbn10 = isbn.repair_numeric_isbn10(raw_isbn10)
    if isbn10 is not None:
        return isbn10, isbn.isbn10_to_isbn13(isbn10)
    isbn13 = isbn.approximate_isbn13(raw_isbn13)
    if isbn13 is None:
        return None, None
    return isbn.isbn13_to_isbn10(isbn13), isbn13


def _parse_int(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d+", text):
        raise RowSkipped(SKIP_INVALID_ID)
    return int(text)


def _parse_rating(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return Decimal("0.00")
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(5):
        return Decimal("0.00")
    return value.quantize(Decimal("0.01"))


def _parse_count(raw: str) -> int:
    text = raw.strip()
    return int(text) if re.fullmatch(r"\d+", text) else 0


def parse_book_row(row: dict[str, str]) -> GoodbooksBook:
    """Repair one row of books.csv.

    Raises:
        RowSkipped: The row has no title or no numeric ids (the message is the reason).
    """
    goodbooks_id = _parse_int(row["book_id"])
    goodreads_id = _parse_int(row["goodreads_book_id"])
    title, series, series_number = split_series(row["title"] or "")
    if not title:
        raise RowSkipped(SKIP_MISSING_TITLE)
    isbn10, isbn13 = repair_isbns(row["isbn"] or "", row["isbn13"] or "")
    year, date = parse_year(row["original_publication_year"] or "")
    return GoodbooksBook(
        goodbooks_id=goodbooks_id,
        goodreads_book_id=goodreads_id,
        title=title[:TITLE_MAX],
        series=series,
        series_number=series_number,
        authors=parse_authors(row["authors"] or ""),
        isbn10=isbn10,
        isbn13=isbn13,
        published_year=year,
        published_date=date,
        language=normalise_language(row["language_code"] or ""),
        imported_rating=_parse_rating(row["average_rating"] or ""),
        imported_rating_count=_parse_count(row["work_ratings_count"] or ""),
    )


# ---------------------------------------------------------------------------------
# Reading the files


def check_folder(folder: Path) -> dict[str, Path]:
    """Check that the folder contains the three goodbooks files.

    Returns:
        The path of each file by name.

    Raises:
        SkyReadersError: The folder or one of the files is missing; the message names
            the path.
    """
    if not folder.exists():
        msg = (
            f"goodbooks folder not found: {folder}. Pass the folder that contains "
            f"{', '.join(REQUIRED_FILES)}."
        )
        raise SkyReadersError(msg)
    if not folder.is_dir():
        msg = f"not a folder: {folder}. Pass the folder that contains {BOOKS_FILE}."
        raise SkyReadersError(msg)
    paths = {name: folder / name for name in REQUIRED_FILES}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        msg = (
            f"missing goodbooks file: {', '.join(missing)}. The folder must contain "
            f"{', '.join(REQUIRED_FILES)}."
        )
        raise SkyReadersError(msg)
    return paths


def _check_header(path: Path, header: list[str] | None, needed: tuple[str, ...]):
    absent = [name for name in needed if name not in (header or [])]
    if absent:
        msg = (
            f"{path} is missing the column(s) {', '.join(absent)}: is it a "
            "goodbooks-10k file?"
        )
        raise SkyReadersError(msg)


def read_books(
    path: Path,
    limit: int | None,
    report: ImportReport,
    progress: ProgressCallback | None = None,
) -> list[GoodbooksBook]:
    """Read and repair books.csv, skipping rows without a title or with repeated ids.

    Args:
        path: The books.csv file.
        limit: Read at most this many data rows; None reads all.
        report: Receives the read and skipped counts.
        progress: Optional progress callback.

    Returns:
        The usable books, in file order.
    """
    books: list[GoodbooksBook] = []
    seen_goodbooks: set[int] = set()
    seen_goodreads: set[int] = set()
    total = _count_data_lines(path) if limit is None else limit
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        _check_header(path, reader.fieldnames, BOOK_COLUMNS)
        for row in reader:
            if limit is not None and report.read >= limit:
                break
            report.read += 1
            if progress and report.read % BOOK_PROGRESS_EVERY == 0:
                progress("books", report.read, total)
            try:
                book = parse_book_row(row)
            except RowSkipped as exc:
                report.skipped[str(exc)] += 1
                logger.debug("Skipped row %d of %s: %s", report.read, path, exc)
                continue
            if (
                book.goodbooks_id in seen_goodbooks
                or book.goodreads_book_id in seen_goodreads
            ):
                report.skipped[SKIP_DUPLICATE_ID] += 1
                continue
            seen_goodbooks.add(book.goodbooks_id)
            seen_goodreads.add(book.goodreads_book_id)
            books.append(book)
    if progress:
        progress("books", report.read, report.read)
    return books


def _count_data_lines(path: Path) -> int:
    # Total for the progress bar; quoted fields in books.csv contain no newlines.
    with path.open("rb") as handle:
        return max(sum(1 for _line in handle) - 1, 0)


def read_tag_index(path: Path) -> dict[str, tuple[str, ...]]:
    """Read tags.csv and keep the tags that map to store categories.

    Returns:
        Category slugs per tag id, with the id as the text found in the files.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        _check_header(path, reader.fieldnames, TAG_COLUMNS)
        pairs = ((row["tag_id"].strip(), row["tag_name"] or "") for row in reader)
        return genres.tag_category_index(pairs)


def read_category_scores(
    path: Path,
    tag_index: dict[str, tuple[str, ...]],
    goodreads_ids: set[str],
    progress: ProgressCallback | None = None,
) -> dict[str, dict[str, int]]:
    """Stream book_tags.csv and add up the category scores of the books being imported.

    A (book, tag) pair listed twice counts once, with its larger count; negative
    counts count as zero.

    Args:
        path: The book_tags.csv file.
        tag_index: Category slugs per tag id, from `read_tag_index`.
        goodreads_ids: Goodreads ids (as text) of the books being imported.
        progress: Optional progress callback, in bytes read.

    Returns:
        Category score per slug, per goodreads id.
    """
    total = path.stat().st_size
    counts: dict[str, dict[str, int]] = {}
    with path.open("rb") as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(handle)
        header = next(reader, None)
        _check_header(path, header, BOOK_TAG_COLUMNS)
        book_col = header.index("goodreads_book_id")
        tag_col = header.index("tag_id")
        count_col = header.index("count")
        for line_number, row in enumerate(reader, start=1):
            if progress and line_number % TAG_PROGRESS_EVERY == 0:
                progress("tags", raw.tell(), total)
            tag_id = row[tag_col]
            if tag_id not in tag_index:
                continue
            book_id = row[book_col]
            if book_id not in goodreads_ids:
                continue
            try:
                count = int(row[count_col])
            except ValueError:
                continue
            book_counts = counts.setdefault(book_id, {})
            if count > book_counts.get(tag_id, 0):
                book_counts[tag_id] = count
    if progress:
        progress("tags", total, total)

    scores: dict[str, dict[str, int]] = {}
    for book_id, book_counts in counts.items():
        book_scores: dict[str, int] = {}
        for tag_id, count in book_counts.items():
            for slug in tag_index[tag_id]:
                book_scores[slug] = book_scores.get(slug, 0) + count
        scores[book_id] = book_scores
    return scores


# ---------------------------------------------------------------------------------
# Matching and writing


class _StoreIndex:
    """Books already in the store, by each identifier the importer matches on."""

    def __init__(self, session: Session) -> None:
        table = Book.__table__
        columns = [table.c.id, *(table.c[name] for name in _STORE_COLUMNS)]
        self.rows: dict[int, dict] = {}
        self.by_goodbooks: dict[int, int] = {}
        self.by_goodreads: dict[int, int] = {}
        self.by_isbn13: dict[str, int] = {}
        self.by_isbn10: dict[str, int] = {}
        for row in session.execute(select(*columns)).mappings():
            book = dict(row)
            self.rows[book["id"]] = book
            if book["goodbooks_id"] is not None:
                self.by_goodbooks[book["goodbooks_id"]] = book["id"]
            if book["goodreads_book_id"] is not None:
                self.by_goodreads[book["goodreads_book_id"]] = book["id"]
            if book["isbn13"]:
                self.by_isbn13[book["isbn13"]] = book["id"]
            if book["isbn10"]:
                self.by_isbn10[book["isbn10"]] = book["id"]
        self.with_authors = set(
            session.execute(select(BookAuthor.__table__.c.book_id).distinct()).scalars()
        )
        self.with_categories = set(
            session.execute(
                select(BookCategory.__table__.c.book_id).distinct()
            ).scalars()
        )

    def match(self, book: GoodbooksBook) -> int | None:
        """Return the id of the store book this row is, or None for a new book.

        Raises:
            RowSkipped: The row's ids or ISBN belong to another goodbooks book.
        """
        found = self.by_goodbooks.get(book.goodbooks_id)
        if found is not None:
            return found
        found = self.by_goodreads.get(book.goodreads_book_id)
        if found is not None:
            if self.rows[found]["goodbooks_id"] is not None:
                raise RowSkipped(SKIP_DUPLICATE_ID)
            return found
        if book.isbn13 is None:
            return None
        found = self.by_isbn13.get(book.isbn13)
        if found is None:
            return None
        existing = self.rows[found]
        if existing["goodbooks_id"] is not None or existing[
            "goodreads_book_id"
        ] not in (
            None,
            book.goodreads_book_id,
        ):
            raise RowSkipped(SKIP_DUPLICATE_ISBN)
        return found


_STORE_COLUMNS = ALWAYS_UPDATED + FILLED_WHEN_EMPTY


class _Claims:
    """Unique identifiers taken so far, so two rows never write the same value."""

    def __init__(self, store: _StoreIndex) -> None:
        self.owners: dict[tuple[str, object], object] = {}
        for book_id, row in store.rows.items():
            for column in ("goodbooks_id", "goodreads_book_id", "isbn10", "isbn13"):
                if row[column] is not None:
                    self.owners[(column, row[column])] = book_id

    def take(self, owner: object, values: dict[str, object]) -> None:
        """Record `owner` for every unique value it writes.

        Raises:
            RowSkipped: Another book already has one of the values.
        """
        for column, value in values.items():
            if value is None:
                continue
            holder = self.owners.get((column, value), owner)
            if holder != owner:
                reason = (
                    SKIP_DUPLICATE_ISBN
                    if column.startswith("isbn")
                    else SKIP_DUPLICATE_ID
                )
                raise RowSkipped(reason)
        for column, value in values.items():
            if value is not None:
                self.owners[(column, value)] = owner


def _planned_update(existing: dict, book: GoodbooksBook) -> dict:
    changes: dict[str, object] = {}
    for column in ALWAYS_UPDATED:
        value = getattr(book, column)
        if existing[column] != value:
            changes[column] = value
    for column in FILLED_WHEN_EMPTY:
        value = getattr(book, column)
        if existing[column] is None and value is not None:
            changes[column] = value
    return changes


def _new_book_row(book: GoodbooksBook, stock: int, currency: str) -> dict:
    now = utcnow()
    return {
        "title": book.title,
        "subtitle": None,
        "series": book.series,
        "series_number": book.series_number,
        "description": "",
        "language": book.language,
        "publisher": None,
        "published_date": book.published_date,
        "published_year": book.published_year,
        "page_count": None,
        "isbn10": book.isbn10,
        "isbn13": book.isbn13,
        "google_volume_id": None,
        "goodreads_book_id": book.goodreads_book_id,
        "goodbooks_id": book.goodbooks_id,
        "price": list_price(
            book.imported_rating_count, f"goodbooks:{book.goodbooks_id}"
        ),
        "currency": currency,
        "stock_on_hand": stock,
        "cover_image": None,
        # A new book has no reviews, so the shown rating is the imported one.
        "average_rating": book.imported_rating,
        "rating_count": book.imported_rating_count,
        "imported_rating": book.imported_rating,
        "imported_rating_count": book.imported_rating_count,
        "is_archived": False,
        "created_at": now,
        "updated_at": now,
    }


def _unique_values(book: GoodbooksBook, columns: tuple[str, ...]) -> dict[str, object]:
    return {column: getattr(book, column) for column in columns}


def import_goodbooks(
    session: Session,
    folder: Path | str,
    *,
    stock: int | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the goodbooks-10k files of a folder into the catalog.

    Args:
        session: Open session; everything is written in its transaction, which the
            caller commits.
        folder: Folder that contains books.csv, tags.csv and book_tags.csv.
        stock: Starting stock of new books; the setting `import_default_stock` by
            default.
        limit: Import only the first N rows of books.csv.
        progress: Called as progress(step, done, total) while the import runs.

    Returns:
        The counts of the import.

    Raises:
        SkyReadersError: A file or column is missing, or `stock` or `limit` is
            negative.
    """
    started = time.perf_counter()
    settings = get_settings()
    stock = settings.import_default_stock if stock is None else stock
    if stock < 0:
        raise SkyReadersError(f"invalid stock {stock}: use 0 or more copies")
    if limit is not None and limit < 0:
        raise SkyReadersError(f"invalid limit {limit}: use 0 or more rows")
    paths = check_folder(Path(folder))
    logger.info("Importing goodbooks data from %s", folder)

    report = ImportReport()
    books = read_books(paths[BOOKS_FILE], limit, report, progress)
    tag_index = read_tag_index(paths[TAGS_FILE])
    goodreads_ids = {str(book.goodreads_book_id) for book in books}
    scores = read_category_scores(
        paths[BOOK_TAGS_FILE], tag_index, goodreads_ids, progress
    )

    category_ids, report.categories_created = ensure_categories(session)
    store = _StoreIndex(session)
    claims = _Claims(store)
    authors = AuthorDirectory(session)

    new_books: list[tuple[GoodbooksBook, dict]] = []
    updates: list[dict] = []
    # Links to write: (book, store id or None for a new book, with authors, with
    # categories).
    links: list[tuple[GoodbooksBook, int | None, bool, bool]] = []
    for book in books:
        try:
            book_id = store.match(book)
        except RowSkipped as exc:
            report.skipped[str(exc)] += 1
            continue

        if book_id is None:
            unique = _unique_values(
                book, ("goodbooks_id", "goodreads_book_id", "isbn10", "isbn13")
            )
            owner: object = ("new", book.goodbooks_id)
        else:
            changes = _planned_update(store.rows[book_id], book)
            unique = {
                column: changes.get(column)
                for column in ("goodbooks_id", "goodreads_book_id", "isbn10", "isbn13")
            }
            owner = book_id
        try:
            claims.take(owner, unique)
        except RowSkipped as exc:
            report.skipped[str(exc)] += 1
            continue

        if book_id is None:
            new_books.append(
                (book, _new_book_row(book, stock, settings.default_currency))
            )
            links.append((book, None, True, True))
        else:
            if changes:
                changes["id"] = book_id
                changes["updated_at"] = utcnow()
                updates.append(changes)
            else:
                report.unchanged += 1
            links.append(
                (
                    book,
                    book_id,
                    book_id not in store.with_authors,
                    book_id not in store.with_categories,
                )
            )

    _write(
        session,
        report,
        new_books,
        updates,
        links,
        authors,
        scores,
        category_ids,
        progress,
    )
    report.seconds = time.perf_counter() - started
    logger.info(
        "Imported goodbooks data: %d read, %d created, %d updated, %d skipped "
        "in %.1f s",
        report.read,
        report.created,
        report.updated,
        report.skipped_total,
        report.seconds,
    )
    return report


def _update_books(session: Session, updates: list[dict]) -> None:
    """Run one UPDATE per set of changed columns, each for all its books at once.

    Bind parameters are named "new_<column>" because SQLAlchemy reserves the column
    names themselves for the SET clause.
    """
    table = Book.__table__
    groups: dict[tuple[str, ...], list[dict]] = {}
    for changes in updates:
        columns = tuple(sorted(name for name in changes if name != "id"))
        groups.setdefault(columns, []).append(
            {
                "book_key": changes["id"],
                **{f"new_{name}": changes[name] for name in columns},
            }
        )
    for columns, rows in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("book_key"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        session.execute(statement, rows)


def _write(
    session: Session,
    report: ImportReport,
    new_books: list[tuple[GoodbooksBook, dict]],
    updates: list[dict],
    links: list[tuple[GoodbooksBook, int | None, bool, bool]],
    authors: AuthorDirectory,
    scores: dict[str, dict[str, int]],
    category_ids: dict[str, int],
    progress: ProgressCallback | None,
) -> None:
    steps = 5
    table = Book.__table__

    new_ids: dict[int, int] = {}
    if new_books:
        inserted = session.execute(
            insert(table).returning(
                table.c.id, table.c.goodbooks_id, sort_by_parameter_order=True
            ),
            [row for _book, row in new_books],
        ).all()
        new_ids = {row.goodbooks_id: row.id for row in inserted}
    report.created = len(new_books)
    if progress:
        progress("write", 1, steps)

    _update_books(session, updates)
    refresh_book_ratings(
        session,
        [
            changes["id"]
            for changes in updates
            if "imported_rating" in changes or "imported_rating_count" in changes
        ],
    )
    report.updated = len(updates)
    if progress:
        progress("write", 2, steps)

    author_links: list[tuple[int, list[str]]] = []
    category_links: list[dict] = []
    for book, book_id, wants_authors, wants_categories in links:
        target = new_ids[book.goodbooks_id] if book_id is None else book_id
        if wants_authors and book.authors:
            keys = [authors.key_for(name) for name in book.authors]
            author_links.append((target, keys))
        if wants_categories:
            book_scores = scores.get(str(book.goodreads_book_id), {})
            for position, slug in enumerate(genres.rank_categories(book_scores)):
                category_links.append(
                    {
                        "book_id": target,
                        "category_id": category_ids[slug],
                        "position": position,
                    }
                )
    authors.flush()
    report.authors_created = authors.created
    if progress:
        progress("write", 3, steps)

    author_rows = [
        {"book_id": book_id, "author_id": authors.id_for(key), "position": position}
        for book_id, keys in author_links
        for position, key in enumerate(keys)
    ]
    if author_rows:
        session.execute(insert(BookAuthor.__table__), author_rows)
    if progress:
        progress("write", 4, steps)

    if category_links:
        session.execute(insert(BookCategory.__table__), category_links)
    report.category_links = len(category_links)
    # Core inserts bypass the ORM hook that keeps the search index in step, so the
    # books written here are indexed in the same transaction.
    changed = {*new_ids.values(), *(changes["id"] for changes in updates)}
    changed.update(book_id for book_id, _keys in author_links)
    changed.update(link["book_id"] for link in category_links)
    if changed:
        refresh_search_index(session, changed)
    if progress:
        progress("write", 5, steps)
