"""Loader of the starter catalogue shipped with the store (data/starter_catalog.json).

The loader only inserts: it creates the categories (by slug) and books (by ISBN-13)
that are missing and changes nothing that exists, so it can run on every start of
the store without undoing what an admin edited or sold.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from sky_readers.catalog import isbn
from sky_readers.catalog.genres import CATEGORY_BY_SLUG, CategorySpec
from sky_readers.catalog.models import Book, BookAuthor, BookCategory
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.services import AuthorDirectory, ensure_categories
from sky_readers.catalog.text import clean_spaces
from sky_readers.core.errors import SkyReadersError, ValidationError
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter_catalog.json"


@dataclass
class StarterReport:
    """Counts of one load of the starter catalogue."""

    categories_created: int = 0
    books_created: int = 0
    books_existing: int = 0
    authors_created: int = 0

    def summary(self) -> str:
        """Describe the counts in one line for people."""
        return (
            f"categories created: {self.categories_created}, "
            f"books created: {self.books_created}, "
            f"books already present: {self.books_existing}, "
            f"authors created: {self.authors_created}"
        )


def read_starter_file(path: Path) -> dict[str, Any]:
    """Read the starter catalogue JSON file.

    Raises:
        SkyReadersError: The file is missing or is not valid JSON of the expected
            shape; the message names the file.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SkyReadersError(f"starter catalogue not found: {path}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON in {path} at line {exc.lineno}: {exc.msg}"
        raise SkyReadersError(msg) from exc
    if not isinstance(data, dict) or not isinstance(data.get("books"), list):
        msg = f'{path} must contain an object with a "books" list'
        raise SkyReadersError(msg)
    if not isinstance(data.get("categories", []), list):
        raise SkyReadersError(f'{path}: "categories" must be a list')
    return data


def _category_specs(data: dict[str, Any], path: Path) -> list[CategorySpec]:
    specs: list[CategorySpec] = []
    for index, entry in enumerate(data.get("categories", [])):
        where = f"{path}: categories[{index}]"
        if not isinstance(entry, dict):
            raise SkyReadersError(f"{where} must be an object")
        slug = entry.get("slug")
        name = entry.get("name")
        if not isinstance(slug, str) or not isinstance(name, str):
            raise SkyReadersError(f'{where} needs a "name" and a "slug"')
        description = entry.get("description") or ""
        specs.append(CategorySpec(clean_spaces(name), slug.strip(), description))
    return specs


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({field: f'{value!r} must be a string such as "9.99"'})
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({field: f"{value!r} is not a number"}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationError({field: f"{value!r} must be 0 or more"})
    return number


def _optional_text(entry: dict[str, Any], field: str, max_length: int) -> str | None:
    value = entry.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError({field: f"{value!r} must be text or null"})
    text = clean_spaces(value)
    if len(text) > max_length:
        raise ValidationError({field: f"longer than {max_length} characters"})
    return text or None


def _year_of(published_date: str | None) -> int | None:
    if not published_date:
        return None
    match = re.match(r"^(-?\d{1,4})(?:$|-)", published_date)
    return int(match.group(1)) if match else None


def _book_row(entry: dict[str, Any], categories: dict[str, int]) -> dict[str, Any]:
    """Check one book entry and build its row.

    Raises:
        ValidationError: A field breaks a rule; the error names the field.
    """
    title = _optional_text(entry, "title", 500)
    if not title:
        raise ValidationError({"title": "missing"})
    isbn13 = isbn.normalise_isbn13(str(entry.get("isbn13") or ""))
    if isbn13 is None:
        raise ValidationError({"isbn13": f"{entry.get('isbn13')!r} is not valid"})
    raw_isbn10 = entry.get("isbn10")
    isbn10 = isbn.normalise_isbn10(str(raw_isbn10)) if raw_isbn10 else None
    if raw_isbn10 and isbn10 is None:
        raise ValidationError({"isbn10": f"{raw_isbn10!r} is not valid"})
    for slug in entry.get("categories") or []:
        if slug not in categories:
            raise ValidationError({"categories": f"unknown category slug {slug!r}"})
    stock = entry.get("stock", 0)
    if not isinstance(stock, int) or stock < 0:
        raise ValidationError({"stock": f"{stock!r} must be a whole number, 0 or more"})
    rating_count = entry.get("rating_count", 0)
    if not isinstance(rating_count, int) or rating_count < 0:
        raise ValidationError({"rating_count": f"{rating_count!r} must be 0 or more"})
    page_count = entry.get("page_count")
    if page_count is not None and (not isinstance(page_count, int) or page_count < 1):
        raise ValidationError({"page_count": f"{page_count!r} must be 1 or more"})
    rating = _decimal(entry.get("average_rating", "0"), "average_rating")
    if rating > 5:
        raise ValidationError({"average_rating": f"{rating} is above 5"})
    published_date = _optional_text(entry, "published_date", 40)
    now = utcnow()
    return {
        "title": title,
        "subtitle": _optional_text(entry, "subtitle", 500),
        "series": _optional_text(entry, "series", 300),
        "series_number": _optional_text(entry, "series_number", 20),
        "description": (entry.get("description") or "").strip(),
        "language": _optional_text(entry, "language", 12),
        "publisher": _optional_text(entry, "publisher", 300),
        "published_date": published_date,
        "published_year": _year_of(published_date),
        "page_count": page_count,
        "isbn10": isbn10,
        "isbn13": isbn13,
        "google_volume_id": None,
        "goodreads_book_id": None,
        "goodbooks_id": None,
        "price": _decimal(entry.get("price"), "price"),
        "currency": (_optional_text(entry, "currency", 3) or "USD").upper(),
        "stock_on_hand": stock,
        "cover_image": None,
        # The entry's rating is imported; with no reviews yet it is also the shown one.
        "average_rating": rating,
        "rating_count": rating_count,
        "imported_rating": rating,
        "imported_rating_count": rating_count,
        "is_archived": False,
        "created_at": now,
        "updated_at": now,
    }


def load_starter(session: Session, path: Path | None = None) -> StarterReport:
    """Insert the starter categories and books that are not in the store yet.

    Categories are matched by slug and books by ISBN-13 (and by ISBN-10, so a book
    entered by hand with only the other form is not duplicated). Nothing that exists
    is changed.

    Args:
        session: Open session; the caller commits.
        path: The JSON file; the one that ships with the store by default.

    Returns:
        The counts of the load.

    Raises:
        SkyReadersError: The file is missing or malformed, or a book entry breaks a
            rule; the message names the entry and the field.
    """
    path = path or STARTER_FILE
    data = read_starter_file(path)
    report = StarterReport()

    specs = _category_specs(data, path)
    listed = {spec.slug for spec in specs}
    # Books may name a category of the fixed list that the file does not describe.
    for entry in data["books"]:
        for slug in (entry.get("categories") or []) if isinstance(entry, dict) else []:
            if slug not in listed and slug in CATEGORY_BY_SLUG:
                specs.append(CATEGORY_BY_SLUG[slug])
                listed.add(slug)
    categories, report.categories_created = ensure_categories(session, specs)

    table = Book.__table__
    known13 = set(session.execute(select(table.c.isbn13)).scalars())
    known10 = set(session.execute(select(table.c.isbn10)).scalars())
    authors = AuthorDirectory(session)

    new_rows: list[dict[str, Any]] = []
    new_links: list[tuple[list[str], list[str]]] = []
    for index, entry in enumerate(data["books"]):
        label = f"{path}: books[{index}]"
        if not isinstance(entry, dict):
            raise SkyReadersError(f"{label} must be an object")
        label = f"{label} ({entry.get('title')!r})"
        try:
            row = _book_row(entry, categories)
            names = entry.get("authors") or []
            if not isinstance(names, list) or not names:
                raise ValidationError({"authors": "must be a non-empty list of names"})
            cleaned = [AuthorDirectory.clean_name(str(name)) for name in names]
        except ValidationError as exc:
            raise SkyReadersError(f"{label}: {exc}") from exc
        if row["isbn13"] in known13 or (row["isbn10"] and row["isbn10"] in known10):
            report.books_existing += 1
            continue
        keys = list(dict.fromkeys(authors.key_for(name) for name in cleaned))
        known13.add(row["isbn13"])
        if row["isbn10"]:
            known10.add(row["isbn10"])
        new_rows.append(row)
        new_links.append((keys, list(dict.fromkeys(entry.get("categories") or []))))

    authors.flush()
    report.authors_created = authors.created
    if new_rows:
        ids = (
            session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                new_rows,
            )
            .scalars()
            .all()
        )
        author_rows: list[dict[str, int]] = []
        category_rows: list[dict[str, int]] = []
        for book_id, (keys, slugs) in zip(ids, new_links, strict=True):
            author_rows += [
                {"book_id": book_id, "author_id": authors.id_for(key), "position": pos}
                for pos, key in enumerate(keys)
            ]
            category_rows += [
                {"book_id": book_id, "category_id": categories[slug], "position": pos}
                for pos, slug in enumerate(slugs)
            ]
        if author_rows:
            session.execute(insert(BookAuthor.__table__), author_rows)
        if category_rows:
            session.execute(insert(BookCategory.__table__), category_rows)
        # Core inserts bypass the ORM hooks that keep the search index current.
        refresh_search_index(session, ids)
    report.books_created = len(new_rows)
    logger.info("Loaded the starter catalogue from %s: %s", path, report.summary())
    return report
