"""JSON bodies with lone surrogates get 422 naming the field, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sky_readers.accounts.models import Role, User
from sky_readers.api.app import create_api
from sky_readers.catalog.models import Book
from tests.orders.fixtures import (
    SHOPPER_PASSWORD,
    add_shopper,
    add_stocked_book,
    bearer_headers,
)

BASE = "http://testserver"
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


@pytest.fixture
def client(engine):
    with TestClient(create_api(), base_url=BASE) as test_client:
        yield test_client


def _post(client, path: str, text: str, headers=None):
    # The body is written by hand, because json.dumps would refuse the surrogate.
    return client.post(path, content=text.encode(), headers={**JSON, **(headers or {})})


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/signup",
            '{"name": "Ada\\ud800", "email": "ada@example.test", '
            f'"password": "{SHOPPER_PASSWORD}", "confirm_password": "{SHOPPER_PASSWORD}"}}',
            "name",
        ),
        ("/login", '{"username": "\\udfff", "password": "\\uD800x"}', "username"),
        (
            "/api/auth/password-reset/request",
            '{"email": "a\\ud83d@example.test"}',
            "email",
        ),
    ],
)
def test_lone_surrogate_names_the_field(client, engine, path, body, field):
    response = _post(client, path, body)

    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == [field]
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []


def test_lone_surrogate_in_nested_field(client, engine):
    with Session(engine, expire_on_commit=False) as session:
        shopper = add_shopper(session)
        session.commit()
    headers = bearer_headers(client, shopper)

    response = _post(
        client,
        "/api/orders",
        '{"cart_id": 1, "payment_method": "pay_on_delivery", '
        '"shipping_address": {"name": "Ada", "city": "x\\udc00"}}',
        headers,
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["shipping_address.city"]


def test_surrogate_pair_and_escapes_pass(client, engine):
    response = _post(
        client,
        "/signup",
        '{"name": "Ada \\ud83d\\ude00 \\\\ud800", "email": "ada@example.test", '
        f'"password": "{SHOPPER_PASSWORD}", "confirm_password": "{SHOPPER_PASSWORD}"}}',
    )

    assert response.status_code == 201, response.text
    with Session(engine) as session:
        assert session.exec(select(User.name)).one() == "Ada \U0001f600 \\ud800"


def test_malformed_json_keeps_the_usual_answer(client):
    response = _post(client, "/login", '{"username": "\\ud800"')

    assert response.status_code == 422
    assert "detail" in response.json()


def test_lone_surrogate_in_admin_book_change(client, engine):
    with Session(engine, expire_on_commit=False) as session:
        admin = add_shopper(session, role=Role.ADMIN)
        book = add_stocked_book(session, "Dune")
        session.commit()
    headers = bearer_headers(client, admin)

    response = client.patch(
        f"/api/admin/books/{book.id}",
        content=b'{"subtitle": "\\ud800"}',
        headers={**JSON, **headers},
    )

    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["subtitle"]
    with Session(engine) as session:
        assert session.get(Book, book.id).subtitle != "\ud800"
