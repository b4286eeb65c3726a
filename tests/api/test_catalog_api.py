"""Tests of the public catalog routes over the test database."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from sky_readers.api.app import create_api
from sky_readers.catalog import queries
from sky_readers.catalog.covers import cover_version
from sky_readers.core.settings import get_settings
from tests.catalog.builders import add_author, add_book, add_category

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def client(engine):
    """A client of a fresh API app that reads the test database."""
    with TestClient(create_api()) as test_client:
        yield test_client


@pytest.fixture
def odyssey(session):
    """One fully described book in two categories, by two authors, committed."""
    classics = add_category(session, "Classics", "Books that lasted.")
    poetry = add_category(session, "Poetry", "Verse of every age.")
    add_category(session, "Travel", "Journeys near and far.")
    homer = add_author(session, "Homer")
    fagles = add_author(session, "Robert Fagles")
    book = add_book(
        session,
        "The Odyssey",
        authors=[homer, fagles],
        categories=[classics, poetry],
        subtitle="A new translation",
        series="Epics",
        series_number="2",
        description="A long way home.",
        language="en",
        publisher="Penguin Classics",
        published_year=-720,
        page_count=541,
        isbn10="0140268863",
        isbn13="9780140268867",
        price="17.5",
        currency="USD",
        stock_on_hand=3,
        average_rating="3.76",
        rating_count=670_326,
    )
    add_book(session, "Withdrawn", categories=[poetry], is_archived=True)
    session.commit()
    return book


def test_list_categories_body(client, odyssey):
    """Test that /api/categories lists every category with its store book count."""
    response = client.get("/api/categories")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "classics",
            "name": "Classics",
            "description": "Books that lasted.",
            "book_count": 1,
        },
        {
            "slug": "poetry",
            "name": "Poetry",
            "description": "Verse of every age.",
            "book_count": 1,
        },
        {
            "slug": "travel",
            "name": "Travel",
            "description": "Journeys near and far.",
            "book_count": 0,
        },
    ]


def test_get_book_body(client, odyssey):
    """Test that /api/books/{id} returns the full public detail, price as a string."""
    response = client.get(f"/api/books/{odyssey.id}")

    version = cover_version("The Odyssey", ["Homer", "Robert Fagles"])
    base_url = get_settings().public_base_url.rstrip("/")
    assert response.status_code == 200
    assert response.json() == {
        "id": odyssey.id,
        "title": "The Odyssey",
        "subtitle": "A new translation",
        "series": "Epics",
        "authors": [
            {"name": "Homer", "slug": "homer"},
            {"name": "Robert Fagles", "slug": "robert-fagles"},
        ],
        "categories": [
            {"name": "Classics", "slug": "classics"},
            {"name": "Poetry", "slug": "poetry"},
        ],
        "description": "A long way home.",
        "language": "en",
        "publisher": "Penguin Classics",
        "published_date": "-720",
        "published_year": -720,
        "page_count": 541,
        "isbn10": "0140268863",
        "isbn13": "9780140268867",
        "price": "17.50",
        "currency": "USD",
        "in_stock": True,
        "stock_on_hand": 3,
        "average_rating": 3.76,
        "rating_count": 670326,
        "cover_url": f"{base_url}/api/covers/{odyssey.id}.svg?v={version}",
        "rating": {
            "average": 3.76,
            "count": 670326,
            "imported": {"average": 3.76, "count": 670326},
            "reviews": {
                "average": 0.0,
                "count": 0,
                "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
            },
        },
        # No other store book shares a category, so nothing is similar.
        "similar": [],
    }


def test_get_book_unknown_is_404(client, engine):
    """Test that an unknown id gives a JSON 404 that names the id."""
    response = client.get("/api/books/987654")

    assert response.status_code == 404
    assert response.json() == {"detail": "book 987654 not found"}


def test_get_book_archived_is_404(client, session):
    """Test that an archived book is not served by the public API."""
    book = add_book(session, "Withdrawn", is_archived=True)
    session.commit()

    response = client.get(f"/api/books/{book.id}")

    assert response.status_code == 404
    assert response.json()["detail"] == f"book {book.id} not found"


def test_get_book_non_integer_is_422(client, engine):
    """Test that a non-integer id gives a 422 naming book_id."""
    response = client.get("/api/books/abc")

    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["book_id"]
    assert "book_id" in body["detail"]


def test_openapi_lists_catalog_routes(client, engine):
    """Test that the OpenAPI description lists the catalog and cover routes."""
    schema = client.get("/api/openapi.json").json()

    assert "/api/categories" in schema["paths"]
    assert "/api/books/{book_id}" in schema["paths"]
    assert "/api/covers/{book_id}.svg" in schema["paths"]
    book_schema = schema["components"]["schemas"]["BookPublic"]
    assert book_schema["properties"]["price"]["type"] == "string"


def test_cover_svg_escapes_title_and_author(client, session):
    """Test that markup in a title or author name is escaped in the cover SVG."""
    author = add_author(session, "Tom & <b>Jerry</b>")
    book = add_book(session, "Dune <script>alert(1)</script> & Co", authors=[author])
    session.commit()

    response = client.get(f"/api/covers/{book.id}.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.text
    assert "<script" not in body
    assert "<b>" not in body
    assert "&lt;script&gt;" in body
    assert "&amp; Co" in body
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in body
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Dune <script>alert(1)</script> & Co"


def test_cover_svg_unknown_book_is_404(client, engine):
    """Test that the cover of an unknown book returns a JSON 404."""
    response = client.get("/api/covers/31337.svg")

    assert response.status_code == 404
    assert response.json() == {"detail": "book 31337 not found"}


def test_cover_svg_non_integer_is_422(client, engine):
    """Test that a cover URL with a non-integer id gives a 422 naming book_id."""
    response = client.get("/api/covers/dune.svg")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["book_id"]


def test_cover_svg_same_version_cached(client, session, monkeypatch):
    """Test that a cover drawn for the version in its URL is sent again unread."""
    book = add_book(session, "Kept Cover", authors=[add_author(session, "Ann Cache")])
    session.commit()
    url = f"/api/covers/{book.id}.svg?v={cover_version('Kept Cover', ['Ann Cache'])}"
    first = client.get(url)

    def no_reads(*args, **kwargs):
        msg = "the database was read"
        raise AssertionError(msg)

    monkeypatch.setattr(queries, "get_cover_label", no_reads)
    again = client.get(url)

    assert again.status_code == 200
    assert again.text == first.text
    assert again.headers["etag"] == first.headers["etag"]


def test_cover_svg_new_version_redraws(client, session):
    """Test that a renamed book's new cover URL gets the new title, not the old one."""
    book = add_book(session, "Old Name", authors=[add_author(session, "Ann Cache")])
    session.commit()
    client.get(
        f"/api/covers/{book.id}.svg?v={cover_version('Old Name', ['Ann Cache'])}"
    )
    book.title = "New Name"
    session.add(book)
    session.commit()

    response = client.get(
        f"/api/covers/{book.id}.svg?v={cover_version('New Name', ['Ann Cache'])}"
    )

    assert "New Name" in response.text
    assert "Old Name" not in response.text
    assert response.headers["etag"] == f'"{cover_version("New Name", ["Ann Cache"])}"'
