"""Admin order pages' states: filters from the URL, sums, actions, service messages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from sky_readers.accounts import sessions
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order
from sky_readers.outbox.models import OutboxEmail
from sky_readers.ui.states.admin_dashboard import AdminDashboardState
from sky_readers.ui.states.admin_orders import AdminOrderDetailState, AdminOrdersState
from tests.accounts.helpers import cookie_header, redirect_target, with_request
from tests.admin.fixtures import make_admin
from tests.admin.order_builders import book, move_to, place, place_at, shopper

pytestmark = pytest.mark.usefixtures("card_gateway")


@pytest.fixture
def admin(session):
    return make_admin(session)


@pytest.fixture
def admin_cookie(session, admin):
    new = sessions.create_session(session, admin)
    session.commit()
    return cookie_header(new.session_id)


@pytest.fixture
def shop(session, admin):
    """A paid card order of Ada and a shipped one of Bob, placed on two days."""
    ada = shopper(session, name="Ada Lovelace", email="ada@example.test")
    bob = shopper(session, name="Bob Stone", email="bob@example.test")
    dune = book(session, "Dune", price="10.99")
    paid = place(session, ada, [(dune, 2)])
    shipped = move_to(session, place(session, bob, [(dune, 1)]), "shipped", admin)
    today = utcnow().date()
    place_at(session, paid, dt.datetime.combine(today, dt.time(1), tzinfo=dt.UTC))
    place_at(
        session,
        shipped,
        dt.datetime.combine(today - dt.timedelta(days=3), dt.time(1), tzinfo=dt.UTC),
    )
    return {"paid": paid.number, "shipped": shipped.number}


def _list(cookie: str, path: str = "/admin/orders") -> AdminOrdersState:
    state = with_request(AdminOrdersState(), path, cookie)
    assert state.load() is None
    return state


def _detail(cookie: str, number: str) -> AdminOrderDetailState:
    state = with_request(AdminOrderDetailState(), f"/admin/orders/{number}", cookie)
    assert state.load() is None
    return state


def _status(engine, number: str) -> str:
    with Session(engine) as session:
        return session.exec(select(Order.status).where(Order.number == number)).one()


# The list.


def test_list_shows_orders_newest_first(admin_cookie, shop):
    state = _list(admin_cookie)

    assert [row.number for row in state.rows] == [shop["paid"], shop["shipped"]]
    row = state.rows[0]
    assert row.href == f"/admin/orders/{shop['paid']}"
    assert (row.customer_name, row.customer_email) == (
        "Ada Lovelace",
        "ada@example.test",
    )
    assert (row.status_label, row.copies) == ("Paid", 2)
    # 21.98 + 4.99 + 1.76 = 28.73, formatted as on the shopper's pages.
    assert row.total == "$28.73"
    assert state.total == 2
    assert state.totals[0].orders == "2 orders"
    # Bob: 10.99 + 4.99 + 0.88 = 16.86; both count as revenue.
    assert state.totals[0].paid_total == "$45.59"
    assert state.export_href == "/api/admin/orders/export.csv"
    assert state.notice == ""


def test_list_reads_filters_from_url(admin_cookie, shop):
    state = _list(admin_cookie, "/admin/orders?status=shipped&customer=stone")

    assert [row.number for row in state.rows] == [shop["shipped"]]
    assert (state.status_filter, state.customer) == ("shipped", "stone")
    assert parse_qs(urlsplit(state.export_href).query) == {
        "status": ["shipped"],
        "customer": ["stone"],
    }
    assert state.form_key == "status=shipped&customer=stone"


def test_list_ignores_bad_url_filter_with_notice(admin_cookie, shop):
    state = _list(admin_cookie, "/admin/orders?status=lost&customer=ada")

    assert [row.number for row in state.rows] == [shop["paid"]]
    assert "status: unknown order state 'lost'" in state.notice
    assert state.status_filter == "all"


def test_apply_filters_goes_to_filtered_url(admin_cookie, shop):
    state = _list(admin_cookie)

    result = state.apply_filters(
        {"customer": " ada ", "number": "", "from": "2026-01-01", "to": ""}
    )

    target = urlsplit(redirect_target(result))
    assert target.path == "/admin/orders"
    assert parse_qs(target.query) == {"customer": ["ada"], "from": ["2026-01-01"]}


def test_apply_filters_shows_field_errors(admin_cookie, shop):
    state = _list(admin_cookie)

    state.apply_filters({"from": "2026-02-30", "to": "2026-01-01"})

    assert set(state.errors) == {"from"}
    assert "is not a date" in state.errors["from"]
    assert len(state.rows) == 2


def test_set_status_keeps_other_filters(admin_cookie, shop):
    state = _list(admin_cookie, "/admin/orders?customer=ada&page=1")

    target = urlsplit(redirect_target(state.set_status("paid,shipped,delivered")))

    assert parse_qs(target.query) == {
        "customer": ["ada"],
        "status": ["paid,shipped,delivered"],
    }


def test_pages_move_in_the_url(admin_cookie, session, shop):
    buyer = shopper(session, name="Many Orders")
    title = book(session, "Often Bought", price="1.00")
    for _ in range(25):
        place(session, buyer, [(title, 1)])
    state = _list(admin_cookie, "/admin/orders?customer=many")

    assert (state.page, state.pages, state.total) == (1, 1, 25)
    state = _list(admin_cookie, "/admin/orders?page=2")
    assert (state.page, state.pages, len(state.rows)) == (2, 2, 2)
    target = urlsplit(redirect_target(state.go_to_page(-1)))
    assert target.query == ""
    assert urlsplit(redirect_target(state.go_to_page(5))).query == "page=2"


def test_dashboard_revenue_matches_list(admin_cookie, shop):
    dashboard = with_request(AdminDashboardState(), "/admin", admin_cookie)
    dashboard.load()
    today = utcnow().date()
    first = today - dt.timedelta(days=29)

    revenue = _list(admin_cookie, dashboard.revenue_href)
    placed = _list(admin_cookie, dashboard.orders_href)

    assert parse_qs(urlsplit(dashboard.revenue_href).query) == {
        "status": ["paid,shipped,delivered"],
        "from": [first.isoformat()],
        "to": [today.isoformat()],
    }
    assert revenue.totals[0].paid_total == dashboard.revenue_total == "$45.59"
    assert placed.totals[0].paid_total == dashboard.revenue_total
    assert placed.totals[0].orders == f"{dashboard.orders_total} orders" == "2 orders"
    assert revenue.status_filter == "paid,shipped,delivered"


# One order.


def test_detail_shows_order(admin_cookie, shop):
    state = _detail(admin_cookie, shop["shipped"])

    assert (state.found, state.number, state.status_label) == (
        True,
        shop["shipped"],
        "Shipped",
    )
    assert [(line.title, line.unit_price) for line in state.lines] == [
        ("Dune", "$10.99")
    ]
    assert (state.subtotal, state.shipping, state.tax, state.total) == (
        "$10.99",
        "$4.99",
        "$0.88",
        "$16.86",
    )
    assert (state.payment_method, state.payment_card) == ("Card", "Visa ending 4242")
    assert state.customer_email == "bob@example.test"
    assert state.ship_to[0] == "Ada Lovelace"
    assert [(e.from_label, e.to_label) for e in state.events] == [
        ("", "Pending payment"),
        ("Pending payment", "Paid"),
        ("Paid", "Shipped"),
    ]
    assert state.events[-1].actor == "Admin Ada Admin <admin@example.test>"
    assert state.events[0].actor == "Customer Bob Stone <bob@example.test>"
    assert [a.target for a in state.actions] == ["delivered", "refunded"]


@pytest.mark.parametrize("key", ["SRH-1999-000404", str(2**63), "%C2%B2"])
def test_detail_of_unknown_order(admin_cookie, shop, key):
    state = _detail(admin_cookie, key)

    assert state.found is False
    assert state.loaded is True


@pytest.mark.parametrize("page", [str(2**63), "%C2%B2", "-3", "0"])
def test_list_unreadable_page_shows_first(admin_cookie, shop, page):
    state = _list(admin_cookie, f"/admin/orders?page={page}")

    assert state.page == 1
    assert len(state.rows) == 2


def test_ship_through_dialog_with_tracking_link(admin_cookie, engine, shop):
    state = _detail(admin_cookie, shop["paid"])

    state.open_action("shipped")
    assert state.dialog_open is True
    assert state.dialog_confirm == "Ship"
    result = state.confirm_action(
        {"tracking_url": "https://track.example/1", "note": ""}
    )

    assert "is shipped" in str(result)
    assert state.dialog_open is False
    assert state.error == ""
    assert state.status_label == "Shipped"
    assert [a.target for a in state.actions] == ["delivered", "refunded"]
    assert _status(engine, shop["paid"]) == "shipped"
    with Session(engine) as session:
        mail = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.test")
            .where(OutboxEmail.kind == "order_shipped")
        ).one()  # fmt: skip
    assert "https://track.example/1" in mail.text_body


def test_bad_tracking_link_keeps_dialog_open(admin_cookie, engine, shop):
    state = _detail(admin_cookie, shop["paid"])
    state.open_action("shipped")

    state.confirm_action({"tracking_url": "not a link", "note": ""})

    assert state.dialog_open is True
    assert "is not a link" in state.dialog_errors["tracking_url"]
    assert _status(engine, shop["paid"]) == "paid"


def test_cancel_with_reason(admin_cookie, engine, shop):
    state = _detail(admin_cookie, shop["paid"])

    state.open_action("cancelled")
    assert state.dialog_destructive is True
    state.confirm_action({"note": "Out of print"})

    assert state.status_label == "Cancelled"
    assert state.actions == []
    assert state.events[-1].note == "Out of print"
    with Session(engine) as session:
        mail = session.exec(
            select(OutboxEmail).where(OutboxEmail.kind == "order_cancelled")
        ).one()
    assert "Out of print" in mail.text_body


def test_second_admin_sees_service_message(admin_cookie, engine, session, shop):
    first = _detail(admin_cookie, shop["paid"])
    second = _detail(admin_cookie, shop["paid"])

    first.open_action("shipped")
    first.confirm_action({"note": ""})
    second.open_action("shipped")
    result = second.confirm_action({"note": ""})

    message = f"Order {shop['paid']} is shipped and cannot become shipped"
    assert second.error.startswith(message)
    assert message in str(result)
    assert second.status_label == "Shipped"
    assert second.dialog_open is False
    kinds = session.exec(select(OutboxEmail.kind)).all()
    assert kinds.count("order_shipped") == 2


def test_direct_change_and_its_limits(admin_cookie, engine, shop):
    state = _detail(admin_cookie, shop["shipped"])

    refused = state.change_state("refunded")
    state.change_state("delivered")

    assert "needs its form" in str(refused)
    assert _status(engine, shop["shipped"]) == "delivered"
    assert state.status_label == "Delivered"
    assert [a.target for a in state.actions] == ["refunded"]


def test_open_action_rejects_unknown_target(admin_cookie, shop):
    state = _detail(admin_cookie, shop["paid"])

    state.open_action("lost")
    state.set_dialog_open(True)

    assert state.dialog_open is False


@pytest.mark.parametrize("who", ["shopper", "visitor"])
def test_non_admin_cannot_cancel_loaded_order(engine, session, shop, who):
    cookie = ""
    if who == "shopper":
        user = shopper(session, name="Nosy Shopper")
        cookie = cookie_header(sessions.create_session(session, user).session_id)
        session.commit()
    with Session(engine) as read:
        order_id = read.exec(select(Order.id).where(Order.number == shop["paid"])).one()
    state = with_request(AdminOrderDetailState(), "/admin/orders/x", cookie)
    state._order_id = order_id
    state.status = "paid"
    state.dialog_open = True
    state.dialog_target = "cancelled"

    confirm = state.confirm_action({"note": "gone"})
    direct = state.change_state("cancelled")

    for result in (confirm, direct):
        assert urlsplit(redirect_target(result)).path == "/login"
    assert _status(engine, shop["paid"]) == "paid"
