"""Cart and order routes over HTTP: the fixed contract, bad input, idempotency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sky_readers.api.app import create_api
from sky_readers.core.settings import get_settings
from sky_readers.orders.models import Order
from sky_readers.orders.payments import use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway
from sky_readers.outbox.models import OutboxEmail
from tests.orders.fixtures import (
    ADDRESS,
    SHOPPER_PASSWORD,
    add_shopper,
    add_stocked_book,
    bearer_headers,
    stock_of,
)

BASE = "http://testserver"
CARD = {"card_number": "4242424242424242", "card_expiry": "12/39", "card_cvc": "123"}


@pytest.fixture
def client(engine):
    with TestClient(create_api(), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def gateway():
    with use_gateway(TestCardGateway()) as test_gateway:
        yield test_gateway


@pytest.fixture
def shopper(db, client):
    user = add_shopper(db)
    db.commit()
    return user, bearer_headers(client, user)


@pytest.fixture
def books(db):
    dune = add_stocked_book(db, "Dune", price="10.99", stock=5)
    emma = add_stocked_book(db, "Emma", price="7.49", stock=2)
    db.commit()
    return dune, emma


# Cart contract.


def test_cart_add_and_list_contract(client, shopper, books):
    _user, auth = shopper
    dune, emma = books

    added = client.post(
        "/api/cart", json={"book_id": dune.id, "quantity": 2}, headers=auth
    )
    client.post("/api/cart", json={"book_id": emma.id, "quantity": 1}, headers=auth)
    listed = client.get("/api/cart", headers=auth)

    assert added.status_code == 200
    assert added.json()["message"] == "Book added to cart."
    assert added.json()["quantity"] == 2
    assert listed.status_code == 200
    assert listed.headers["X-Cart-Id"].isdigit()
    assert listed.json() == [
        {"book_id": dune.id, "title": "Dune", "quantity": 2, "price": "10.99"},
        {"book_id": emma.id, "title": "Emma", "quantity": 1, "price": "7.49"},
    ]


def test_cart_add_capped_has_notice(client, shopper, books):
    _user, auth = shopper
    _dune, emma = books
    response = client.post(
        "/api/cart", json={"book_id": emma.id, "quantity": 5}, headers=auth
    )
    assert response.status_code == 200
    assert response.json()["quantity"] == 2
    assert "Only 2 copies of 'Emma' in stock" in response.json()["notice"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"book_id": 999999, "quantity": 1}, 404, None),
        ({"book_id": "abc", "quantity": 1}, 422, "book_id"),
        ({"book_id": 1.5, "quantity": 1}, 422, "book_id"),
        ({"quantity": 1}, 422, "book_id"),
        ({"book_id": "{dune}", "quantity": 0}, 422, "quantity"),
        ({"book_id": "{dune}", "quantity": -3}, 422, "quantity"),
        ({"book_id": "{dune}", "quantity": 2.5}, 422, "quantity"),
        ({"book_id": "{dune}", "quantity": "2"}, 422, "quantity"),
        ({"book_id": "{dune}", "quantity": 11}, 422, "quantity"),
        ({"book_id": "{dune}", "quantity": 10**40}, 422, "quantity"),
    ],
)
def test_cart_add_rejects_bad_input(client, shopper, books, body, status, field):
    _user, auth = shopper
    dune, _emma = books
    body = {k: (dune.id if v == "{dune}" else v) for k, v in body.items()}
    response = client.post("/api/cart", json=body, headers=auth)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"]


def test_cart_add_sold_out_conflicts(client, shopper, db):
    _user, auth = shopper
    book = add_stocked_book(db, "Gone", stock=0)
    db.commit()
    response = client.post(
        "/api/cart", json={"book_id": book.id, "quantity": 1}, headers=auth
    )
    assert response.status_code == 409
    assert "sold out" in response.json()["detail"]


def test_cart_patch_and_delete(client, shopper, books):
    _user, auth = shopper
    dune, emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)

    patched = client.patch(f"/api/cart/{dune.id}", json={"quantity": 4}, headers=auth)
    zero = client.patch(f"/api/cart/{dune.id}", json={"quantity": 0}, headers=auth)
    missing = client.patch(f"/api/cart/{emma.id}", json={"quantity": 1}, headers=auth)
    not_int = client.patch("/api/cart/abc", json={"quantity": 1}, headers=auth)
    deleted = client.delete(f"/api/cart/{dune.id}", headers=auth)
    deleted_again = client.delete(f"/api/cart/{dune.id}", headers=auth)

    assert patched.status_code == 200
    assert patched.json()["quantity"] == 4
    assert zero.status_code == 422
    assert missing.status_code == 404
    assert not_int.status_code == 422
    assert deleted.status_code == 200
    assert deleted.json() == {"message": "Book removed from cart."}
    assert deleted_again.status_code == 404
    assert client.get("/api/cart", headers=auth).json() == []


def test_cart_needs_login(client):
    response = client.get("/api/cart")
    assert response.status_code == 401
    assert (
        client.post("/api/cart", json={"book_id": 1, "quantity": 1}).status_code == 401
    )


def test_cart_summary_has_totals(client, shopper, books):
    _user, auth = shopper
    dune, emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 2}, headers=auth)
    client.post("/api/cart", json={"book_id": emma.id, "quantity": 1}, headers=auth)
    summary = client.get("/api/cart/summary", headers=auth).json()
    assert summary["subtotal"] == "29.47"
    assert summary["shipping"] == "4.99"
    assert summary["tax"] == "2.36"
    assert summary["total"] == "36.82"
    assert summary["can_check_out"] is True


# Orders.


def _checkout(client, auth, cart_id, key="api-key-000001", **changes):
    body = {
        "cart_id": cart_id,
        "payment_method": "test_card",
        "shipping_address": ADDRESS,
        **CARD,
        **changes,
    }
    headers = {**auth, "Idempotency-Key": key} if key else auth
    return client.post("/api/orders", json=body, headers=headers)


def _cart_id(client, auth) -> int:
    return int(client.get("/api/cart", headers=auth).headers["X-Cart-Id"])


def test_place_order_contract_and_replay(client, shopper, books, db, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 2}, headers=auth)
    cart_id = _cart_id(client, auth)

    first = _checkout(client, auth, cart_id)
    again = _checkout(client, auth, cart_id)

    assert first.status_code == 201, first.text
    body = first.json()
    assert body["message"] == "Order placed successfully."
    assert body["order_number"].startswith("SRH-")
    assert body["status"] == "paid"
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["order_id"] == body["order_id"]
    assert gateway.charge_count == 1
    assert stock_of(db, dune.id) == 3
    assert len(db.exec(select(Order)).all()) == 1

    listed = client.get("/api/orders", headers=auth).json()
    assert [o["id"] for o in listed] == [body["order_id"]]
    assert listed[0]["item_count"] == 2
    detail = client.get(f"/api/orders/{body['order_id']}", headers=auth).json()
    assert detail["lines"] == [
        {
            "book_id": dune.id,
            "title": "Dune",
            "unit_price": "10.99",
            "quantity": 2,
            "line_total": "21.98",
        }
    ]
    assert detail["payment"]["card_last4"] == "4242"
    assert detail["allowed_next_states"] == ["cancelled"]
    assert [e["to_status"] for e in detail["events"]] == ["pending_payment", "paid"]
    # The new cart after the order is empty.
    assert client.get("/api/cart", headers=auth).json() == []


def test_place_order_pay_on_delivery_minimal_body(client, shopper, books, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    cart_id = _cart_id(client, auth)
    first = client.post(
        "/api/orders",
        json={
            "cart_id": cart_id,
            "payment_method": "pay_on_delivery",
            "shipping_address": ADDRESS,
        },
        headers=auth,
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "pending_payment"

    # The next order may leave the address out: the saved one is used.
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    second = client.post(
        "/api/orders",
        json={"cart_id": _cart_id(client, auth), "payment_method": "pay_on_delivery"},
        headers=auth,
    )
    assert second.status_code == 201, second.text


def test_place_order_declined_card(client, shopper, books, db, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    response = _checkout(
        client, auth, _cart_id(client, auth), card_number="4000000000000002"
    )
    assert response.status_code == 402
    assert response.json()["code"] == "card_declined"
    assert stock_of(db, dune.id) == 5
    assert db.exec(select(OutboxEmail)).all() == []


def test_place_order_invalid_fields(client, shopper, books, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    cart_id = _cart_id(client, auth)

    bad_card = _checkout(client, auth, cart_id, card_number="1234567812345678")
    bad_method = _checkout(client, auth, cart_id, payment_method="cash")
    bad_key = _checkout(client, auth, cart_id, key="short")
    bad_cart = _checkout(client, auth, "x")
    bad_total = _checkout(client, auth, cart_id, expected_total="abc")

    assert bad_card.status_code == 422
    assert "card_number" in bad_card.json()["errors"]
    assert bad_method.status_code == 422
    assert "payment_method" in bad_method.json()["errors"]
    assert bad_key.status_code == 422
    assert "idempotency_key" in bad_key.json()["errors"]
    assert bad_cart.status_code == 422
    assert bad_total.status_code == 422


def test_place_order_other_users_cart(client, shopper, books, db, gateway):
    _user, auth = shopper
    other = add_shopper(db)
    db.commit()
    other_auth = bearer_headers(client, other)
    dune, _emma = books
    client.post(
        "/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=other_auth
    )
    response = _checkout(client, auth, _cart_id(client, other_auth))
    assert response.status_code == 404


def test_place_order_unconfirmed_forbidden(client, db, books, gateway):
    user = add_shopper(db, confirmed=False)
    db.commit()
    auth = bearer_headers(client, user)
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    response = _checkout(client, auth, _cart_id(client, auth))
    assert response.status_code == 403
    assert "Confirm your email" in response.json()["detail"]


def test_cancel_own_order(client, shopper, books, db, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 2}, headers=auth)
    order_id = _checkout(client, auth, _cart_id(client, auth)).json()["order_id"]

    cancelled = client.post(f"/api/orders/{order_id}/cancel", headers=auth)
    again = client.post(f"/api/orders/{order_id}/cancel", headers=auth)

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["payment"]["status"] == "refunded"
    assert again.status_code == 409
    assert stock_of(db, dune.id) == 5


def test_other_users_order_not_found(client, shopper, books, db, gateway):
    _user, auth = shopper
    dune, _emma = books
    client.post("/api/cart", json={"book_id": dune.id, "quantity": 1}, headers=auth)
    order_id = _checkout(client, auth, _cart_id(client, auth)).json()["order_id"]
    other = add_shopper(db)
    db.commit()
    other_auth = bearer_headers(client, other)
    assert client.get(f"/api/orders/{order_id}", headers=other_auth).status_code == 404
    assert (
        client.post(f"/api/orders/{order_id}/cancel", headers=other_auth).status_code
        == 404
    )


# The visitor's cookie and the merge at login.


def test_page_load_sets_visitor_cookie(engine):
    api = create_api()

    @api.get("/some-page")
    def some_page():
        from fastapi.responses import HTMLResponse

        return HTMLResponse("<html></html>")

    with TestClient(api, base_url=BASE) as test_client:
        first = test_client.get("/some-page")
        second = test_client.get("/some-page")
        api_call = test_client.get("/api/categories")
    name = get_settings().cart_cookie_name
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{name}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "set-cookie" not in second.headers
    assert "set-cookie" not in api_call.headers


def test_login_merges_visitor_cart(client, db, books):
    from sky_readers.cart import services

    user = add_shopper(db)
    dune, _emma = books
    visitor = services.get_or_create_cart(db, anonymous_token="visitor-token-api-1")
    services.add_book(db, visitor, dune.id, 2)
    db.commit()
    name = get_settings().cart_cookie_name

    client.cookies.set(name, "visitor-token-api-1")
    response = client.post(
        "/login",
        data={"username": user.email, "password": SHOPPER_PASSWORD},
        follow_redirects=False,
    )

    assert response.status_code == 303
    cleared = [
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")
    ]
    assert len(cleared) == 1
    assert "Max-Age=0" in cleared[0]
    cart = services.find_open_cart(db, user_id=user.id)
    assert services.count_items(db, cart) == 2
