"""Cart and checkout in Chromium: a visitor's cart, login merge, card checkout."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.accounts.models import User
from sky_readers.accounts.passwords import hash_password
from sky_readers.catalog.models import Book
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order, OrderStatus
from sky_readers.outbox.models import OutboxEmail
from tests.catalog.builders import add_author, add_book, add_category
from tests.e2e.conftest import log_in

PASSWORD = "quiet library afternoon"


@pytest.fixture(scope="module")
def shelf(store_server):
    """A category with two books of known price and stock."""
    suffix = uuid.uuid4().hex[:6]
    with store_server.session() as session:
        category = add_category(session, f"Checkout Shelf {suffix}")
        author = add_author(session, f"Cart Writer {suffix}")
        first = add_book(
            session,
            f"Harbour Lights {suffix}",
            authors=[author],
            categories=[category],
            price="12.99",
            stock_on_hand=5,
        )
        second = add_book(
            session,
            f"Quiet Tides {suffix}",
            authors=[author],
            categories=[category],
            price="8.49",
            stock_on_hand=5,
        )
        return {
            "slug": category.slug,
            "first": (first.id, first.title),
            "second": (second.id, second.title),
        }


@pytest.fixture
def shopper(store_server):
    """A confirmed shopper account."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    with store_server.session() as session:
        user = User(
            email=email,
            name="Bea Buyer",
            password_hash=hash_password(PASSWORD),
            role="shopper",
            email_confirmed_at=utcnow(),
        )
        session.add(user)
    return email


def test_visitor_cart_login_merge_and_card_checkout(
    store_server, page, visit, hydration, screenshot, shelf, shopper
):
    """Test the whole purchase: cart as visitor, merge at login, card checkout."""
    first_id, first_title = shelf["first"]
    second_id, second_title = shelf["second"]

    # Given a visitor who adds one book from its card and two of another from its page.
    visit(f"/categories/{shelf['slug']}")
    card = page.locator(".book-grid > *").filter(has_text=first_title)
    card.locator(".add-to-cart").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    screenshot("category-cards")
    visit(f"/books/{second_id}")
    page.locator("#book-quantity").click()
    page.get_by_role("option", name="2", exact=True).click()
    page.click("#book-add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("3")
    screenshot("book-page")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sky_cart"]["httpOnly"] is True

    visit("/cart")
    expect(page.locator(".cart-line")).to_have_count(2)
    expect(page.locator("#login-to-checkout")).to_be_visible()
    screenshot("visitor-cart")

    # When the visitor logs in, the cart joins the account's cart.
    log_in(page, hydration, shopper, PASSWORD, next_path="/cart")
    expect(page.locator("#merge-notices")).to_contain_text("before logging in")
    expect(page.locator(".cart-line")).to_have_count(2)
    expect(page.locator("#cart-count")).to_have_text("3")
    # 12.99 + 2 x 8.49 = 29.97; shipping 4.99; tax 8 % of 29.97 = 2.3976 -> 2.40.
    expect(page.locator("#summary-subtotal")).to_have_text("$29.97")
    expect(page.locator("#summary-total")).to_have_text("$37.36")
    screenshot("merged-cart")

    # Then checkout: a declined card shows why, and a good card places the order.
    before = hydration.count
    page.click("#go-to-checkout")
    page.wait_for_url(re.compile(r"/checkout/?$"))
    hydration.wait_beyond(before)
    expect(page.locator("#checkout-summary")).to_contain_text("$37.36")
    expect(page.locator("#test-cards")).to_contain_text("4242 4242 4242 4242")
    page.fill("#field-line1", "12 Harbour Street")
    page.fill("#field-city", "Portland")
    page.fill("#field-region", "ME")
    page.fill("#field-postal_code", "0410")
    page.fill("#field-card_number", "4000 0000 0000 0002")
    page.fill("#field-card_expiry", "12/39")
    page.fill("#field-card_cvc", "123")
    page.click("#place-order")
    expect(page.locator("#postal_code-error")).to_contain_text("5 digits")
    page.fill("#field-postal_code", "04101")
    page.click("#place-order")
    expect(page.locator("#checkout-error")).to_contain_text("declined")
    screenshot("checkout-declined")
    with store_server.session() as session:
        stock = session.exec(
            select(Book.stock_on_hand).where(Book.id == second_id)
        ).one()
    assert stock == 5

    page.fill("#field-card_number", "4242 4242 4242 4242")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/[A-Z]+-\d{4}-\d{6}/?\?placed=1$"))
    expect(page.locator("#order-confirmation")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("Paid")
    expect(page.locator("#order-totals")).to_contain_text("$37.36")
    expect(page.locator("#order-payment")).to_have_text("Visa ending 4242")
    expect(page.locator("#cart-count")).to_have_count(0)
    screenshot("confirmation")
    number = page.locator("#order-number").inner_text().removeprefix("Order ").strip()

    # And the order is in the history, on the dashboard and in the outbox.
    visit("/orders")
    expect(page.locator("#order-history")).to_contain_text(number)
    screenshot("history")
    visit("/account")
    expect(page.locator("#recent-orders")).to_contain_text(number)
    with store_server.session() as session:
        order = session.exec(select(Order).where(Order.number == number)).one()
        assert order.status == OrderStatus.PAID.value
        assert order.total == Decimal("37.36")
        mail = session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == shopper)
            .where(OutboxEmail.kind == "order_placed")
        ).one()
        stocks = dict(
            session.exec(
                select(Book.id, Book.stock_on_hand).where(
                    Book.id.in_([first_id, second_id])
                )
            ).all()
        )
    assert number in mail.subject
    assert "Total:    $37.36" in mail.text_body
    assert stocks == {first_id: 4, second_id: 3}


def test_cancel_order_from_its_page(
    store_server, page, visit, hydration, screenshot, shelf, shopper
):
    """Test that a shopper cancels an unshipped order and the stock comes back."""
    first_id, _title = shelf["first"]
    log_in(page, hydration, shopper, PASSWORD)
    visit(f"/books/{first_id}")
    page.click("#book-add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    with store_server.session() as session:
        stock_before = session.exec(
            select(Book.stock_on_hand).where(Book.id == first_id)
        ).one()

    visit("/checkout")
    page.fill("#field-line1", "1 Quay Road")
    page.fill("#field-city", "Portland")
    page.fill("#field-region", "ME")
    page.fill("#field-postal_code", "04101")
    page.click("#pay-delivery")
    expect(page.locator("#field-card_number")).to_have_count(0)
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/.+\?placed=1$"))
    expect(page.locator("#order-status")).to_have_text("Pending payment")

    page.click("#cancel-order")
    page.click("#confirm-cancel")
    expect(page.locator("#order-status")).to_have_text("Cancelled")
    expect(page.locator("#cancel-order")).to_have_count(0)
    screenshot("cancelled")
    with store_server.session() as session:
        stock_after = session.exec(
            select(Book.stock_on_hand).where(Book.id == first_id)
        ).one()
    assert stock_after == stock_before
