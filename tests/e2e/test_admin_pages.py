"""Admin pages in Chromium: a book created with a cover upload reaches the store.

The admin logs in, checks the dashboard and creates a book, first with invalid
fields, then with valid ones. A rejected file and then a real cover are uploaded, and
the book is found in the store's search with its cover. The categories, import and
users pages are used too.
Every admin page is saved as a screenshot in test-results/screenshots/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from sky_readers.catalog.goodbooks import BOOK_COLUMNS
from sky_readers.catalog.search_index import refresh_search_index
from tests.e2e.admin_helpers import cover_file, create_admin, log_in, unused_isbn

TITLE = "Moonlit Cartography Atlas"


@pytest.fixture(scope="module", autouse=True)
def search_index(store_server):
    """Index every book of the starter catalog."""
    with store_server.session() as session:
        refresh_search_index(session)
        session.commit()


@pytest.fixture
def admin_page(store_server, page, hydration):
    """A page logged in as a new admin."""
    log_in(page, hydration, create_admin(store_server))
    return page


def _image_loaded(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "img => img.complete && img.naturalWidth > 0"
    )


def test_admin_creates_book_with_cover(
    store_server, admin_page, visit, screenshot, tmp_path
):
    """Test that a book created with a cover shows it in the store's search."""
    page = admin_page

    # The dashboard shows its figures and the sales chart.
    visit("/admin")
    expect(page.locator("#revenue-30")).to_be_visible()
    expect(page.locator("#sales-chart").get_by_role("application")).to_be_visible()
    expect(page.locator("#orders-by-state")).to_contain_text("Shipped")
    screenshot("dashboard")

    # An invalid form shows a message beside each wrong field and saves nothing.
    visit("/admin/books/new")
    page.fill("#field-isbn", "978-0-441-47812-4")
    page.fill("#field-price", "1.234")
    page.fill("#field-stock", "-1")
    page.click("#save-book")
    expect(page.locator("#error-title")).to_have_text("Title is required.")
    expect(page.locator("#error-authors")).to_contain_text("At least one author")
    expect(page.locator("#error-isbn")).to_contain_text("check digit should be 5")
    expect(page.locator("#error-price")).to_contain_text("too many decimals")
    expect(page.locator("#error-stock")).to_contain_text("0 or more")
    screenshot("book-form-errors")

    # A valid form creates the book and opens its edit page.
    page.fill("#field-title", TITLE)
    page.fill("#field-authors", "Ilse Verbeek")
    page.fill("#field-isbn", unused_isbn())
    page.fill("#field-price", "18.50")
    page.fill("#field-stock", "7")
    page.fill("#field-description", "Maps of the night sky, drawn by hand.")
    page.locator("[id^='category-']").first.click()
    page.click("#save-book")
    page.wait_for_url(re.compile(r".*/admin/books/\d+$"))
    book_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#stock-log")).to_contain_text("0 → 7")

    # A file that is not an image is rejected with a clear message.
    fake = tmp_path / "not-a-cover.png"
    fake.write_text("this is text, not a picture")
    page.set_input_files("#cover-upload input[type=file]", str(fake))
    page.click("#upload-cover")
    expect(page.locator("#error-cover")).to_contain_text("not a JPEG, PNG or WebP")

    # A real image replaces the placeholder.
    page.set_input_files("#cover-upload input[type=file]", cover_file(tmp_path))
    expect(page.locator("#selected-cover")).to_contain_text("moonlit-cover.jpg")
    page.click("#upload-cover")
    preview = page.locator("#cover-preview img")
    expect(preview).to_have_attribute("src", re.compile(r"/api/covers/files/books/"))
    expect(page.locator("#error-cover")).to_have_count(0)
    page.wait_for_function(
        "() => { const i = document.querySelector('#cover-preview img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    screenshot("book-form-with-cover")

    # The store's search finds the book, with the uploaded thumbnail.
    visit("/catalog/search?q=moonlit+cartography")
    card = page.locator("#search-results").get_by_text(TITLE)
    expect(card).to_be_visible()
    thumb = page.locator(f"#search-results img[alt='Cover of {TITLE}']")
    expect(thumb).to_have_attribute("src", re.compile(r"-thumb\.webp$"))
    page.wait_for_function(
        "alt => { const i = document.querySelector(`img[alt='${alt}']`);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=f"Cover of {TITLE}",
    )
    screenshot("store-search-result")

    # The book page shows the large cover.
    visit(f"/books/{book_id}")
    large = page.locator(f"img[alt='Cover of {TITLE}']").first
    expect(large).to_have_attribute("src", re.compile(r"-large\.webp$"))
    screenshot("store-book-page")

    # The admin table finds it too, with its thumbnail.
    visit("/admin/books")
    page.fill("#admin-book-search", "moonlit")
    page.keyboard.press("Enter")
    row = page.locator(f"#admin-book-{book_id}")
    expect(row).to_contain_text(TITLE)
    expect(row.locator("img")).to_have_attribute("src", re.compile(r"-thumb\.webp$"))
    screenshot("books-table")


def test_admin_renames_category_and_old_link_redirects(
    store_server, admin_page, visit, screenshot
):
    """Test that a renamed category's old address leads to the new one."""
    page = admin_page
    suffix = uuid.uuid4().hex[:6]
    visit("/admin/categories")
    page.fill("#field-name", f"Night Atlases {suffix}")
    page.click("#create-category")
    old_slug = f"night-atlases-{suffix}"
    expect(page.locator(f"#category-row-{old_slug}")).to_be_visible()

    page.click(f"#rename-{old_slug}")
    page.fill("#rename-name", f"Star Atlases {suffix}")
    page.click("#save-rename")
    new_slug = f"star-atlases-{suffix}"
    row = page.locator(f"#category-row-{new_slug}")
    expect(row).to_contain_text(old_slug)
    screenshot("categories")

    page.goto(f"/categories/{old_slug}")
    page.wait_for_url(re.compile(rf".*/categories/{new_slug}$"))
    expect(page.get_by_role("heading", name=f"Star Atlases {suffix}")).to_be_visible()


def test_admin_imports_goodbooks_csv(
    store_server, admin_page, visit, screenshot, tmp_path
):
    """Test that an uploaded books.csv is imported with a progress bar and summary."""
    page = admin_page
    books = tmp_path / "books.csv"
    rows = [
        ",".join(BOOK_COLUMNS),
        "90001,80001,,,Ada Quill,2001.0,The Copper Orchard,eng,4.10,1200",
        "90002,80002,,,Ben Marlow,1999.0,Salt and Lanterns,eng,3.90,800",
        "90003,80003,,,Cora Vale,2015.0,,eng,4.00,10",
    ]
    books.write_text("\n".join(rows) + "\n", encoding="utf-8")

    visit("/admin/import")
    expect(page.locator("#google-import-link")).to_have_attribute(
        "href", "/admin/import/google"
    )
    page.set_input_files("#goodbooks-upload input[type=file]", str(books))
    page.click("#start-import")
    summary = page.locator("#import-summary")
    expect(summary).to_be_visible(timeout=60_000)
    expect(summary).to_contain_text("Rows read")
    expect(summary.locator("tr").filter(has_text="Rows read")).to_contain_text("3")
    expect(summary.locator("tr").filter(has_text="Books created")).to_contain_text("2")
    expect(page.locator("#import-skipped")).to_contain_text("missing title")
    expect(page.locator("#import-progress")).to_be_visible()
    screenshot("import")


def test_admin_users_page(store_server, admin_page, visit, screenshot):
    """Test that the users page lists accounts with their roles."""
    page = admin_page
    visit("/admin/users")
    expect(page.locator("#users-table")).to_contain_text("Olive Admin")
    expect(page.locator("#users-table")).to_contain_text("Admin")
    screenshot("users")


def test_admin_pages_need_admin(store_server, page):
    """Test that a visitor opening an admin page is sent to the login page."""
    for path in ("/admin", "/admin/books", "/admin/categories", "/admin/users"):
        page.goto(path)
        page.wait_for_url("**/login?**")
        expect(page.locator("#login-form")).to_be_visible()
