"""GET /search: Google Books results for signed-in clients, through the fake server."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from sky_readers.accounts.services import create_or_promote_admin
from sky_readers.accounts.sessions import create_session
from sky_readers.accounts.tokens import issue_access_token
from sky_readers.adapters.google_books import get_google_books_client
from sky_readers.api.app import create_api
from sky_readers.catalog.google_import import import_google_volume
from sky_readers.core.settings import get_settings

PASSWORD = "correct horse battery"
GATSBY_ISBN = "9780684801520"


@pytest.fixture
def client(engine, google_books_settings) -> Iterator[TestClient]:
    """API client on the test database, with Google Books served by the fake."""
    with TestClient(create_api()) as test_client:
        yield test_client


@pytest.fixture
def user(session):
    """A confirmed account; its role does not matter to GET /search."""
    account, _new = create_or_promote_admin(
        session, email="reader@example.test", name="Rita Reader", password=PASSWORD
    )
    session.commit()
    return account


@pytest.fixture
def bearer(user) -> dict[str, str]:
    """Authorization header with an access token of `user`."""
    return {"Authorization": f"Bearer {issue_access_token(user.id).token}"}


def test_search_route_needs_login(client):
    response = client.get("/search", params={"query": "gatsby"})

    assert response.status_code == 401
    assert "Log in" in response.json()["detail"]


def test_search_route_rejects_bad_token(client):
    response = client.get(
        "/search",
        params={"query": "gatsby"},
        headers={"Authorization": "Bearer not-a-token"},
    )

    assert response.status_code == 401


def test_search_route_returns_normalised_volumes(client, bearer):
    response = client.get(
        "/search", params={"query": f"isbn:{GATSBY_ISBN}"}, headers=bearer
    )

    assert response.status_code == 200
    results = response.json()
    assert isinstance(results, list)
    assert len(results) == 1
    gatsby = results[0]
    assert gatsby["volume_id"]
    assert gatsby["title"] == "The Great Gatsby"
    assert gatsby["authors"] == ["Francis Scott Fitzgerald"]
    assert gatsby["isbn13"] == GATSBY_ISBN
    assert gatsby["isbn10"] == "0684801523"
    assert gatsby["published_date"]
    assert isinstance(gatsby["categories"], list)
    assert gatsby["thumbnail"].startswith("https://")
    assert gatsby["in_catalog"] is False
    assert gatsby["book_id"] is None
    assert set(gatsby) >= {"price", "subtitle"}


def test_search_route_accepts_session_cookie(client, session, user):
    new = create_session(session, user)
    session.commit()
    client.cookies.set(get_settings().session_cookie_name, new.session_id)

    response = client.get("/search", params={"query": f"isbn:{GATSBY_ISBN}"})

    assert response.status_code == 200
    assert response.json()[0]["isbn13"] == GATSBY_ISBN


def test_search_route_marks_books_in_catalog(client, bearer, session):
    volume = get_google_books_client().find_by_isbn(GATSBY_ISBN)[0]
    imported = import_google_volume(session, volume, price=Decimal("9.99"), stock=3)
    session.commit()

    response = client.get(
        "/search", params={"query": f"isbn:{GATSBY_ISBN}"}, headers=bearer
    )

    assert response.status_code == 200
    gatsby = response.json()[0]
    assert gatsby["in_catalog"] is True
    assert gatsby["book_id"] == imported.book_id


def test_search_route_prices_only_for_sale(client, bearer):
    response = client.get(
        "/search",
        params={"query": "the great gatsby", "max_results": 20},
        headers=bearer,
    )

    assert response.status_code == 200
    results = response.json()
    assert len(results) == 20
    priced = [r for r in results if r["price"] is not None]
    assert priced, "the recorded US search has volumes for sale"
    for result in priced:
        assert Decimal(result["price"]["amount"]) >= 0
        assert result["price"]["currency"] == "USD"


def test_search_route_no_results_is_empty_list(client, bearer):
    response = client.get(
        "/search", params={"query": "isbn:9780000000002"}, headers=bearer
    )

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "x" * 301}, "query"),
        ({"query": "dune", "max_results": "0"}, "max_results"),
        ({"query": "dune", "max_results": "41"}, "max_results"),
        ({"query": "dune", "max_results": "ten"}, "max_results"),
        ({"query": "dune", "start_index": "-1"}, "start_index"),
        ({"query": "dune", "language": "english"}, "language"),
    ],
)
def test_search_route_invalid_parameter_422(client, bearer, params, field):
    response = client.get("/search", params=params, headers=bearer)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_search_route_google_unavailable_503(client, bearer, google_books_settings):
    google_books_settings.fail_next(503, count=5)

    response = client.get("/search", params={"query": "dune"}, headers=bearer)

    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "Google Books is unavailable" in detail
    assert "Traceback" not in response.text


def test_search_route_quota_retry_after(client, bearer, google_books_settings):
    google_books_settings.fail_next(429, count=5, retry_after=3600)

    response = client.get("/search", params={"query": "dune"}, headers=bearer)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3600"
    assert "quota" in response.json()["detail"]


def test_search_route_google_rejects_request_502(client, bearer, google_books_settings):
    google_books_settings.fail_next(400, count=1)

    response = client.get("/search", params={"query": "dune"}, headers=bearer)

    assert response.status_code == 502
    assert "Google Books rejected" in response.json()["detail"]


def test_search_route_google_timeout_503(client, bearer, google_books_settings):
    google_books_settings.hang_next(3, count=2)

    response = client.get("/search", params={"query": "dune"}, headers=bearer)

    assert response.status_code == 503
    assert "timed out" in response.json()["detail"]
