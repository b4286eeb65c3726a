"""Validation of the admin book form: every field checked, every message collected.

The pages and the admin API both pass the fields as typed (text). They get back
either clean values or a ValidationError whose `errors` map each field to a message
that names the fix, so a form can show each message beside its field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import isbnlib
import langcodes
from sqlalchemy import or_
from sqlmodel import Session, col, select

from sky_readers.catalog import isbn
from sky_readers.catalog.models import Book, Category
from sky_readers.catalog.services import AUTHOR_NAME_MAX
from sky_readers.catalog.text import clean_spaces
from sky_readers.core.errors import ValidationError
from sky_readers.core.ids import is_row_id
from sky_readers.core.money import parse_money

TITLE_MAX = 500
SUBTITLE_MAX = 500
PUBLISHER_MAX = 300
DESCRIPTION_MAX = 20_000
REASON_MAX = 200
MAX_AUTHORS = 20
MAX_CATEGORIES = 10
# Largest stock and page count accepted, to catch a typed extra digit or two.
MAX_STOCK = 1_000_000
MAX_PAGES = 50_000
# Highest price accepted, well above any book, to catch a misplaced decimal point.
MAX_PRICE = Decimal("100000.00")
EARLIEST_YEAR = -3000

_WHOLE_NUMBER = re.compile(r"^[+]?\d+$", re.ASCII)


@dataclasses.dataclass
class BookForm:
    """The book form as typed: text fields and the chosen category ids."""

    title: str = ""
    subtitle: str = ""
    # Author names separated by commas or new lines, in credited order.
    authors: str = ""
    # An ISBN-10 or ISBN-13, with or without hyphens; empty when the book has none.
    isbn: str = ""
    price: str = ""
    stock: str = ""
    description: str = ""
    publisher: str = ""
    published_year: str = ""
    # ISO 639 language code such as "en" or "fre".
    language: str = ""
    page_count: str = ""
    category_ids: list[int] = dataclasses.field(default_factory=list)
    # Why the stock changes, kept in the stock change log.
    stock_reason: str = ""


@dataclasses.dataclass(frozen=True)
class BookValues:
    """Clean values of a valid book form."""

    title: str
    subtitle: str | None
    authors: list[str]
    isbn10: str | None
    isbn13: str | None
    price: Decimal
    stock: int
    description: str
    publisher: str | None
    published_year: int | None
    language: str | None
    page_count: int | None
    category_ids: list[int]
    stock_reason: str


def split_authors(text: str) -> list[str]:
    """Split typed author names on commas, semicolons and new lines, dropping blanks."""
    names = [clean_spaces(part) for part in re.split(r"[,;\n]", text or "")]
    unique: list[str] = []
    for name in names:
        if name and name.casefold() not in {seen.casefold() for seen in unique}:
            unique.append(name)
    return unique


def _text(value: str | None, field: str, maximum: int, errors: dict, *, label: str):
    cleaned = clean_spaces(value or "")
    if len(cleaned) > maximum:
        errors[field] = (
            f"{label} is {len(cleaned)} characters long; shorten it to {maximum} or "
            "fewer."
        )
    return cleaned


def _whole_number(
    value: str | None,
    field: str,
    errors: dict,
    *,
    label: str,
    minimum: int,
    maximum: int,
    required: bool,
) -> int | None:
    text = (value or "").strip()
    if not text:
        if required:
            errors[field] = f"{label} is required: enter a whole number such as 10."
        return None
    if not _WHOLE_NUMBER.match(text):
        errors[field] = (
            f"{label} must be a whole number of {minimum} or more, not {text!r}."
        )
        return None
    number = int(text)
    if number < minimum or number > maximum:
        errors[field] = (
            f"{label} must be between {minimum} and {maximum:,}, not {text}."
        )
        return None
    return number


def _check_digit_hint(text: str) -> str:
    """Say which check digit a well-formed ISBN with a wrong one should end in."""
    if len(text) == 13 and text.isdigit():
        return f" The check digit should be {isbnlib.check_digit13(text[:12])}."
    if len(text) == 10 and text[:9].isdigit():
        return f" The check digit should be {isbnlib.check_digit10(text[:9])}."
    return ""


def parse_isbn(value: str | None, errors: dict) -> tuple[str | None, str | None]:
    """Check an ISBN-10 or ISBN-13 and return it as (ISBN-10 or None, ISBN-13)."""
    text = isbn.compact(value or "")
    if not text:
        return None, None
    shape_ok = re.fullmatch(r"\d{9}[\dX]|97[89]\d{10}", text)
    if not shape_ok:
        errors["isbn"] = (
            f"{value.strip()!r} is not an ISBN: enter 10 characters (9 digits and a "
            "check digit or X) or 13 digits starting with 978 or 979."
        )
        return None, None
    isbn13 = isbn.normalise_isbn13(text)
    if isbn13 is None:
        errors["isbn"] = (
            f"The check digit of ISBN {text} is wrong, so it probably has a typo."
            + _check_digit_hint(text)
        )
        return None, None
    isbn10 = isbn.normalise_isbn10(text) or isbn.isbn13_to_isbn10(isbn13)
    return isbn10, isbn13


def _check_isbn_free(
    session: Session,
    isbn10: str | None,
    isbn13: str | None,
    book_id: int | None,
    errors: dict,
) -> None:
    conditions = [Book.isbn13 == isbn13]
    if isbn10:
        conditions.append(Book.isbn10 == isbn10)
    statement = select(Book.id, Book.title).where(or_(*conditions))
    if book_id is not None:
        statement = statement.where(Book.id != book_id)
    other = session.exec(statement).first()
    if other is not None:
        errors["isbn"] = (
            f"ISBN {isbn13} already belongs to “{other.title}” (book {other.id}); "
            "each book needs its own ISBN."
        )


def _authors(value: str, errors: dict) -> list[str]:
    names = split_authors(value)
    if not names:
        errors["authors"] = (
            "At least one author is required, such as Ursula K. Le Guin."
        )
    elif len(names) > MAX_AUTHORS:
        errors["authors"] = f"List at most {MAX_AUTHORS} authors, not {len(names)}."
    else:
        too_long = [name for name in names if len(name) > AUTHOR_NAME_MAX]
        if too_long:
            errors["authors"] = (
                f"Author names may have at most {AUTHOR_NAME_MAX} characters; "
                f"shorten {too_long[0][:40]!r}…"
            )
    return names


def _price(value: str, currency: str, errors: dict) -> Decimal | None:
    try:
        price = parse_money(value or "", field="price", currency=currency)
    except ValidationError as exc:
        message = exc.errors.get("price") or next(iter(exc.errors.values()))
        errors["price"] = "Price " + message.rstrip(".") + "."
        return None
    if price > MAX_PRICE:
        errors["price"] = (
            f"Price {price} is above the store's limit of {MAX_PRICE}: check the "
            "decimal point."
        )
        return None
    return price


def _language(value: str, errors: dict) -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if not re.fullmatch(r"[a-z]{2,3}", text) or not langcodes.tag_is_valid(text):
        errors["language"] = (
            f"{value.strip()!r} is not a language code: use ISO 639, such as en, "
            "fr or ger."
        )
        return None
    return langcodes.standardize_tag(text)


def _categories(session: Session, ids: list[int], errors: dict) -> list[int]:
    unique = list(dict.fromkeys(int(i) for i in ids))
    if len(unique) > MAX_CATEGORIES:
        errors["category_ids"] = (
            f"Choose at most {MAX_CATEGORIES} categories, not {len(unique)}."
        )
        return []
    if unique:
        # An id past any row cannot be bound by SQLite, and names no category anyway.
        candidates = [i for i in unique if is_row_id(i)]
        found = set(
            session.exec(
                select(Category.id).where(col(Category.id).in_(candidates))
            ).all()
        )
        missing = [i for i in unique if i not in found]
        if missing:
            errors["category_ids"] = (
                f"Category {missing[0]} no longer exists: reload the page and choose "
                "again."
            )
    return unique


def validate_book_form(
    session: Session, form: BookForm, *, currency: str, book_id: int | None = None
) -> BookValues:
    """Check every field of the book form and return the clean values.

    Args:
        session: Open session, for the ISBN and category checks.
        form: The fields as typed.
        currency: ISO 4217 code of the price.
        book_id: The book being edited, whose own ISBN is not a conflict.

    Returns:
        The clean values.

    Raises:
        ValidationError: One or more fields are invalid; `errors` has a message
            per field.
    """
    errors: dict[str, str] = {}
    title = _text(form.title, "title", TITLE_MAX, errors, label="Title")
    if not title and "title" not in errors:
        errors["title"] = "Title is required."
    subtitle = _text(form.subtitle, "subtitle", SUBTITLE_MAX, errors, label="Subtitle")
    authors = _authors(form.authors, errors)
    isbn10, isbn13 = parse_isbn(form.isbn, errors)
    if isbn13 and "isbn" not in errors:
        _check_isbn_free(session, isbn10, isbn13, book_id, errors)
    price = _price(form.price, currency, errors)
    stock = _whole_number(
        form.stock,
        "stock",
        errors,
        label="Stock",
        minimum=0,
        maximum=MAX_STOCK,
        required=True,
    )
    description = (form.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"Description is {len(description):,} characters long; shorten it to "
            f"{DESCRIPTION_MAX:,} or fewer."
        )
    publisher = _text(
        form.publisher, "publisher", PUBLISHER_MAX, errors, label="Publisher"
    )
    year = _published_year(form.published_year, errors)
    page_count = _whole_number(
        form.page_count,
        "page_count",
        errors,
        label="Page count",
        minimum=1,
        maximum=MAX_PAGES,
        required=False,
    )
    language = _language(form.language, errors)
    category_ids = _categories(session, form.category_ids, errors)
    reason = _text(
        form.stock_reason, "stock_reason", REASON_MAX, errors, label="Reason"
    )
    if errors:
        raise ValidationError(errors)
    return BookValues(
        title=title,
        subtitle=subtitle or None,
        authors=authors,
        isbn10=isbn10,
        isbn13=isbn13,
        price=price,
        stock=stock,
        description=description,
        publisher=publisher or None,
        published_year=year,
        language=language,
        page_count=page_count,
        category_ids=category_ids,
        stock_reason=reason,
    )


def _published_year(value: str | None, errors: dict) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    latest = dt.date.today().year + 2
    if not re.fullmatch(r"-?\d{1,4}", text):
        errors["published_year"] = (
            f"Publication year must be a year such as 1999 (negative before the "
            f"common era), not {text!r}."
        )
        return None
    year = int(text)
    if year < EARLIEST_YEAR or year > latest or year == 0:
        errors["published_year"] = (
            f"Publication year must be between {EARLIEST_YEAR} and {latest}, and not "
            f"0; {text} is outside."
        )
        return None
    return year
