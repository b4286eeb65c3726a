"""Ids past the range of any row, in paths, queries and bodies: 422 or 404, never 500."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from sky_readers.accounts.models import Role
from sky_readers.api.app import create_api
from sky_readers.core.ids import MAX_ROW_ID, parse_row_id
from tests.orders.fixtures import (
    ADDRESS,
    add_shopper,
    add_stocked_book,
    bearer_headers,
)

BASE = "http://testserver"
# Past INTEGER on PostgreSQL, past SQLite's 64-bit integers, far past both, below both.
TOO_LARGE_IDS = [2**31, 2**63, 10**23, -(2**63) - 1]


def _integer_path_routes() -> list[tuple[str, str, str]]:
    # Every route with an integer path parameter, as (method, path, parameter name).
    routes = []
    for path, operations in create_api().openapi()["paths"].items():
        for method, operation in sorted(operations.items()):
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == (
                    "integer"
                ):
                    routes.append((method.upper(), path, parameter["name"]))
    return routes


INTEGER_PATH_ROUTES = _integer_path_routes()


@pytest.fixture
def client(engine):
    with TestClient(create_api(), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def admin_headers(db, client):
    admin = add_shopper(db, role=Role.ADMIN)
    db.commit()
    return bearer_headers(client, admin)


def test_integer_path_routes_found():
    found = {(method, path) for method, path, _ in INTEGER_PATH_ROUTES}
    assert ("GET", "/api/books/{book_id}") in found
    assert ("POST", "/api/orders/{order_id}/cancel") in found
    assert ("PUT", "/api/admin/users/{user_id}/role") in found


@pytest.mark.parametrize(("method", "path", "name"), INTEGER_PATH_ROUTES)
def test_huge_path_id_names_parameter(client, admin_headers, method, path, name):
    for value in TOO_LARGE_IDS:
        url = re.sub(r"\{[^}]+\}", str(value), path)
        response = client.request(method, url, json={}, headers=admin_headers)

        assert response.status_code == 422, (url, response.text)
        assert name in response.json()["errors"]


def test_admin_order_huge_key_not_found(client, admin_headers):
    for value in TOO_LARGE_IDS[:3]:
        response = client.get(f"/api/admin/orders/{value}", headers=admin_headers)

        assert response.status_code == 404, response.text
        assert str(value) in response.json()["detail"]


def test_order_list_huge_offset(client, admin_headers):
    response = client.get(f"/api/orders?offset={2**63}", headers=admin_headers)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["offset"]


def test_admin_books_huge_category_filter(client, admin_headers):
    response = client.get(
        f"/api/admin/books?category_id={2**63}", headers=admin_headers
    )

    assert response.status_code == 422
    assert "category_id" in response.json()["errors"]


def test_category_merge_huge_target(client, admin_headers):
    response = client.post(
        "/api/admin/categories/1/merge",
        json={"target_id": 2**63},
        headers=admin_headers,
    )

    assert response.status_code == 422
    assert "target_id" in response.json()["errors"]


def test_checkout_huge_cart_id_keeps_cart(client, db):
    shopper = add_shopper(db)
    book = add_stocked_book(db, "Dune", price="10.99", stock=5)
    db.commit()
    headers = bearer_headers(client, shopper)
    client.post("/api/cart", json={"book_id": book.id, "quantity": 2}, headers=headers)

    for value in TOO_LARGE_IDS:
        response = client.post(
            "/api/orders",
            json={
                "cart_id": value,
                "payment_method": "pay_on_delivery",
                "shipping_address": ADDRESS,
            },
            headers=headers,
        )

        assert response.status_code == 422, response.text
        assert "cart_id" in response.json()["errors"]
    cart = client.get("/api/cart", headers=headers).json()
    assert [(line["book_id"], line["quantity"]) for line in cart] == [(book.id, 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("١٢", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_row_id(text, expected):
    assert parse_row_id(text) == expected
