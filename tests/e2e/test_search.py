"""Catalog search in Chromium: suggestions, a misspelt search, a filter, a result."""

from __future__ import annotations

import re

from playwright.sync_api import expect

CHRISTIE_BOOKS = ["And Then There Were None", "Murder on the Orient Express"]


def test_header_box_suggests_authors_and_titles(visit, page, screenshot):
    """Test that typing in the header box lists matching authors and titles."""
    visit("/")

    box = page.get_by_role("combobox", name="Search the catalog")
    box.click()
    box.press_sequentially("agatha chr", delay=40)

    suggestions = page.locator("#search-suggestions")
    expect(suggestions).to_be_visible()
    author = suggestions.locator(".search-suggestion[data-kind='author']").first
    expect(author).to_contain_text("Agatha Christie")
    titles = suggestions.locator(".search-suggestion[data-kind='title']")
    expect(titles.first).to_be_visible()
    screenshot("search-suggestions")

    author.click()
    expect(page).to_have_url(re.compile(r"/catalog/search\?q=Agatha\+Christie$"))
    for title in CHRISTIE_BOOKS:
        expect(page.locator("#search-results").get_by_text(title)).to_be_visible()


def test_typo_search_filter_and_open_result(visit, page, screenshot):
    """Test a misspelt search, then a category filter, then opening the result."""
    visit("/about")

    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("agatha cristie")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/catalog/search\?q=agatha\+cristie$"))
    expect(page.locator("#did-you-mean")).to_contain_text("agatha christie")
    results = page.locator("#search-results")
    for title in CHRISTIE_BOOKS:
        expect(results.get_by_text(title)).to_be_visible()
    expect(page.locator("#results-total")).to_have_text("2 books")
    screenshot("search-typo-results")

    page.locator("#filter-category").click()
    page.get_by_role("option", name="Classics").click()

    expect(page).to_have_url(re.compile(r"category=classics"))
    expect(page.locator("#results-total")).to_have_text("1 book")
    expect(results.get_by_text("Murder on the Orient Express")).to_have_count(0)
    screenshot("search-filtered")

    page.reload()
    expect(page.locator("#results-total")).to_have_text("1 book")
    expect(page.locator("#filter-category")).to_contain_text("Classics")

    results.get_by_text("And Then There Were None").click()
    expect(page).to_have_url(re.compile(r"/books/\d+$"))
    expect(
        page.get_by_role("heading", name="And Then There Were None", level=1)
    ).to_be_visible()


def test_results_page_reports_invalid_parameter(visit, page):
    """Test that a results link with a bad value names it instead of failing."""
    visit("/catalog/search?q=dune&page_size=500")

    expect(page.locator("#search-errors")).to_contain_text("page_size")
    expect(page.locator("#search-results")).to_have_count(0)


def test_results_page_sorts_by_price(visit, page):
    """Test that the sort choice reorders the results and stays in the address."""
    visit("/catalog/search?q=agatha+christie")
    expect(page.locator("#results-total")).to_have_text("2 books")

    page.locator("#sort").get_by_role("combobox").click()
    page.get_by_role("option", name="Price, low to high").click()

    expect(page).to_have_url(re.compile(r"sort=price"))
    cards = page.locator("#search-results .book-card")
    expect(cards.first).to_contain_text("Murder on the Orient Express")
