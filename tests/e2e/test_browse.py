"""Browsing the production store in Chromium: home, category pages, book and author."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.catalog.models import Book
from tests.catalog.builders import add_author, add_book, add_category

PHONE = {"width": 390, "height": 844}
DUNE_ISBN13 = "9780340839935"


@pytest.fixture(scope="module")
def paged_shelf(store_server):
    """A category of 30 books with distinct prices, so its list has two pages."""
    name = f"Shelf {uuid.uuid4().hex[:8]}"
    with store_server.session() as session:
        category = add_category(session, name, "Thirty books for paging through.")
        author = add_author(session, f"Pager Writer {uuid.uuid4().hex[:6]}")
        for number in range(30):
            add_book(
                session,
                f"Paging Volume {number:02d}",
                authors=[author],
                categories=[category],
                price=f"{30 - number}.00",
                stock_on_hand=10,
            )
        slug = category.slug
    return {"name": name, "slug": slug}


@pytest.fixture(scope="module")
def dune_id(store_server):
    """Id of Dune in the starter catalog."""
    with store_server.session() as session:
        book_id = session.exec(select(Book.id).where(Book.isbn13 == DUNE_ISBN13)).one()
    return book_id


def test_home_shows_shelves_and_categories(visit, page, screenshot):
    """Test that the home page shows book shelves and leads to a category."""
    visit("/")

    expect(page.get_by_role("heading", name="Readers' favourites")).to_be_visible()
    expect(page.locator("#featured .book-card").first).to_be_visible()
    expect(page.locator("#best-rated .book-card").first).to_be_visible()
    expect(page.locator("#new-arrivals .book-card").first).to_be_visible()
    cover = page.locator("#featured .book-card img").first
    expect(cover).to_have_attribute("src", re.compile(r"/api/covers/\d+\.svg\?v="))
    screenshot("home-desktop")

    page.locator("#categories").get_by_role(
        "link", name=re.compile("^Classics")
    ).click()

    expect(page).to_have_url(re.compile(r"/categories/classics$"))
    expect(page.get_by_role("heading", name="Classics", level=1)).to_be_visible()


def test_cover_images_load(visit, page):
    """Test that the first covers on the home page load as images, none broken."""
    visit("/")
    covers = page.locator("#featured .book-card img")
    expect(covers.first).to_be_visible()

    page.wait_for_function(
        "() => [...document.querySelectorAll('#featured img[loading=eager]')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    widths = covers.evaluate_all("imgs => imgs.map(img => img.getAttribute('width'))")
    assert set(widths) == {"200"}


def test_category_pages_forward_and_sorts(visit, page, paged_shelf, screenshot):
    """Test that a category pages forward and sorts, with both kept in the URL."""
    slug = paged_shelf["slug"]
    visit(f"/categories/{slug}")
    heading = page.get_by_role("heading", name=paged_shelf["name"], level=1)
    expect(heading).to_be_visible()
    expect(page.get_by_text("30 books")).to_be_visible()
    expect(page.locator(".book-grid .book-card")).to_have_count(24)

    page.locator("#pagination").get_by_role("link", name="Next").click()

    expect(page).to_have_url(re.compile(rf"/categories/{slug}\?page=2$"))
    expect(page.locator(".book-grid .book-card")).to_have_count(6)
    screenshot("category-page-2")

    page.locator("#sort").get_by_role("combobox").click()
    page.get_by_role("option", name="Price, low to high").click()

    expect(page).to_have_url(re.compile(rf"/categories/{slug}\?sort=price$"))
    first = page.locator(".book-grid .book-card").first
    expect(first).to_contain_text("Paging Volume 29")
    expect(first).to_contain_text("$1.00")

    visit(f"/categories/{slug}?sort=price&page=2")
    expect(page.locator(".book-grid .book-card")).to_have_count(6)
    expect(page.locator(".book-grid .book-card").last).to_contain_text("$30.00")


def test_book_page_shows_details(visit, page, dune_id, screenshot):
    """Test that a book page shows title, author link, price, ISBNs and availability."""
    visit(f"/books/{dune_id}")

    expect(page.locator("#book-title")).to_have_text("Dune")
    author = page.locator("#book-authors").get_by_role("link", name="Frank Herbert")
    expect(author).to_have_attribute("href", "/authors/frank-herbert")
    expect(page.locator("#book-price")).to_have_text("$10.99")
    expect(page.locator("#book-availability")).to_have_text(
        re.compile(r"In stock|Only \d+ left")
    )
    facts = page.locator("#book-facts")
    expect(facts).to_contain_text(DUNE_ISBN13)
    expect(facts).to_contain_text("0340839937")
    expect(facts).to_contain_text("1965")
    expect(facts).to_contain_text("English")
    expect(page).to_have_title(re.compile(r"^Dune · "))
    screenshot("book-desktop")

    author.click()

    expect(page).to_have_url(re.compile(r"/authors/frank-herbert$"))
    expect(page.get_by_role("heading", name="Frank Herbert", level=1)).to_be_visible()
    expect(page.locator(".book-grid .book-card").first).to_contain_text("Dune")


def test_book_page_on_phone(visit, page, dune_id, screenshot):
    """Test that the book page fits a phone screen without sideways scrolling."""
    page.set_viewport_size(PHONE)
    visit(f"/books/{dune_id}")
    expect(page.locator("#book-title")).to_have_text("Dune")

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]
    screenshot("book-phone")


def test_home_page_on_phone(visit, page, screenshot):
    """Test that the home page fits a phone and keeps the search box in view."""
    page.set_viewport_size(PHONE)
    visit("/")
    expect(page.locator("#featured .book-card").first).to_be_visible()

    expect(page.get_by_role("combobox", name="Search the catalog")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("home-phone")


def test_categories_menu_opens_category(visit, page):
    """Test that the header's categories menu leads to the chosen category."""
    visit("/about")

    page.get_by_role("button", name="Categories").click()
    page.get_by_role("menuitem", name="Horror").click()

    expect(page).to_have_url(re.compile(r"/categories/horror$"))
    expect(page.get_by_role("heading", name="Horror", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Horror · "))


def test_unknown_book_shows_not_found(visit, page, screenshot):
    """Test that an unknown book id shows the not-found message with a link home."""
    visit("/books/987654321")

    expect(page.get_by_role("heading", name="Book not found")).to_be_visible()
    screenshot("book-not-found")

    page.get_by_role("link", name="Back to the home page").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Readers' favourites")).to_be_visible()


def test_unknown_category_and_author_show_not_found(visit, page):
    """Test that unknown category and author slugs show their not-found messages."""
    visit("/categories/no-such-shelf")
    expect(page.get_by_role("heading", name="Category not found")).to_be_visible()

    visit("/authors/no-such-writer")
    expect(page.get_by_role("heading", name="Author not found")).to_be_visible()


@pytest.mark.allow_console_errors(r"status of 404")
def test_unknown_route_is_http_404(visit, page):
    """Test that an unknown address answers HTTP 404 with the store's page."""
    visit("/no-such-page/at-all", expect_status=404)

    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()


def test_header_search_goes_to_results_address(visit, page):
    """Test that the header search box sends the words to /catalog/search?q=."""
    visit("/about")
    expect(page.get_by_role("heading", name="About Sky Readers Haven")).to_be_visible()
    expect(page.get_by_text("Zygmunt Zając").first).to_be_visible()

    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("dune & sand")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/catalog/search\?q=dune\+%26\+sand$"))
