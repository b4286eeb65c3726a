"""GET /api/books over HTTP against the FastAPI app, on each database."""

from __future__ import annotations

import httpx
import pytest

from sky_readers.api.app import create_api


@pytest.fixture
async def client(engine):
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def catalog(add_book):
    add_book(
        "Harry Potter and the Sorcerer's Stone",
        ("J.K. Rowling",),
        price="8.99",
        rating_count=500,
        average_rating="4.44",
        isbn13="9780439554930",
    )
    add_book("The Hobbit", ("J.R.R. Tolkien",), price="12.50", rating_count=400)
    add_book("Harry Digs", rating_count=1, stock_on_hand=0)


async def test_books_typo_returns_cards(client, catalog):
    response = await client.get("/api/books", params={"q": "hary poter"})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["page"] == 1
    assert body["page_size"] == 20
    assert body["did_you_mean"] == "harry potter"
    card = body["items"][0]
    assert card["title"] == "Harry Potter and the Sorcerer's Stone"
    assert card["authors"] == [{"name": "J.K. Rowling", "slug": "j-k-rowling"}]
    assert card["price"] == "8.99"
    assert card["currency"] == "USD"
    assert card["average_rating"] == 4.44
    assert card["rating_count"] == 500
    assert card["in_stock"] is True
    assert f"/api/covers/{card['id']}.svg" in card["cover_url"]


async def test_books_filters_sort_and_pages(client, catalog):
    response = await client.get(
        "/api/books",
        params={"in_stock": "true", "sort": "price", "page_size": "1", "page": "2"},
    )

    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 2
    assert [card["title"] for card in body["items"]] == ["The Hobbit"]


async def test_books_isbn_with_hyphens(client, catalog):
    response = await client.get("/api/books", params={"q": "978-0-439-55493-0"})

    assert response.json()["items"][0]["title"] == (
        "Harry Potter and the Sorcerer's Stone"
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page": "-1"}, "page"),
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "5", "max_price": "1"}, "max_price"),
        ({"min_rating": "5.5"}, "min_rating"),
        ({"in_stock": "perhaps"}, "in_stock"),
        ({"sort": "random"}, "sort"),
        ({"category": "unknown-shelf"}, "category"),
        ({"language": "!!"}, "language"),
    ],
)
async def test_books_invalid_parameter_is_422(client, catalog, params, field):
    response = await client.get("/api/books", params=params)

    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field]
    assert field in body["detail"]


async def test_books_page_size_100_accepted(client, catalog):
    response = await client.get("/api/books", params={"page_size": "100"})

    assert response.status_code == 200
    assert response.json()["total"] == 3
