"""Admin order search, totals, one order and state changes, on real checkouts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from sky_readers.admin import orders as admin_orders
from sky_readers.admin.dashboard import load_dashboard
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.money import format_money
from sky_readers.core.types import utcnow
from sky_readers.orders.errors import ConflictError, InvalidTransitionError
from sky_readers.orders.models import Order, OrderEvent, OrderStatus
from sky_readers.orders.queries import PURCHASED_STATES
from sky_readers.outbox.models import OutboxEmail
from tests.admin.order_builders import book, move_to, place, place_at, shopper

S = OrderStatus


pytestmark = pytest.mark.usefixtures("card_gateway")


@pytest.fixture
def admin(session):
    return shopper(session, name="Ada Admin", email="ada.admin@example.test")


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _numbers(result: admin_orders.OrderSearchResult) -> list[str]:
    return [row.number for row in result.page.items]


# Filters.


def test_parse_filters_reads_every_field():
    filters = admin_orders.parse_filters(
        status="shipped, paid",
        customer="  Ada ",
        number="srh-2026",
        placed_from="2026-04-01",
        placed_to="2026-04-30",
    )

    assert filters.statuses == (S.PAID, S.SHIPPED)
    assert filters.customer == "Ada"
    assert filters.number == "srh-2026"
    assert filters.placed_from == dt.date(2026, 4, 1)
    assert filters.placed_to == dt.date(2026, 4, 30)
    assert filters.query_params() == {
        "status": "paid,shipped",
        "customer": "Ada",
        "number": "srh-2026",
        "from": "2026-04-01",
        "to": "2026-04-30",
    }


def test_parse_filters_all_means_no_state_filter():
    assert admin_orders.parse_filters(status="all").statuses == ()
    assert admin_orders.parse_filters(status=["paid", "all"]).statuses == (S.PAID,)
    assert admin_orders.parse_filters().query_params() == {}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "lost"}, "status", "unknown order state 'lost'"),
        ({"status": "paid,bogus"}, "status", "unknown order state 'bogus'"),
        ({"placed_from": "2026-13-01"}, "from", "is not a date: use YYYY-MM-DD"),
        ({"placed_to": "yesterday"}, "to", "is not a date"),
        (
            {"placed_from": "2026-05-01", "placed_to": "2026-04-01"},
            "to",
            "before the start date 2026-05-01: swap them",
        ),
        ({"customer": "x" * 201}, "customer", "longer than 200 characters"),
        ({"number": "x" * 201}, "number", "longer than 200 characters"),
    ],
)
def test_parse_filters_rejects_bad_value(fields, field, message):
    with pytest.raises(ValidationError) as caught:
        admin_orders.parse_filters(**fields)

    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field]


def test_filters_from_query_reads_url_names():
    filters = admin_orders.filters_from_query(
        {"status": ["delivered"], "from": "2026-01-02", "customer": "bo"}
    )

    assert filters.statuses == (S.DELIVERED,)
    assert filters.placed_from == dt.date(2026, 1, 2)
    assert filters.customer == "bo"


# Search.


@pytest.fixture
def shop(session, admin):
    """Four orders of two customers over three days, in different states."""
    ada = shopper(session, name="Ada Lovelace", email="ada@example.test")
    bob = shopper(session, name="Bob O'Hara", email="bob_ohara@example.test")
    dune = book(session, "Dune", price="10.99")
    emma = book(session, "Emma", price="7.49")
    orders = {
        "ada_paid": place(session, ada, [(dune, 2), (emma, 1)]),
        "ada_shipped": move_to(session, place(session, ada, [(emma, 1)]), S.SHIPPED, admin),
        "bob_cancelled": move_to(session, place(session, bob, [(dune, 1)]), S.CANCELLED, admin),
        "bob_pending": place(session, bob, [(emma, 4)], method="pay_on_delivery"),
    }  # fmt: skip
    place_at(session, orders["ada_paid"], _at(dt.date(2026, 4, 1), 9))
    place_at(session, orders["ada_shipped"], _at(dt.date(2026, 4, 2), 0))
    place_at(session, orders["bob_cancelled"], _at(dt.date(2026, 4, 2), 23))
    place_at(session, orders["bob_pending"], _at(dt.date(2026, 4, 3), 8))
    return {name: order.number for name, order in orders.items()}


def test_search_lists_newest_first_with_customer(session, shop):
    result = admin_orders.search_orders(session, admin_orders.OrderFilters())

    assert _numbers(result) == [
        shop["bob_pending"],
        shop["bob_cancelled"],
        shop["ada_shipped"],
        shop["ada_paid"],
    ]
    first = result.page.items[-1]
    assert first.customer_name == "Ada Lovelace"
    assert first.customer_email == "ada@example.test"
    assert first.copies == 3
    # 2 x 10.99 + 7.49 = 29.47, shipping 4.99, tax 2.36.
    assert first.total == Decimal("36.82")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "shipped"}, ["ada_shipped"]),
        ({"status": "paid,pending_payment"}, ["bob_pending", "ada_paid"]),
        ({"customer": "LOVELACE"}, ["ada_shipped", "ada_paid"]),
        ({"customer": "bob_o"}, ["bob_pending", "bob_cancelled"]),
        # The underscore is a literal character, not a LIKE wildcard.
        ({"customer": "b_b"}, []),
        ({"customer": "%"}, []),
        ({"placed_from": "2026-04-02", "placed_to": "2026-04-02"},
         ["bob_cancelled", "ada_shipped"]),
        ({"placed_to": "2026-04-01"}, ["ada_paid"]),
        ({"placed_from": "2026-04-03"}, ["bob_pending"]),
        ({"status": "cancelled", "customer": "ada"}, []),
    ],
)  # fmt: skip
def test_search_filters(session, shop, filters, expected):
    result = admin_orders.search_orders(session, admin_orders.parse_filters(**filters))

    assert _numbers(result) == [shop[name] for name in expected]
    assert result.page.total == len(expected)


def test_search_by_part_of_number(session, shop):
    number = shop["ada_shipped"]
    filters = admin_orders.parse_filters(number=number[-6:].lower())

    assert _numbers(admin_orders.search_orders(session, filters)) == [number]


def test_search_pages(session, shop):
    everything = admin_orders.OrderFilters()

    first = admin_orders.search_orders(session, everything, page=1, page_size=3)
    second = admin_orders.search_orders(session, everything, page=2, page_size=3)
    past_end = admin_orders.search_orders(session, everything, page=9, page_size=3)

    assert len(first.page.items) == 3
    assert _numbers(second) == [shop["ada_paid"]]
    assert (second.page.pages, second.page.total) == (2, 4)
    assert past_end.page.page == 2
    assert _numbers(past_end) == _numbers(second)
    with pytest.raises(ValidationError, match="page size must be 1 to 100"):
        admin_orders.search_orders(session, everything, page_size=101)
    with pytest.raises(ValidationError, match="page must be 1 or more"):
        admin_orders.search_orders(session, everything, page=0)


def test_totals_cover_every_match_to_the_cent(session, shop):
    result = admin_orders.search_orders(
        session, admin_orders.OrderFilters(), page_size=1
    )
    orders = session.exec(select(Order)).all()
    paid = [o for o in orders if S(o.status) in PURCHASED_STATES]

    [totals] = result.totals
    assert totals.currency == "USD"
    assert totals.orders == 4
    assert totals.total == sum((o.total for o in orders), Decimal("0"))
    assert totals.paid_orders == len(paid) == 2
    assert totals.paid_total == sum((o.total for o in paid), Decimal("0"))
    # 36.82 (paid) + 7.49 + 4.99 + 0.60 (shipped) = 49.90.
    assert totals.paid_total == Decimal("49.90")


def test_totals_of_no_match_are_empty(session, shop):
    filters = admin_orders.parse_filters(customer="nobody at all")

    result = admin_orders.search_orders(session, filters)

    assert result.totals == []
    assert result.page.total == 0
    assert result.page.items == []


def test_dashboard_agrees_with_order_list(session, admin):
    today = utcnow().date()
    buyer = shopper(session, name="Cleo Reader")
    dune = book(session, "Dune", price="10.99")
    odd = book(session, "Odd Cents", price="3.33")
    placements = [
        (S.PAID, [(dune, 2)], 0),
        (S.SHIPPED, [(odd, 3), (dune, 1)], 1),
        (S.DELIVERED, [(odd, 7)], 12),
        (S.REFUNDED, [(dune, 1)], 3),
        (S.CANCELLED, [(odd, 1)], 0),
        (S.PAID, [(dune, 5)], 29),
        # Outside the dashboard's 30 days.
        (S.PAID, [(odd, 2)], 30),
        (S.DELIVERED, [(dune, 3)], 45),
    ]
    for state, lines, days_ago in placements:
        order = move_to(session, place(session, buyer, lines), state, admin)
        place_at(session, order, _at(today - dt.timedelta(days=days_ago), 6))

    dashboard = load_dashboard(session, currency="USD", today=today)
    last_30_days = {
        "placed_from": (today - dt.timedelta(days=29)).isoformat(),
        "placed_to": today.isoformat(),
    }
    revenue = admin_orders.search_orders(
        session,
        admin_orders.parse_filters(status="paid,shipped,delivered", **last_30_days),
    )
    placed = admin_orders.search_orders(
        session, admin_orders.parse_filters(**last_30_days)
    )

    assert revenue.totals[0].paid_total == dashboard.revenue_total
    assert revenue.totals[0].total == dashboard.revenue_total
    assert placed.totals[0].paid_total == dashboard.revenue_total
    assert format_money(revenue.totals[0].paid_total, "USD") == format_money(
        dashboard.revenue_total, "USD"
    )
    assert placed.page.total == dashboard.orders_total == 6
    for state in OrderStatus:
        listed = admin_orders.search_orders(
            session, admin_orders.OrderFilters(statuses=(state,))
        )
        assert listed.page.total == dashboard.orders_by_status[state.value], state


# One order.


def test_get_admin_order_by_number_or_id(session, shop, admin):
    number = shop["ada_shipped"]

    found = admin_orders.get_admin_order(session, number.lower())
    by_id = admin_orders.get_admin_order(session, str(found.detail.order.id))

    assert found.detail.order.number == number
    assert by_id.detail.order.number == number
    assert found.customer.email == "ada@example.test"
    assert [e.to_status for e in found.detail.events] == [
        "pending_payment",
        "paid",
        "shipped",
    ]
    assert found.actor_names[admin.id] == "Ada Admin <ada.admin@example.test>"
    assert found.allowed == [S.DELIVERED, S.REFUNDED]
    assert [item.title for item in found.detail.items] == ["Emma"]


@pytest.mark.parametrize("key", ["SRH-1999-999999", "999999", "", "   "])
def test_get_admin_order_unknown(session, shop, key):
    with pytest.raises(NotFoundError):
        admin_orders.get_admin_order(session, key)


# State changes.


def test_admin_ships_with_tracking_link(session, shop, admin):
    number = shop["ada_paid"]

    order = admin_orders.change_order_state(
        session,
        number,
        "shipped",
        admin=admin,
        expected_status="paid",
        note="Two parcels",
        tracking_url=" https://track.example/AB123 ",
    )
    session.commit()

    assert order.status == "shipped"
    event = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .where(OrderEvent.to_status == "shipped")
    ).one()
    assert (event.actor_kind, event.actor_user_id) == ("admin", admin.id)
    assert (event.from_status, event.note) == ("paid", "Two parcels")
    mail = session.exec(
        select(OutboxEmail).where(OutboxEmail.dedupe_key == f"order:{order.id}:shipped")
    ).one()
    assert mail.to_address == "ada@example.test"
    assert "https://track.example/AB123" in mail.text_body


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "track.example/AB1", "https://", "https://a b.example/",
     "https://t.example/" + "x" * 500],
)  # fmt: skip
def test_bad_tracking_link_changes_nothing(session, shop, admin, link):
    number = shop["ada_paid"]

    with pytest.raises(ValidationError) as caught:
        admin_orders.change_order_state(
            session, number, "shipped", admin=admin, tracking_url=link
        )
    session.rollback()

    assert list(caught.value.errors) == ["tracking_url"]
    assert admin_orders.get_admin_order(session, number).detail.order.status == "paid"


def test_forbidden_change_names_allowed_states(session, shop, admin):
    with pytest.raises(InvalidTransitionError) as caught:
        admin_orders.change_order_state(
            session, shop["bob_cancelled"], "shipped", admin=admin
        )

    assert "is cancelled and cannot become shipped" in str(caught.value)
    assert "none (final)" in str(caught.value)


def test_note_too_long_is_rejected(session, shop, admin):
    with pytest.raises(ValidationError) as caught:
        admin_orders.change_order_state(
            session, shop["ada_paid"], "cancelled", admin=admin, note="n" * 501
        )

    assert list(caught.value.errors) == ["note"]


def test_second_admin_gets_workflow_message(session, engine, shop, admin):
    number = shop["ada_paid"]
    other_admin = shopper(session, name="Otto Admin")

    with Session(engine, expire_on_commit=False) as first:
        admin_orders.change_order_state(
            first, number, "shipped", admin=admin, expected_status="paid"
        )
        first.commit()
    with Session(engine, expire_on_commit=False) as second:
        with pytest.raises(InvalidTransitionError) as caught:
            admin_orders.change_order_state(
                second, number, "shipped", admin=other_admin, expected_status="paid"
            )

    assert f"Order {number} is shipped and cannot become shipped" in str(caught.value)
    kinds = session.exec(select(OutboxEmail.kind)).all()
    assert kinds.count("order_shipped") == 2  # ada_shipped's and this one's


def test_stale_page_cannot_cancel_shipped_order(session, shop, admin):
    # A pay-on-delivery order may be cancelled after shipping (refused at the
    # door), but an admin who saw it pending decided on an order not yet shipped.
    number = shop["bob_pending"]
    admin_orders.change_order_state(
        session, number, "shipped", admin=admin, expected_status="pending_payment"
    )
    session.commit()

    with pytest.raises(ConflictError) as caught:
        admin_orders.change_order_state(
            session,
            number,
            "cancelled",
            admin=admin,
            expected_status="pending_payment",
        )
    session.rollback()

    assert "changed while you were looking at it: it is now shipped" in str(
        caught.value
    )
    assert admin_orders.get_admin_order(session, number).detail.order.status == (
        "shipped"
    )


def test_concurrent_admins_ship_once(engine, session, shop, admin):
    number = shop["ada_paid"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ship() -> None:
        barrier.wait(timeout=10)
        try:
            with session_scope() as own:
                admin_orders.change_order_state(
                    own, number, "shipped", admin=admin, expected_status="paid"
                )
            outcomes.append("shipped")
        except (ConflictError, InvalidTransitionError) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=ship) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("shipped") == 1
    assert len(outcomes) == 2
    order = admin_orders.get_admin_order(session, number).detail.order
    shipped_mails = session.exec(
        select(OutboxEmail).where(OutboxEmail.dedupe_key == f"order:{order.id}:shipped")
    ).all()
    assert len(shipped_mails) == 1
