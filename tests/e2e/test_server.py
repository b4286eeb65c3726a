"""The production server of the harness: pages connect, the API answers beside them."""

from __future__ import annotations

import httpx

from sky_readers.core.ids import MAX_ROW_ID
from sky_readers.core.settings import get_settings


def test_home_page_connects(visit, page):
    """Test that the home page loads, gets its state and shows no connection error."""
    visit("/")

    assert page.get_by_text("Cannot connect to server").count() == 0
    assert get_settings().store_name in page.locator("body").inner_text()


def test_home_page_websocket_uses_server_port(store_server, page, hydration):
    """Test that the built frontend opens its websocket on the server's own address."""
    with page.expect_websocket() as opened:
        page.goto("/")
    hydration.wait_beyond(0)

    expected = store_server.base_url.replace("http://", "ws://") + "/_event"
    assert opened.value.url.startswith(expected)


def test_ping_answers_pong(store_server):
    """Test that /ping answers as Reflex's health probe."""
    response = httpx.get(store_server.url("/ping"))

    assert response.status_code == 200
    assert response.json() == "pong"


def test_openapi_describes_store_api(store_server):
    """Test that the FastAPI schema is served beside the pages."""
    response = httpx.get(store_server.url("/api/openapi.json"))

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Sky Readers Haven API"
    assert "/api/categories" in schema["paths"]


def test_categories_answer_json(store_server):
    """Test that /api/categories lists the loaded catalog's categories as JSON."""
    response = httpx.get(store_server.url("/api/categories"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    categories = response.json()
    assert isinstance(categories, list)
    for category in categories:
        assert {"slug", "name", "book_count"} <= category.keys()


def test_missing_book_answers_404_json(store_server):
    """Test that the API answers a missing book with a JSON 404, not the HTML page."""
    response = httpx.get(store_server.url(f"/api/books/{MAX_ROW_ID}"))

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()
