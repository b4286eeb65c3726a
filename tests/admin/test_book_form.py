"""The book form rejects each invalid field with a message beside it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sky_readers.catalog.book_form import validate_book_form
from sky_readers.core.errors import ValidationError
from tests.admin.fixtures import book_form
from tests.catalog.builders import add_book, add_category


def _errors(session, **fields) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_book_form(session, book_form(**fields), currency="USD")
    return caught.value.errors


def test_valid_form_gives_clean_values(session):
    category = add_category(session, "Science Fiction")

    values = validate_book_form(
        session,
        book_form(
            title="  The   Dispossessed ",
            authors="Ursula K. Le Guin, ursula k. le guin; Someone Else",
            isbn="0-06-051275-X",
            price="9.5",
            category_ids=[category.id],
        ),
        currency="USD",
    )

    assert values.title == "The Dispossessed"
    assert values.authors == ["Ursula K. Le Guin", "Someone Else"]
    assert values.isbn10 == "006051275X"
    assert values.isbn13 == "9780060512750"
    assert values.price == Decimal("9.50")
    assert values.stock == 12
    assert values.category_ids == [category.id]


@pytest.mark.parametrize("title", ["", "   "])
def test_title_is_required(session, title):
    assert _errors(session, title=title)["title"] == "Title is required."


def test_title_length_is_limited(session):
    assert "500 or fewer" in _errors(session, title="x" * 501)["title"]


def test_author_is_required(session):
    assert "At least one author" in _errors(session, authors=" , ;")["authors"]


def test_author_name_length_is_limited(session):
    assert "at most 300" in _errors(session, authors="A" * 301)["authors"]


@pytest.mark.parametrize(
    ("isbn", "expected"),
    [
        ("978-0-441-47812-4", "check digit should be 5"),
        ("0-06-051275-1", "check digit should be X"),
        ("12345", "is not an ISBN"),
        ("977-0-441-47812-5", "is not an ISBN"),
        ("ISBN abc", "is not an ISBN"),
    ],
)
def test_isbn_must_be_valid(session, isbn, expected):
    assert expected in _errors(session, isbn=isbn)["isbn"]


def test_isbn_must_be_unique(session):
    other = add_book(session, "Already Here", isbn13="9780441478125")

    message = _errors(session, isbn="0441478123")["isbn"]

    assert "Already Here" in message
    assert f"book {other.id}" in message


def test_isbn_of_same_book_is_no_conflict(session):
    book = add_book(session, "Mine", isbn13="9780441478125")

    values = validate_book_form(
        session, book_form(isbn="9780441478125"), currency="USD", book_id=book.id
    )

    assert values.isbn13 == "9780441478125"


def test_isbn_is_optional(session):
    values = validate_book_form(session, book_form(isbn=""), currency="USD")

    assert values.isbn13 is None
    assert values.isbn10 is None


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("", "Price is required"),
        ("-1", "is negative"),
        ("12.345", "too many decimals"),
        ("abc", "is not an amount"),
        ("1e3", "is not an amount"),
        ("NaN", "is not an amount"),
        ("100000.01", "above the store's limit"),
    ],
)
def test_price_must_be_a_valid_amount(session, price, expected):
    assert expected in _errors(session, price=price)["price"]


def test_price_zero_is_allowed(session):
    values = validate_book_form(session, book_form(price="0"), currency="USD")

    assert values.price == Decimal("0.00")


@pytest.mark.parametrize(
    ("stock", "expected"),
    [
        ("", "Stock is required"),
        ("-3", "whole number of 0 or more"),
        ("2.5", "whole number of 0 or more"),
        ("ten", "whole number of 0 or more"),
        ("1000001", "between 0 and 1,000,000"),
    ],
)
def test_stock_must_be_a_whole_number(session, stock, expected):
    assert expected in _errors(session, stock=stock)["stock"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("published_year", "19x9", "must be a year"),
        ("published_year", "0", "not 0"),
        ("published_year", "5000", "between -3000"),
        ("page_count", "0", "between 1 and 50,000"),
        ("page_count", "many", "whole number"),
        ("language", "klingon", "not a language code"),
        ("language", "xx", "not a language code"),
        ("publisher", "p" * 301, "300 or fewer"),
        ("subtitle", "s" * 501, "500 or fewer"),
        ("description", "d" * 20_001, "20,000 or fewer"),
        ("stock_reason", "r" * 201, "200 or fewer"),
    ],
)
def test_optional_fields_are_checked(session, field, value, expected):
    assert expected in _errors(session, **{field: value})[field]


@pytest.mark.parametrize("category_id", [9999, 2**63, -(2**63) - 1])
def test_unknown_category_is_rejected(session, category_id):
    errors = _errors(session, category_ids=[category_id])

    assert "no longer exists" in errors["category_ids"]
    assert str(category_id) in errors["category_ids"]


def test_every_invalid_field_is_reported_at_once(session):
    errors = _errors(session, title="", authors="", price="x", stock="-1", isbn="1")

    assert set(errors) == {"title", "authors", "price", "stock", "isbn"}
