"""Admin API: every route refuses visitors (401) and shoppers (403); the rules hold."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from sky_readers.api.app import create_api
from sky_readers.catalog.admin_models import StockChange
from sky_readers.catalog.cover_images import MAX_UPLOAD_BYTES
from tests.admin.fixtures import bearer, image_bytes, make_admin, make_shopper
from tests.catalog.builders import add_category

BOOK = {
    "title": "Kindred",
    "authors": ["Octavia E. Butler"],
    "isbn": "9780807083697",
    "price": "15.00",
    "stock": 4,
}


def _admin_routes() -> list[tuple[str, str]]:
    """Every method and path under /api/admin that the OpenAPI schema lists."""
    routes = []
    for path, operations in create_api().openapi()["paths"].items():
        if path.startswith("/api/admin"):
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            routes.extend((method.upper(), concrete) for method in sorted(operations))
    return routes


ADMIN_ROUTES = _admin_routes()


def test_admin_routes_cover_books_orders_users():
    paths = {path for _method, path in ADMIN_ROUTES}

    assert "/api/admin/books" in paths
    assert "/api/admin/users" in paths
    assert "/api/admin/categories" in paths
    assert "/api/admin/dashboard" in paths
    assert len(ADMIN_ROUTES) >= 20


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_route_rejects_visitor(client, method, path):
    response = client.request(method, path, json={})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_route_rejects_shopper(client, session, method, path):
    headers = bearer(make_shopper(session))

    response = client.request(method, path, json={}, headers=headers)

    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


@pytest.fixture
def admin_headers(session) -> dict[str, str]:
    return bearer(make_admin(session))


def test_create_and_read_book(client, session, admin_headers):
    category = add_category(session, "Classics")
    session.commit()

    created = client.post(
        "/api/admin/books",
        json={**BOOK, "category_ids": [category.id]},
        headers=admin_headers,
    )

    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Kindred"
    assert body["price"] == "15.00"
    assert body["stock_on_hand"] == 4
    assert body["category_ids"] == [category.id]
    assert body["stock_changes"][0]["new_stock"] == 4
    listed = client.get("/api/admin/books?q=kindred", headers=admin_headers).json()
    assert [row["id"] for row in listed["data"]] == [body["id"]]


def test_create_book_reports_field_errors(client, admin_headers):
    response = client.post(
        "/api/admin/books",
        json={**BOOK, "isbn": "9780807083698", "price": "-2", "stock": -1},
        headers=admin_headers,
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"isbn", "price", "stock"}


def test_create_book_rejects_float_price(client, admin_headers):
    response = client.post(
        "/api/admin/books", json={**BOOK, "price": 15.99}, headers=admin_headers
    )

    assert response.status_code == 422
    assert "price" in response.json()["errors"]


def test_create_book_rejects_unknown_field(client, admin_headers):
    response = client.post(
        "/api/admin/books", json={**BOOK, "colour": "red"}, headers=admin_headers
    )

    assert response.status_code == 422
    assert "colour" in response.json()["errors"]


def test_patch_stock_uses_compare_and_swap(client, session, admin_headers):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    stale = client.patch(
        f"/api/admin/books/{book_id}",
        json={"stock": 10, "expected_stock": 3},
        headers=admin_headers,
    )
    fresh = client.patch(
        f"/api/admin/books/{book_id}",
        json={"stock": 10, "expected_stock": 4, "stock_reason": "Delivery"},
        headers=admin_headers,
    )

    assert stale.status_code == 422
    assert "changed from 3 to 4" in stale.json()["errors"]["stock"]
    assert fresh.status_code == 200
    assert fresh.json()["stock_on_hand"] == 10
    assert fresh.json()["title"] == "Kindred"
    reasons = session.exec(select(StockChange.reason).order_by(StockChange.id)).all()
    assert reasons == ["New book", "Delivery"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stock": True}, "stock"),
        ({"stock": 1.5}, "stock"),
        ({"page_count": False}, "page_count"),
        ({"published_year": [1999]}, "published_year"),
        ({"expected_stock": True, "stock": 9}, "expected_stock"),
        ({"category_ids": [True]}, "category_ids.0"),
    ],
)
def test_patch_rejects_booleans_and_floats(client, admin_headers, change, field):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    response = client.patch(
        f"/api/admin/books/{book_id}", json=change, headers=admin_headers
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    book = client.get(f"/api/admin/books/{book_id}", headers=admin_headers).json()
    assert book["stock_on_hand"] == 4
    assert book["page_count"] is None


def test_archive_and_restore(client, admin_headers):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    archived = client.post(f"/api/admin/books/{book_id}/archive", headers=admin_headers)

    assert archived.json()["is_archived"] is True
    assert client.get(f"/api/books/{book_id}").status_code == 404
    restored = client.post(f"/api/admin/books/{book_id}/restore", headers=admin_headers)
    assert restored.json()["is_archived"] is False
    assert client.get(f"/api/books/{book_id}").status_code == 200


def test_cover_upload_serves_image(client, admin_headers, local_storage):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    uploaded = client.put(
        f"/api/admin/books/{book_id}/cover",
        files={"file": ("cover.jpg", image_bytes(image_format="JPEG"), "image/jpeg")},
        headers=admin_headers,
    )

    assert uploaded.status_code == 200
    assert uploaded.json()["has_cover"] is True
    public = client.get(f"/api/books/{book_id}").json()
    path = public["cover_url"].split("://", 1)[1].split("/", 1)[1]
    image = client.get("/" + path)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/webp"
    assert "immutable" in image.headers["cache-control"]
    assert image.content[:4] == b"RIFF"


def test_cover_upload_rejects_lying_file(client, admin_headers, local_storage):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    response = client.put(
        f"/api/admin/books/{book_id}/cover",
        files={"file": ("cover.png", b"GIF89a not really", "image/png")},
        headers=admin_headers,
    )

    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP" in response.json()["errors"]["cover"]


def test_cover_upload_rejects_large_body(client, admin_headers, local_storage):
    book_id = client.post("/api/admin/books", json=BOOK, headers=admin_headers).json()[
        "id"
    ]

    response = client.put(
        f"/api/admin/books/{book_id}/cover",
        files={"file": ("big.png", b"\0" * (MAX_UPLOAD_BYTES + 100_000), "image/png")},
        headers=admin_headers,
    )

    assert response.status_code == 413
    assert "5.0 MB" in response.json()["detail"]


def test_cover_file_route_rejects_traversal(client, local_storage):
    assert client.get("/api/covers/files/../../etc/passwd").status_code == 404
    assert client.get("/api/covers/files/books/none-thumb.webp").status_code == 404


def test_users_role_rules(client, session, admin_headers):
    shopper = make_shopper(session)

    promoted = client.put(
        f"/api/admin/users/{shopper.id}/role",
        json={"role": "admin"},
        headers=admin_headers,
    )
    bad = client.put(
        f"/api/admin/users/{shopper.id}/role",
        json={"role": "owner"},
        headers=admin_headers,
    )

    assert promoted.json()["role"] == "admin"
    assert bad.status_code == 422
    assert "unknown role" in bad.json()["errors"]["role"]


def test_disabled_user_token_stops_working(client, session, admin_headers):
    shopper = make_shopper(session)
    shopper_headers = bearer(shopper)

    disabled = client.post(
        f"/api/admin/users/{shopper.id}/disable", headers=admin_headers
    )

    assert disabled.json()["is_active"] is False
    assert client.get("/api/admin/users", headers=shopper_headers).status_code == 401


def test_categories_rename_and_merge(client, session, admin_headers):
    created = client.post(
        "/api/admin/categories", json={"name": "Sci Fi"}, headers=admin_headers
    ).json()
    target = client.post(
        "/api/admin/categories", json={"name": "Science Fiction"}, headers=admin_headers
    ).json()

    renamed = client.patch(
        f"/api/admin/categories/{created['id']}",
        json={"name": "SF"},
        headers=admin_headers,
    ).json()
    merged = client.post(
        f"/api/admin/categories/{created['id']}/merge",
        json={"target_id": target["id"]},
        headers=admin_headers,
    ).json()

    assert renamed["slug"] == "sf"
    assert renamed["old_slugs"] == ["sci-fi"]
    assert merged["redirected_slugs"] == ["sci-fi", "sf"]


def test_dashboard_route(client, admin_headers):
    body = client.get("/api/admin/dashboard", headers=admin_headers).json()

    assert len(body["sales"]) == 30
    assert body["revenue_total"] == "0.00"
    assert set(body["orders_by_status"]) >= {"paid", "shipped", "cancelled"}
    assert "dead" in body["mail"]
