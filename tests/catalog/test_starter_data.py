"""Checks of the starter catalog file that ships with the store."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import isbnlib
import pytest

import sky_readers.catalog
from sky_readers.catalog.genres import CATEGORIES

STARTER_FILE = (
    Path(sky_readers.catalog.__file__).parent / "data" / "starter_catalog.json"
)

BOOK_FIELDS = {
    "title": str,
    "subtitle": (str, type(None)),
    "series": (str, type(None)),
    "series_number": (str, type(None)),
    "authors": list,
    "categories": list,
    "description": str,
    "language": str,
    "publisher": str,
    "published_date": str,
    "page_count": int,
    "isbn10": (str, type(None)),
    "isbn13": str,
    "price": str,
    "currency": str,
    "stock": int,
    "average_rating": str,
    "rating_count": int,
}
CATEGORY_FIELDS = {"name": str, "slug": str, "description": str}
FIXED_CATEGORIES = {spec.slug: spec.name for spec in CATEGORIES}
MONEY_FIELDS = ("price",)
MIN_BOOKS = 66
MIN_CATEGORIES_USED = 10
MIN_BOOKS_PER_CATEGORY = 4
# A sentence ends at . ! or ? before a capital; "Dr." and initials such as "H." do not.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
ABBREVIATION_END = re.compile(r"(?:\b(?:Mr|Mrs|Dr|St|Prof)|\b[A-Z])\.$")
PUBLISHED_DATE = re.compile(r"^-?\d{1,4}(-\d{2}(-\d{2})?)?$")


def _reject_float(text: str) -> Decimal:
    msg = f"JSON float {text} found: write amounts and ratings as strings"
    raise AssertionError(msg)


@pytest.fixture(scope="module")
def starter() -> dict:
    """The starter file, parsed so that any JSON float fails the load."""
    return json.loads(
        STARTER_FILE.read_text(encoding="utf-8"), parse_float=_reject_float
    )


@pytest.fixture(scope="module")
def books(starter) -> list[dict]:
    return starter["books"]


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in SENTENCE_BREAK.split(text):
        if sentences and ABBREVIATION_END.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences


def _isbn13_from_isbn10(isbn10: str) -> str:
    core = "978" + isbn10[:9]
    weighted = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
    return core + str((10 - weighted % 10) % 10)


def _isbn10_check_ok(isbn10: str) -> bool:
    digits = [10 if c == "X" else int(c) for c in isbn10]
    return sum((10 - i) * d for i, d in enumerate(digits)) % 11 == 0


def test_starter_top_level_keys(starter):
    assert set(starter) == {"categories", "books"}


def test_starter_categories_schema(starter):
    for category in starter["categories"]:
        assert set(category) == set(CATEGORY_FIELDS), category
        for field, kind in CATEGORY_FIELDS.items():
            assert isinstance(category[field], kind), (category["slug"], field)
        assert category["description"].strip(), category["slug"]


def test_starter_categories_are_fixed_list(starter):
    for category in starter["categories"]:
        assert category["slug"] in FIXED_CATEGORIES, category["slug"]
        assert category["name"] == FIXED_CATEGORIES[category["slug"]], category["slug"]
    slugs = [category["slug"] for category in starter["categories"]]
    assert len(slugs) == len(set(slugs))


def test_starter_books_schema(books):
    for book in books:
        assert set(book) == set(BOOK_FIELDS), book["title"]
        for field, kind in BOOK_FIELDS.items():
            assert isinstance(book[field], kind), (book["title"], field)
        assert book["title"].strip() == book["title"] != ""
        assert book["authors"], book["title"]
        assert all(isinstance(a, str) and a.strip() for a in book["authors"])
        assert book["page_count"] > 0, book["title"]
        assert book["stock"] >= 0, book["title"]
        assert book["rating_count"] >= 0, book["title"]
        assert re.fullmatch(r"[a-z]{2,3}", book["language"]), book["title"]


def test_starter_titles_have_no_series_suffix(books):
    for book in books:
        assert "(" not in book["title"], book["title"]
        assert "#" not in book["title"], book["title"]
        assert (book["series"] is None) == (book["series_number"] is None), book[
            "title"
        ]


def test_starter_book_counts(books):
    assert len(books) >= MIN_BOOKS
    per_category = Counter(slug for book in books for slug in book["categories"])
    assert len(per_category) >= MIN_CATEGORIES_USED
    thin = {slug: n for slug, n in per_category.items() if n < MIN_BOOKS_PER_CATEGORY}
    assert thin == {}


def test_starter_book_categories_listed(starter, books):
    listed = {category["slug"] for category in starter["categories"]}
    for book in books:
        assert book["categories"], book["title"]
        assert len(book["categories"]) == len(set(book["categories"])), book["title"]
        for slug in book["categories"]:
            assert slug in FIXED_CATEGORIES, (book["title"], slug)
            assert slug in listed, (book["title"], slug)


def test_starter_isbn_check_digits(books):
    for book in books:
        isbn13 = book["isbn13"]
        assert re.fullmatch(r"97[89]\d{10}", isbn13), book["title"]
        assert isbnlib.is_isbn13(isbn13), (book["title"], isbn13)
        isbn10 = book["isbn10"]
        if isbn10 is not None:
            assert re.fullmatch(r"\d{9}[\dX]", isbn10), (book["title"], isbn10)
            assert _isbn10_check_ok(isbn10), (book["title"], isbn10)
            assert isbnlib.is_isbn10(isbn10), (book["title"], isbn10)
            assert isbn13 == _isbn13_from_isbn10(isbn10), book["title"]


def test_starter_isbns_unique(books):
    isbn13s = [book["isbn13"] for book in books]
    isbn10s = [book["isbn10"] for book in books if book["isbn10"]]
    assert [i for i, n in Counter(isbn13s).items() if n > 1] == []
    assert [i for i, n in Counter(isbn10s).items() if n > 1] == []


def test_starter_prices_are_decimal_strings(books):
    for book in books:
        for field in MONEY_FIELDS:
            text = book[field]
            assert isinstance(text, str), (book["title"], field)
            assert re.fullmatch(r"\d+\.\d{2}", text), (book["title"], text)
            amount = Decimal(text)
            assert amount.as_tuple().exponent == -2, (book["title"], text)
            assert Decimal("1.00") <= amount <= Decimal("60.00"), (book["title"], text)
        assert book["currency"] == "USD", book["title"]


def test_starter_ratings_are_decimal_strings(books):
    for book in books:
        try:
            rating = Decimal(book["average_rating"])
        except InvalidOperation:
            pytest.fail(f"{book['title']}: average_rating {book['average_rating']!r}")
        assert Decimal(1) <= rating <= Decimal(5), book["title"]
        assert rating.as_tuple().exponent == -2, book["title"]


def test_starter_stock_mix(books):
    stocks = [book["stock"] for book in books]
    assert stocks.count(0) >= 2
    assert sum(1 for s in stocks if s in (1, 2)) >= 2
    assert max(stocks) >= 10


def test_starter_descriptions_length(books):
    for book in books:
        count = len(_sentences(book["description"]))
        assert 3 <= count <= 5, (book["title"], count)


def test_starter_descriptions_unique(books):
    descriptions = [book["description"] for book in books]
    assert len(set(descriptions)) == len(descriptions)


def test_starter_published_dates(books):
    years = []
    for book in books:
        assert PUBLISHED_DATE.fullmatch(book["published_date"]), book["title"]
        years.append(int(re.match(r"-?\d+", book["published_date"]).group()))
    assert min(years) < 0
    assert max(years) <= 2026


def test_starter_languages_mixed(books):
    languages = Counter(book["language"] for book in books)
    assert languages["en"] >= MIN_BOOKS // 2
    assert len(languages) >= 2


def test_starter_facts_match_goodbooks(books, data_dir):
    """Test that ISBNs, first authors, years and ratings come from goodbooks-10k."""
    with (data_dir / "goodbooks-10k" / "books.csv").open(encoding="utf-8") as handle:
        rows = {row["isbn"].strip().zfill(10): row for row in csv.DictReader(handle)}
    for book in books:
        row = rows.get(book["isbn10"])
        assert row is not None, (book["title"], book["isbn10"])
        csv_authors = [" ".join(a.split()) for a in row["authors"].split(",")]
        assert book["authors"][0] == csv_authors[0], book["title"]
        assert set(book["authors"]) <= set(csv_authors), book["title"]
        year = int(float(row["original_publication_year"]))
        assert book["published_date"] == str(year), book["title"]
        assert Decimal(book["average_rating"]) == Decimal(row["average_rating"])
        assert book["rating_count"] == int(row["work_ratings_count"]), book["title"]
        assert " ".join(row["title"].split()).startswith(book["title"]), book["title"]
