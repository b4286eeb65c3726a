"""Admin Google Books import in Chromium, against the fake Google Books server."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.catalog.models import Book

PASSWORD = "quiet library afternoon"
ANNIHILATION = "9780374104092"
ANNIHILATION_VOLUME = "2cl7AgAAQBAJ"
CHILDREN_OF_TIME_10 = "0316452505"


@pytest.fixture
def google_fake(fake_google_books):
    """The fake Google Books server of the session; skip without the recordings."""
    if fake_google_books is None:
        pytest.skip("recorded Google Books responses not found: set SHARED_DATA_DIR")
    return fake_google_books


def _log_in_as_admin(store_server, page, visit, hydration) -> None:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.test"
    store_server.run_cli(
        "users", "create-admin", "--email", email, "--name", "Ida Importer",
        input=PASSWORD + "\n",
    )  # fmt: skip
    visit("/login")
    page.fill("#field-username", email)
    page.fill("#field-password", PASSWORD)
    before = hydration.count
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/account/?$"))
    hydration.wait_beyond(before)


def test_admin_import_makes_book_searchable(
    store_server, google_fake, page, visit, hydration, screenshot
):
    """Test that a book imported from Google Books is found by a misspelt search."""
    _log_in_as_admin(store_server, page, visit, hydration)
    visit("/admin/import/google")

    # Given the preview of a volume the catalog does not have.
    page.fill("#google-query", f"isbn:{ANNIHILATION}")
    page.click("#google-search")
    row = page.locator(f"#volume-{ANNIHILATION_VOLUME}")
    expect(row).to_contain_text("Annihilation")
    expect(row).to_contain_text("Jeff VanderMeer")
    expect(row).to_have_attribute("data-in-catalog", "false")

    # When the admin imports it without a price, the price field shows why.
    page.click(f"#select-{ANNIHILATION_VOLUME}")
    page.click("#import-selected")
    price_error = page.locator(f"#price-error-{ANNIHILATION_VOLUME}")
    expect(price_error).to_contain_text("enter the price")
    screenshot("price-required")

    # And with a price and stock, the book is created.
    page.fill(f"#price-{ANNIHILATION_VOLUME}", "14.99")
    page.fill(f"#stock-{ANNIHILATION_VOLUME}", "5")
    page.click("#import-selected")
    expect(page.locator(f"#outcome-{ANNIHILATION_VOLUME}")).to_contain_text(
        "Created book"
    )
    expect(row).to_have_attribute("data-in-catalog", "true")
    expect(page.locator("#import-summary")).to_contain_text("1 created")
    screenshot("imported")
    with store_server.session() as session:
        book = session.exec(select(Book).where(Book.isbn13 == ANNIHILATION)).one()
        assert str(book.price) == "14.99"
        assert book.stock_on_hand == 5

    # Then a shopper's misspelt search finds it, and its page opens.
    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("anihilation")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog/search\?q=anihilation$"))
    results = page.locator("#search-results")
    expect(results.get_by_text("Annihilation", exact=True)).to_be_visible()
    screenshot("found-by-search")
    results.get_by_text("Annihilation", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/books/{book.id}$"))
    expect(page.get_by_role("heading", name="Annihilation", level=1)).to_be_visible()


def test_admin_bulk_import_progress_and_summary(
    store_server, google_fake, page, visit, hydration, screenshot
):
    """Test that a pasted ISBN list imports with a progress bar and a summary."""
    _log_in_as_admin(store_server, page, visit, hydration)
    visit("/admin/import/google")

    page.fill("#bulk-isbns", f"{CHILDREN_OF_TIME_10}\n12345")
    page.fill("#bulk-price", "9.50")
    page.click("#bulk-start")

    expect(page.locator("#bulk-summary")).to_contain_text(
        "1 created, 0 updated, 0 skipped, 1 failed"
    )
    expect(page.locator("#bulk-progress-label")).to_have_text("2 of 2")
    report = page.locator("#bulk-report")
    expect(report).to_contain_text("Children of Time")
    expect(report).to_contain_text("not a valid ISBN")
    screenshot("bulk-summary")


def test_bulk_form_names_invalid_fields(
    store_server, google_fake, page, visit, hydration
):
    """Test that bad bulk input is reported beside each field and nothing starts."""
    _log_in_as_admin(store_server, page, visit, hydration)
    visit("/admin/import/google")
    requests_before = google_fake.request_count

    page.fill("#bulk-price", "12.345")
    page.fill("#bulk-stock", "-3")
    page.click("#bulk-start")

    expect(page.locator("#bulk-isbns-error")).to_contain_text("is required")
    expect(page.locator("#bulk-price-error")).to_contain_text("too many decimals")
    expect(page.locator("#bulk-stock-error")).to_contain_text("out of range")
    expect(page.locator("#bulk-summary")).to_have_count(0)
    assert google_fake.request_count == requests_before


def test_google_import_page_needs_admin(store_server, page):
    """Test that an anonymous visitor is sent to the login page."""
    page.goto("/admin/import/google")
    page.wait_for_url("**/login?**")
    expect(page.locator("#login-form")).to_be_visible()
