"""Admin order API: list, one order, state changes and CSV export over HTTP."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from sky_readers.orders.models import Order
from sky_readers.outbox.models import OutboxEmail
from tests.admin.fixtures import bearer, make_admin, make_shopper
from tests.admin.order_builders import book, place, shopper

BASE = "/api/admin/orders"


pytestmark = pytest.mark.usefixtures("card_gateway")


@pytest.fixture
def admin_auth(session):
    return bearer(make_admin(session))


@pytest.fixture
def orders(session):
    """A card order of Ada and a pay-on-delivery order of a hostile name."""
    ada = shopper(session, name="Ada Lovelace", email="ada@example.test")
    mallory = shopper(session, name="=cmd|' /C calc'!A0", email="m@example.test")
    dune = book(session, "Dune", price="10.99")
    emma = book(session, "+Emma", price="7.49")
    card = place(session, ada, [(dune, 2), (emma, 1)])
    cash = place(session, mallory, [(emma, 1)], method="pay_on_delivery")
    return {"card": card.number, "cash": cash.number, "card_id": card.id}


ROUTES = [
    ("GET", BASE),
    ("GET", BASE + "/export.csv"),
    ("GET", BASE + "/SRH-2026-000001"),
    ("POST", BASE + "/SRH-2026-000001/transitions"),
]


def test_order_routes_are_in_the_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths) >= {
        BASE,
        BASE + "/export.csv",
        BASE + "/{key}",
        BASE + "/{key}/transitions",
    }


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_order_route_needs_a_token(client, orders, method, path):
    response = client.request(method, path, json={"status": "shipped"})

    assert response.status_code == 401
    assert "Log in first" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_order_route_refuses_shopper(client, session, orders, method, path):
    headers = bearer(make_shopper(session))

    response = client.request(method, path, json={"status": "shipped"}, headers=headers)

    assert response.status_code == 403
    assert "needs an admin account" in response.json()["detail"]
    order = session.exec(select(Order).where(Order.number == orders["card"])).one()
    session.refresh(order)
    assert order.status == "paid"


def test_list_orders(client, orders, admin_auth):
    response = client.get(BASE, headers=admin_auth)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert (body["page"], body["pages"]) == (1, 1)
    assert [item["number"] for item in body["data"]] == [orders["cash"], orders["card"]]
    card = body["data"][1]
    assert card["customer"]["email"] == "ada@example.test"
    assert card["status"] == "paid"
    assert card["status_label"] == "Paid"
    assert card["total"] == "36.82"
    assert card["item_count"] == 3
    # The cash order: 7.49 + 4.99 + 0.60 = 13.08, pending, so not in the paid total.
    assert body["totals"] == [
        {
            "currency": "USD",
            "orders": 2,
            "total": "49.90",
            "paid_orders": 1,
            "paid_total": "36.82",
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending_payment", ["cash"]),
        ("status=paid&status=pending_payment", ["cash", "card"]),
        ("status=paid,pending_payment", ["cash", "card"]),
        ("status=all", ["cash", "card"]),
        ("customer=LOVELACE", ["card"]),
        ("customer=m%40example", ["cash"]),
        ("from=2000-01-01&to=2000-12-31", []),
    ],
)
def test_list_orders_filters(client, orders, admin_auth, query, expected):
    response = client.get(f"{BASE}?{query}", headers=admin_auth)

    assert response.status_code == 200
    numbers = [item["number"] for item in response.json()["data"]]
    assert numbers == [orders[name] for name in expected]


def test_list_orders_pages(client, orders, admin_auth):
    response = client.get(f"{BASE}?page=2&page_size=1", headers=admin_auth)

    body = response.json()
    assert [item["number"] for item in body["data"]] == [orders["card"]]
    assert (body["count"], body["page"], body["pages"]) == (2, 2, 2)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=lost", "status", "unknown order state 'lost'"),
        ("from=31-12-2026", "from", "is not a date: use YYYY-MM-DD"),
        ("from=2026-05-02&to=2026-05-01", "to", "swap them"),
        ("page=0", "page", "greater than or equal to 1"),
        ("page_size=101", "page_size", "less than or equal to 100"),
    ],
)
def test_list_orders_bad_filter(client, orders, admin_auth, query, field, message):
    response = client.get(f"{BASE}?{query}", headers=admin_auth)

    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    assert field in response.json()["detail"]


def test_get_order(client, orders, admin_auth):
    response = client.get(f"{BASE}/{orders['card']}", headers=admin_auth)
    by_id = client.get(f"{BASE}/{orders['card_id']}", headers=admin_auth)

    assert response.status_code == 200
    body = response.json()
    assert by_id.json()["number"] == body["number"] == orders["card"]
    assert [(line["title"], line["unit_price"]) for line in body["lines"]] == [
        ("Dune", "10.99"),
        ("+Emma", "7.49"),
    ]
    assert (body["subtotal"], body["shipping"], body["tax"], body["total"]) == (
        "29.47",
        "4.99",
        "2.36",
        "36.82",
    )
    assert body["payment"] == {
        "method": "test_card",
        "status": "paid",
        "card_brand": "Visa",
        "card_last4": "4242",
    }
    assert body["shipping_address"]["city"] == "Portland"
    assert [event["to_status"] for event in body["events"]] == [
        "pending_payment",
        "paid",
    ]
    assert body["allowed_next_states"] == ["shipped", "cancelled"]
    assert "4242 4242" not in response.text


def test_get_unknown_order(client, orders, admin_auth):
    response = client.get(f"{BASE}/SRH-1999-000404", headers=admin_auth)

    assert response.status_code == 404
    assert response.json()["detail"] == "Order SRH-1999-000404 not found."


def test_ship_order(client, session, orders, admin_auth):
    response = client.post(
        f"{BASE}/{orders['card']}/transitions",
        json={
            "status": "shipped",
            "tracking_url": "https://track.example/Z9",
            "expected_status": "paid",
        },
        headers=admin_auth,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "shipped"
    assert body["allowed_next_states"] == ["delivered", "refunded"]
    last = body["events"][-1]
    assert (last["from_status"], last["to_status"], last["actor"]) == (
        "paid",
        "shipped",
        "admin",
    )
    assert last["actor_name"] == "Ada Admin <admin@example.test>"
    mail = session.exec(
        select(OutboxEmail).where(OutboxEmail.kind == "order_shipped")
    ).one()
    assert mail.to_address == "ada@example.test"


def test_forbidden_transition_is_409(client, orders, admin_auth):
    response = client.post(
        f"{BASE}/{orders['card']}/transitions",
        json={"status": "delivered"},
        headers=admin_auth,
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Order {orders['card']} is paid and cannot become delivered. Allowed next "
        "states: shipped, cancelled."
    )


def test_stale_transition_is_409(client, orders, admin_auth):
    path = f"{BASE}/{orders['cash']}/transitions"
    client.post(path, json={"status": "shipped"}, headers=admin_auth)

    response = client.post(
        path,
        json={"status": "cancelled", "expected_status": "pending_payment"},
        headers=admin_auth,
    )

    assert response.status_code == 409
    assert "changed while you were looking at it" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"status": "shipped", "tracking_url": "ftp://x.example/1"}, "tracking_url"),
        ({"status": "cancelled", "note": "n" * 501}, "note"),
        ({"status": "shipped", "colour": "red"}, "colour"),
        ({"status": 3}, "status"),
        ({}, "status"),
    ],
)
def test_bad_transition_request_is_422(client, orders, admin_auth, body, field):
    response = client.post(
        f"{BASE}/{orders['card']}/transitions", json=body, headers=admin_auth
    )

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_transition_of_unknown_order_is_404(client, orders, admin_auth):
    response = client.post(
        f"{BASE}/SRH-1999-000404/transitions",
        json={"status": "shipped"},
        headers=admin_auth,
    )

    assert response.status_code == 404


def test_export_csv(client, orders, admin_auth):
    response = client.get(f"{BASE}/export.csv?status=all", headers=admin_auth)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="orders-'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["order_number"] for row in rows] == [orders["cash"], orders["card"]]
    assert rows[0]["customer_name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["books"] == "'+Emma × 1"
    assert rows[1]["books"] == "Dune × 2; +Emma × 1"
    assert rows[1]["total"] == "36.82"


def test_export_csv_with_filter(client, orders, admin_auth):
    response = client.get(f"{BASE}/export.csv?customer=ada", headers=admin_auth)

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["order_number"] for row in rows] == [orders["card"]]


def test_export_csv_bad_filter_is_422(client, orders, admin_auth):
    response = client.get(f"{BASE}/export.csv?to=someday", headers=admin_auth)

    assert response.status_code == 422
    assert "is not a date" in response.json()["errors"]["to"]
