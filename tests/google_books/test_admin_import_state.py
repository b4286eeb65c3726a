"""The admin Google Books import page's state, against the fake server and a database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sky_readers.accounts.services import create_or_promote_admin, register_user
from sky_readers.accounts.sessions import create_session
from sky_readers.adapters.google_books import GoogleVolume
from sky_readers.catalog.google_import import import_google_volume
from sky_readers.catalog.models import Book
from sky_readers.core.settings import get_settings
from sky_readers.ui.states.admin_google_import import (
    AdminGoogleImportState,
    thumbnail_url,
)
from tests.ui.helpers import state_for

PASSWORD = "correct horse battery"
ROUTE = "/admin/import/google"
ANNIHILATION = "9780374104092"
# Volume ids of the recorded "intitle:design patterns inauthor:gamma" search (GB).
DESIGN_PATTERNS = "6oHuKQe3TjQC"
LEARNING_PHP = "C3NjONZuoAMC"


def _cookie(session, user) -> str:
    new = create_session(session, user)
    session.commit()
    return f"{get_settings().session_cookie_name}={new.session_id}"


@pytest.fixture
def admin_cookie(session) -> str:
    admin, _new = create_or_promote_admin(
        session, email="admin@example.test", name="Ada Admin", password=PASSWORD
    )
    session.commit()
    return _cookie(session, admin)


@pytest.fixture
def shopper_cookie(session) -> str:
    result = register_user(
        session,
        name="Sam Shopper",
        email="sam@example.test",
        password=PASSWORD,
        confirm_password=PASSWORD,
    )
    session.commit()
    return _cookie(session, result.user)


def _page(cookie: str, url: str = ROUTE) -> AdminGoogleImportState:
    return state_for(AdminGoogleImportState, url, cookie=cookie)


async def _run(handler, state, *args) -> list:
    return [update async for update in handler.fn(state, *args)]


def _redirect_path(update) -> str:
    assert update.handler.fn.__qualname__ == "_redirect"
    return str(update.args[0][1]).strip('"')


def _books(session) -> int:
    return session.execute(select(func.count()).select_from(Book)).scalar_one()


async def test_search_previews_and_marks_catalog(
    engine, session, admin_cookie, google_books_settings
):
    # Given one volume of the search already in the catalog.
    state = _page(admin_cookie)
    await _run(
        AdminGoogleImportState.search,
        state,
        {"query": "intitle:design patterns inauthor:gamma"},
    )
    assert len(state.results) == 30
    first = import_google_volume(
        session, state._volumes[LEARNING_PHP], price=Decimal("20.00"), stock=4
    )
    session.commit()

    # When the admin searches again.
    await _run(
        AdminGoogleImportState.search,
        state,
        {"query": "intitle:design patterns inauthor:gamma"},
    )

    # Then that volume is marked, and the others show what an import needs.
    rows = {row.volume_id: row for row in state.results}
    assert rows[LEARNING_PHP].in_catalog is True
    assert rows[LEARNING_PHP].book_id == first.book_id
    assert "4 in stock" in rows[LEARNING_PHP].catalog_label
    assert rows[LEARNING_PHP].needs_price is False
    assert rows[DESIGN_PATTERNS].in_catalog is False
    # Google sells it in GBP, and the store sells in USD.
    assert rows[DESIGN_PATTERNS].google_price == "£27.71"
    assert rows[DESIGN_PATTERNS].needs_price is True
    assert rows[DESIGN_PATTERNS].price_placeholder == "Required"
    # Images of a fake API's recordings point at Google and are not shown.
    assert {row.thumbnail for row in state.results} == {""}


async def test_search_empty_query_error(engine, admin_cookie, google_books_settings):
    state = _page(admin_cookie)

    await _run(AdminGoogleImportState.search, state, {"query": "   "})

    assert state.query_error != ""
    assert state.results == []
    assert google_books_settings.request_count == 0


async def test_search_google_failure_message(
    engine, admin_cookie, google_books_settings
):
    google_books_settings.fail_next(503, count=5)
    state = _page(admin_cookie)

    await _run(AdminGoogleImportState.search, state, {"query": "dune"})

    assert "Google Books is unavailable" in state.search_error
    assert state.results == []
    assert state.searching is False


async def test_import_needs_price_beside_field(
    engine, session, admin_cookie, google_books_settings
):
    state = _page(admin_cookie)
    await _run(AdminGoogleImportState.search, state, {"query": f"isbn:{ANNIHILATION}"})
    volume_id = state.results[0].volume_id
    AdminGoogleImportState.toggle.fn(state, volume_id, True)
    AdminGoogleImportState.set_stock.fn(state, volume_id, "-2")

    await _run(AdminGoogleImportState.import_selected, state)

    row = state.results[0]
    assert "enter the price" in row.price_error
    assert "not a whole number" in row.stock_error
    assert _books(session) == 0


async def test_import_creates_then_updates(
    engine, session, admin_cookie, google_books_settings
):
    state = _page(admin_cookie)
    await _run(AdminGoogleImportState.search, state, {"query": f"isbn:{ANNIHILATION}"})
    volume_id = state.results[0].volume_id
    AdminGoogleImportState.toggle.fn(state, volume_id, True)
    AdminGoogleImportState.set_price.fn(state, volume_id, "15.5")
    AdminGoogleImportState.set_stock.fn(state, volume_id, "7")

    await _run(AdminGoogleImportState.import_selected, state)

    book = session.execute(select(Book).where(Book.isbn13 == ANNIHILATION)).scalar_one()
    assert book.price == Decimal("15.50")
    assert book.stock_on_hand == 7
    row = state.results[0]
    assert row.outcome == f"Created book {book.id}"
    assert row.in_catalog is True
    assert row.selected is False
    assert state.import_summary == "1 created, 0 updated, 0 not imported"

    # Importing again with empty fields updates the book and keeps its price.
    AdminGoogleImportState.toggle.fn(state, volume_id, True)
    AdminGoogleImportState.set_price.fn(state, volume_id, "")
    AdminGoogleImportState.set_stock.fn(state, volume_id, "")
    await _run(AdminGoogleImportState.import_selected, state)

    assert _books(session) == 1
    session.expire_all()
    book = session.get(Book, book.id)
    assert book.price == Decimal("15.50")
    assert book.stock_on_hand == 7
    assert state.import_summary == "0 created, 1 updated, 0 not imported"


def test_start_bulk_names_invalid_fields(engine, admin_cookie):
    state = _page(admin_cookie)

    AdminGoogleImportState.start_bulk.fn(
        state, {"isbns": "", "bulk_price": "1.999", "bulk_stock": "x"}
    )

    assert set(state.bulk_errors) == {"isbns", "price", "stock"}
    assert state.bulk_running is False


def test_start_bulk_query_mode_names_query(engine, admin_cookie):
    state = _page(admin_cookie)
    AdminGoogleImportState.set_bulk_mode.fn(state, "query")

    AdminGoogleImportState.start_bulk.fn(state, {"bulk_query": " "})

    assert set(state.bulk_errors) == {"query"}


async def test_bulk_runs_with_progress(
    engine, session, admin_cookie, google_books_settings
):
    state = _page(admin_cookie)
    AdminGoogleImportState.start_bulk.fn(
        state,
        {"isbns": f"{ANNIHILATION}\n0316452505\n123", "bulk_price": "9.00"},
    )
    assert state.bulk_running is True
    assert state.bulk_total == 3

    await _run(AdminGoogleImportState.run_bulk, state)

    assert state.bulk_running is False
    assert state.bulk_done == 3
    assert state.bulk_percent == 100
    assert [row.outcome for row in state.bulk_rows] == ["created", "created", "failed"]
    assert state.bulk_summary == "2 created, 0 updated, 0 skipped, 1 failed"
    assert _books(session) == 2


async def test_handlers_reject_shopper(
    engine, session, shopper_cookie, google_books_settings
):
    state = _page(shopper_cookie)

    updates = await _run(AdminGoogleImportState.search, state, {"query": "dune"})
    assert _redirect_path(updates[0]).startswith("/login?")
    assert google_books_settings.request_count == 0

    for handler, args in [
        (AdminGoogleImportState.toggle, ("x", True)),
        (AdminGoogleImportState.toggle_all, (True,)),
        (AdminGoogleImportState.set_price, ("x", "1")),
        (AdminGoogleImportState.set_stock, ("x", "1")),
        (AdminGoogleImportState.set_language, ("en",)),
        (AdminGoogleImportState.set_bulk_mode, ("query",)),
        (AdminGoogleImportState.start_bulk, ({"isbns": ANNIHILATION},)),
    ]:
        assert _redirect_path(handler.fn(state, *args)).startswith("/login?")
    updates = await _run(AdminGoogleImportState.import_selected, state)
    assert _redirect_path(updates[0]).startswith("/login?")
    assert state.bulk_running is False


async def test_run_bulk_rejects_anonymous(engine, google_books_settings):
    state = _page("")
    state._bulk_request = object()
    state.bulk_running = True

    await _run(AdminGoogleImportState.run_bulk, state)

    assert state.bulk_running is False
    assert google_books_settings.request_count == 0


@pytest.mark.parametrize(
    ("api_url", "shown"),
    [
        ("https://www.googleapis.com/books/v1", True),
        ("http://127.0.0.1:8765/books/v1", False),
        ("http://books.google.com/books/v1", True),
    ],
)
def test_thumbnail_only_from_configured_hosts(api_url, shown):
    image = "https://books.google.com/books/content?id=x&img=1"
    volume = GoogleVolume(volume_id="x", title="T", image_links={"thumbnail": image})

    assert (thumbnail_url(volume, api_url) == image) is shown
