"""Admin orders in Chromium: a book the admin creates is bought, listed and shipped.

The admin creates a book with a cover. A confirmed shopper, in a browser context of
their own, finds it with the store's search and buys it through the cart and the
checkout with the test card. The admin finds the order in /admin/orders, filters
and exports the list, opens the order and ships it, and the shipping email appears
in the outbox. A second admin tab that still shows the order as paid gets the
workflow's message when it tries to ship it too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from sky_readers.orders.models import Order
from sky_readers.outbox.models import OutboxEmail
from tests.e2e.admin_helpers import (
    cover_file,
    create_admin,
    create_shopper,
    log_in,
    unused_isbn,
)
from tests.e2e.conftest import SCREENSHOT_DIR, HydrationWatcher

TITLE = "Heron Lighthouse Logbook"
PRICE = "24.50"
# 24.50 is below the 35.00 of free shipping, so shipping is 4.99. Tax: 8 % of 24.50.
TOTAL = "$31.45"


@pytest.fixture
def shopper_context(browser: Browser, store_server) -> Iterator[BrowserContext]:
    """A second browser context, so the shopper's cookies stay apart from the admin's."""
    context = browser.new_context(
        base_url=store_server.base_url,
        viewport={"width": 1280, "height": 800},
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _create_book(page: Page, visit, tmp_path) -> int:
    visit("/admin/books/new")
    page.fill("#field-title", TITLE)
    page.fill("#field-authors", "Maren Holt")
    page.fill("#field-isbn", unused_isbn())
    page.fill("#field-price", PRICE)
    page.fill("#field-stock", "4")
    page.fill("#field-description", "A keeper's notes on birds and weather.")
    page.locator("[id^='category-']").first.click()
    page.click("#save-book")
    page.wait_for_url(re.compile(r".*/admin/books/\d+$"))
    book_id = int(page.url.rsplit("/", 1)[1])
    page.set_input_files(
        "#cover-upload input[type=file]", cover_file(tmp_path, "heron.jpg")
    )
    page.click("#upload-cover")
    expect(page.locator("#cover-preview img")).to_have_attribute(
        "src", re.compile(r"/api/covers/files/books/")
    )
    return book_id


def _buy_as_shopper(page: Page, hydration: HydrationWatcher, email: str) -> str:
    log_in(page, hydration, email)

    # The store's search finds the new book.
    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("heron lighthouse")
    box.press("Enter")
    results = page.locator("#search-results")
    expect(results.get_by_text(TITLE)).to_be_visible()
    before = hydration.count
    results.get_by_text(TITLE).click()
    page.wait_for_url(re.compile(r".*/books/\d+$"))
    hydration.wait_beyond(before)

    # Into the cart, through checkout with the test card.
    page.click("#book-add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    before = hydration.count
    page.goto("/checkout")
    hydration.wait_beyond(before)
    expect(page.locator("#checkout-summary")).to_contain_text(TOTAL)
    page.fill("#field-line1", "3 Lantern Quay")
    page.fill("#field-city", "Portland")
    page.fill("#field-region", "ME")
    page.fill("#field-postal_code", "04101")
    page.fill("#field-card_number", "4242 4242 4242 4242")
    page.fill("#field-card_expiry", "12/39")
    page.fill("#field-card_cvc", "123")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/[A-Z]+-\d{4}-\d{6}/?\?placed=1$"))
    expect(page.locator("#order-status")).to_have_text("Paid")
    return page.locator("#order-number").inner_text().removeprefix("Order ").strip()


def _download_csv(page: Page) -> list[dict[str, str]]:
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    assert re.fullmatch(r"orders-\d{8}-\d{6}\.csv", download.suggested_filename)
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    return list(csv.DictReader(io.StringIO(text)))


def test_admin_ships_order_bought_in_store(
    store_server,
    page,
    visit,
    hydration,
    screenshot,
    shopper_context,
    tmp_path,
):
    """Test an order from book creation through purchase to shipping and its mail."""
    # Given an admin who creates a book with a cover.
    log_in(page, hydration, create_admin(store_server))
    _create_book(page, visit, tmp_path)

    # When a shopper finds it in the store and buys it with the test card.
    shopper_email = create_shopper(store_server, name="Wren Reader")
    shopper_page = shopper_context.new_page()
    shopper_errors: list[str] = []
    shopper_page.on("pageerror", lambda exc: shopper_errors.append(str(exc)))
    number = _buy_as_shopper(
        shopper_page, HydrationWatcher(shopper_page), shopper_email
    )
    expect(shopper_page.locator("#order-totals")).to_contain_text(TOTAL)
    shopper_page.close()
    assert shopper_errors == []

    # Then the admin finds it in the order list, newest first, with the same total.
    visit("/admin/orders")
    first_row = page.locator("#orders-table tbody tr").first
    expect(first_row).to_contain_text(number)
    expect(first_row).to_contain_text("Wren Reader")
    expect(first_row).to_contain_text(TOTAL)
    expect(first_row).to_contain_text("Paid")
    screenshot("orders-list")

    # Filtering by customer keeps this order alone, and the export has the same.
    page.fill("#filter-customer", shopper_email)
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r".*/admin/orders\?customer="))
    expect(page.locator("#orders-table tbody tr")).to_have_count(1)
    expect(page.locator("#order-totals-USD")).to_contain_text(TOTAL)
    expect(page.locator("#filter-customer")).to_have_value(shopper_email)
    screenshot("orders-filtered")
    rows = _download_csv(page)
    assert [row["order_number"] for row in rows] == [number]
    assert rows[0]["books"] == f"{TITLE} × 1"
    assert rows[0]["total"] == TOTAL.removeprefix("$")
    assert rows[0]["card_last4"] == "4242"

    # A bad date range is named beside its field and changes nothing.
    page.fill("#filter-from", "2026-05-02")
    page.fill("#filter-to", "2026-05-01")
    page.click("#apply-filters")
    expect(page.locator("#error-to")).to_contain_text("swap them")
    expect(page.locator("#orders-table tbody tr")).to_have_count(1)

    # The order page shows what was bought, where it goes and how it was paid.
    before = hydration.count
    page.locator(f"#order-row-{number} a").click()
    page.wait_for_url(re.compile(rf".*/admin/orders/{number}$"))
    hydration.wait_beyond(before)
    expect(page.locator("#order-status")).to_have_text("Paid")
    expect(page.locator("#order-lines")).to_contain_text(TITLE)
    expect(page.locator("#order-lines")).to_contain_text("$24.50")
    expect(page.locator("#order-totals")).to_contain_text(TOTAL)
    expect(page.locator("#order-customer")).to_contain_text(shopper_email)
    expect(page.locator("#order-address")).to_contain_text("3 Lantern Quay")
    expect(page.locator("#order-card")).to_have_text("Visa ending 4242")
    expect(page.locator("#order-events")).to_contain_text("Pending payment")
    expect(page.locator("#action-shipped")).to_be_visible()
    expect(page.locator("#action-cancelled")).to_be_visible()
    screenshot("order-detail")

    # A second admin tab opened now still shows the order as paid.
    stale = page.context.new_page()
    stale_hydration = HydrationWatcher(stale)
    stale.goto(f"/admin/orders/{number}")
    stale_hydration.wait_beyond(0)
    expect(stale.locator("#order-status")).to_have_text("Paid")

    # Cancelling asks first; keeping the order changes nothing.
    page.click("#action-cancelled")
    expect(page.locator("#action-dialog")).to_contain_text("cannot be undone")
    page.click("#dismiss-action")
    expect(page.locator("#action-dialog")).to_have_count(0)
    expect(page.locator("#order-status")).to_have_text("Paid")

    # Shipping with a tracking link moves the order and queues the mail.
    page.click("#action-shipped")
    page.fill("#field-tracking_url", "https://track.example/HERON1")
    screenshot("ship-dialog")
    page.click("#confirm-action")
    expect(page.locator("#order-status")).to_have_text("Shipped")
    expect(page.locator("#action-delivered")).to_be_visible()
    expect(page.locator("#action-shipped")).to_have_count(0)
    expect(page.locator("#order-events")).to_contain_text("Admin Olive Admin")
    screenshot("order-shipped")

    # The stale tab gets the workflow's message and then shows the order as it is.
    stale.click("#action-shipped")
    stale.click("#confirm-action")
    expect(stale.locator("#transition-error")).to_contain_text(
        f"Order {number} is shipped and cannot become shipped"
    )
    expect(stale.locator("#order-status")).to_have_text("Shipped")
    stale.screenshot(
        path=str(SCREENSHOT_DIR / "test_admin_ships_order_bought_in_store--stale.png"),
        full_page=True,
    )
    stale.close()

    # The shipping email is in the outbox for the shopper.
    visit("/admin/outbox")
    mail_row = page.locator("tr", has_text=shopper_email).filter(
        has_text=f"order {number} has shipped"
    )
    expect(mail_row).to_have_count(1)
    screenshot("outbox")
    with store_server.session() as session:
        order = session.exec(select(Order).where(Order.number == number)).one()
        mail = session.exec(
            select(OutboxEmail).where(
                OutboxEmail.dedupe_key == f"order:{order.id}:shipped"
            )
        ).one()
    assert order.status == "shipped"
    assert order.total == Decimal(TOTAL.removeprefix("$"))
    assert mail.to_address == shopper_email
    assert "https://track.example/HERON1" in mail.text_body

    # The dashboard's revenue leads to the list of the same orders, same sum.
    visit("/admin")
    revenue = page.locator("#revenue-30").inner_text()
    page.locator("#revenue-30").click()
    page.wait_for_url(re.compile(r".*/admin/orders\?status=paid"))
    expect(page.locator("#paid-total-USD")).to_have_text(revenue)
    expect(page.locator(f"#order-row-{number}")).to_be_visible()


def test_admin_order_pages_need_admin(store_server, page):
    """Test that a visitor opening the order pages is sent to the login page."""
    for path in ("/admin/orders", "/admin/orders/SRH-2026-000001"):
        page.goto(path)
        page.wait_for_url("**/login?**")
        expect(page.locator("#login-form")).to_be_visible()


def test_order_export_needs_admin(store_server):
    """Test that the CSV export rejects a request without a login with 401."""
    response = httpx.get(store_server.url("/api/admin/orders/export.csv"), timeout=10)

    assert response.status_code == 401
