"""Bulk imports from Google Books over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sky_readers.catalog.google_catalog import (
    MAX_BULK_ISBNS,
    BulkRequest,
    build_bulk_request,
    match_volumes,
    parse_isbn_list,
    run_bulk_import,
)
from sky_readers.catalog.google_import import import_google_volume
from sky_readers.catalog.models import Book
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.cli.main import main
from sky_readers.core.errors import ValidationError

ANNIHILATION = "9780374104092"
CHILDREN_OF_TIME_10 = "0316452505"
DARK_MONEY_10 = "0385535597"
NOT_AT_GOOGLE = "9780000000002"


def _books(session) -> int:
    return session.execute(select(func.count()).select_from(Book)).scalar_one()


def _book(session, isbn13: str) -> Book:
    return session.exec(select(Book).where(Book.isbn13 == isbn13)).scalars().one()


def test_parse_isbn_list_separators():
    text = "978-0-374-10409-2\n0316452505, 0385535597;9780374104092 0316452505"

    assert parse_isbn_list(text) == [
        "978-0-374-10409-2",
        "0316452505",
        "0385535597",
        "9780374104092",
    ]


def test_parse_isbn_list_limit():
    text = "\n".join(str(9780000000000 + n) for n in range(MAX_BULK_ISBNS + 1))

    with pytest.raises(ValidationError) as raised:
        parse_isbn_list(text)

    assert "isbns" in raised.value.errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "isbns"),
        ({"isbns": " \n ", "query": "  "}, "isbns"),
        ({"isbns": ANNIHILATION, "query": "dune"}, "query"),
        ({"isbns": ANNIHILATION, "price": "abc"}, "price"),
        ({"isbns": ANNIHILATION, "price": "-3"}, "price"),
        ({"isbns": ANNIHILATION, "price": "1.234"}, "price"),
        ({"isbns": ANNIHILATION, "stock": "-1"}, "stock"),
        ({"isbns": ANNIHILATION, "stock": "many"}, "stock"),
        ({"query": "dune", "max_volumes": "0"}, "max_volumes"),
        ({"query": "dune", "max_volumes": "201"}, "max_volumes"),
    ],
)
def test_bulk_request_names_invalid_field(fields, field):
    with pytest.raises(ValidationError) as raised:
        build_bulk_request(**fields)

    assert field in raised.value.errors


def test_bulk_request_parses_fields():
    request = build_bulk_request(
        isbns="0316452505\n0385535597", price="12.5", stock="4", max_volumes=""
    )

    assert request.isbns == ("0316452505", "0385535597")
    assert request.query == ""
    assert request.price == Decimal("12.50")
    assert request.stock == 4


def test_bulk_isbns_create_skip_and_fail(session, make_client):
    # Given a list with two importable ISBNs, a typo, a repeat and an unknown one.
    request = build_bulk_request(
        isbns=f"{ANNIHILATION}\n{CHILDREN_OF_TIME_10}\n9780374104093\n"
        f"{NOT_AT_GOOGLE}\n{ANNIHILATION}",
        price="14.00",
        stock="6",
    )
    progress = []

    # When it runs.
    summary = run_bulk_import(
        make_client(),
        request,
        progress=lambda done, total, item: progress.append((done, total, item.key)),
    )

    # Then the two real volumes are new books at the admin's price and stock.
    outcomes = {item.key: item.outcome for item in summary.items}
    assert outcomes == {
        ANNIHILATION: "created",
        CHILDREN_OF_TIME_10: "created",
        "9780374104093": "failed",
        NOT_AT_GOOGLE: "failed",
    }
    assert summary.summary() == "2 created, 0 updated, 0 skipped, 2 failed"
    assert [step[0] for step in progress] == [1, 2, 3, 4]
    assert {step[1] for step in progress} == {4}
    book = _book(session, ANNIHILATION)
    assert book.price == Decimal("14.00")
    assert book.stock_on_hand == 6
    assert book.google_volume_id == "2cl7AgAAQBAJ"
    failures = {item.key: item.message for item in summary.items}
    assert "not a valid ISBN" in failures["9780374104093"]
    assert "not found" in failures[NOT_AT_GOOGLE]


def test_bulk_isbns_without_price_skipped(session, make_client):
    summary = run_bulk_import(make_client(), build_bulk_request(isbns=DARK_MONEY_10))

    assert [item.outcome for item in summary.items] == ["skipped"]
    assert "price" in summary.items[0].message
    assert _books(session) == 0


def test_bulk_updates_existing_book_keeps_price(session, make_client):
    client = make_client()
    volume = client.find_by_isbn(ANNIHILATION)[0]
    first = import_google_volume(session, volume, price=Decimal("20.00"), stock=2)
    session.commit()

    summary = run_bulk_import(
        client, build_bulk_request(isbns=ANNIHILATION, price="5.00", stock="50")
    )

    assert [item.outcome for item in summary.items] == ["updated"]
    assert summary.items[0].book_id == first.book_id
    assert _books(session) == 1
    session.expire_all()
    book = _book(session, ANNIHILATION)
    assert book.price == Decimal("20.00")
    assert book.stock_on_hand == 2


def test_bulk_query_uses_google_prices(session, make_client):
    request = build_bulk_request(
        query="the great gatsby", price="3.00", stock="1", max_volumes="5"
    )

    summary = run_bulk_import(make_client(), request)

    assert len(summary.items) == 5
    assert summary.count("created") == 5
    sold = (
        session.exec(select(Book).where(Book.google_volume_id == "JgxOs2GX86AC"))
        .scalars()
        .one()
    )
    # Google sells this volume for 4.62 USD, so the batch price does not apply.
    assert sold.price == Decimal("4.62")
    others = (
        session.exec(select(Book).where(Book.google_volume_id != "JgxOs2GX86AC"))
        .scalars()
        .all()
    )
    assert {book.price for book in others} == {Decimal("3.00")}


def test_bulk_query_no_results(make_client):
    request = BulkRequest(query="isbn:9780000000002")

    summary = run_bulk_import(make_client(), request)

    assert [item.outcome for item in summary.items] == ["failed"]
    assert "no volumes" in summary.items[0].message


def test_bulk_stops_when_google_unavailable(session, make_client, fake_google_books):
    fake_google_books.fail_next(503, count=50)
    request = build_bulk_request(
        isbns=f"{ANNIHILATION}\n{CHILDREN_OF_TIME_10}", price="9.00"
    )

    summary = run_bulk_import(make_client(max_attempts=2), request)

    assert [item.outcome for item in summary.items] == ["failed", "failed"]
    assert "unavailable" in summary.items[0].message
    assert "not tried" in summary.items[1].message
    # Two attempts for the first ISBN, none for the second.
    assert fake_google_books.request_count == 2


def test_bulk_import_found_by_search(session, make_client):
    run_bulk_import(
        make_client(), build_bulk_request(isbns=ANNIHILATION, price="11.00")
    )

    found = search_books(session, SearchQuery(q="anihilation vandermeer"))

    assert [book.title for book in found.items] == ["Annihilation"]


def test_match_volumes_by_isbn_then_volume_id(session, make_client):
    client = make_client()
    annihilation = client.find_by_isbn(ANNIHILATION)[0]
    children = client.find_by_isbn(CHILDREN_OF_TIME_10)[0]
    dark_money = client.find_by_isbn(DARK_MONEY_10)[0]
    first = import_google_volume(session, annihilation, price=Decimal("9.00"))
    second = import_google_volume(session, children, price=Decimal("9.00"))
    session.commit()
    # A book that lost its ISBN still matches by volume id.
    session.get(Book, second.book_id).isbn13 = None
    session.commit()

    matches = match_volumes(session, [annihilation, children, dark_money])

    assert matches[annihilation.volume_id].book_id == first.book_id
    assert matches[children.volume_id].book_id == second.book_id
    assert dark_money.volume_id not in matches


def test_cli_imports_isbns(engine, session, google_books_settings, capsys):
    status = main(
        [
            "catalog",
            "import-google-books",
            "--isbn",
            f"{ANNIHILATION},{NOT_AT_GOOGLE}",
            "--isbn",
            CHILDREN_OF_TIME_10,
            "--price",
            "13.50",
            "--stock",
            "2",
            "--no-progress",
        ]
    )

    output = capsys.readouterr().out
    assert status == 1
    assert f"{ANNIHILATION}: created" in output
    assert f"{NOT_AT_GOOGLE}: failed: not found at Google Books" in output
    assert "Google Books import: 2 created, 0 updated, 0 skipped, 1 failed" in output
    book = _book(session, ANNIHILATION)
    assert book.price == Decimal("13.50")
    assert book.stock_on_hand == 2


def test_cli_imports_query(engine, session, google_books_settings, capsys):
    status = main(
        [
            "catalog",
            "import-google-books",
            "--query",
            "intitle:design patterns inauthor:gamma",
            "--max-volumes",
            "3",
            "--price",
            "30.00",
        ]
    )

    output = capsys.readouterr().out
    assert status == 0
    assert "3 created, 0 updated, 0 skipped, 0 failed" in output
    assert _books(session) == 3


def test_cli_rejects_bad_price(engine, google_books_settings, capsys):
    status = main(
        ["catalog", "import-google-books", "--isbn", ANNIHILATION, "--price", "abc"]
    )

    assert status == 1
    assert "price" in capsys.readouterr().err
    assert google_books_settings.request_count == 0
