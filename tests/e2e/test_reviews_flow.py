"""Reviews, wishlist and recommendations in Chromium, as a shopper uses them.

The shopper buys the book through the cart and the checkout with the test card, so
the verified badge of the review comes from a real paid order.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.accounts import services as accounts
from sky_readers.cart.models import Cart, CartItem
from sky_readers.catalog.models import Book
from sky_readers.core.types import utcnow
from sky_readers.orders.models import Order, OrderItem, OrderStatus
from sky_readers.reviews import services as reviews
from tests.catalog.builders import add_book as add_catalog_book
from tests.catalog.builders import add_category
from tests.e2e.conftest import check_out_with_test_card, log_in
from tests.reviews.helpers import add_user

PASSWORD = "quiet library afternoon"


@pytest.fixture(scope="module")
def shelf(store_server):
    """A confirmed shopper, a book to buy, a book to wish for, and readers' reviews.

    Two other readers gave five stars to the bought book and to a third book, so
    the similar-books build ranks that third book first for the bought one.
    """
    tag = uuid.uuid4().hex[:6]
    with store_server.session() as session:
        category = add_category(session, f"Reviewed Shelf {tag}")

        def book(title: str, stock: int):
            return add_catalog_book(
                session,
                f"{title} {tag}",
                categories=[category],
                average_rating="0.00",
                rating_count=0,
                stock_on_hand=stock,
            )

        bought = book("The Bought Book", 5)
        wished = book("The Wished Book", 3)
        companion = book("The Companion Book", 4)
        email = f"reviewer-{tag}@example.test"
        shopper = accounts.register_user(
            session,
            name="Rita Reviewer",
            email=email,
            password=PASSWORD,
            confirm_password=PASSWORD,
        ).user
        shopper.email_confirmed_at = utcnow()
        for name in ("Early Reader", "Second Reader"):
            reader = add_user(session, f"{name} {tag}")
            for liked in (bought, companion):
                reviews.create_review(
                    session, user_id=reader.id, book_id=liked.id, rating=5
                )
        ids = {
            "bought": bought.id,
            "wished": wished.id,
            "companion": companion.id,
            "bought_title": bought.title,
            "companion_title": companion.title,
            "shopper": shopper.id,
            "email": email,
        }
    store_server.run_cli("recommendations", "build")
    return ids


def test_buy_review_wishlist_and_similar_books(
    store_server, shelf, page, visit, hydration, screenshot
):
    """Test buying, then review with badge and average, wishlist, similar books."""
    # Given the shopper is logged in and buys a book with the test card,
    log_in(page, hydration, shelf["email"], PASSWORD)
    visit(f"/books/{shelf['bought']}")
    page.click("#book-add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    visit("/cart")
    expect(page.locator(".cart-line")).to_contain_text(shelf["bought_title"])
    number = check_out_with_test_card(page, hydration)
    screenshot("bought")
    with store_server.session() as session:
        order = session.exec(select(Order).where(Order.number == number)).one()
        items = session.exec(
            select(OrderItem.book_id, OrderItem.quantity).where(
                OrderItem.order_id == order.id
            )
        ).all()
        stock = session.exec(
            select(Book.stock_on_hand).where(Book.id == shelf["bought"])
        ).one()
    assert order.user_id == shelf["shopper"]
    assert order.status == OrderStatus.PAID.value
    assert items == [(shelf["bought"], 1)]
    assert stock == 5 - 1

    # and opens the book they bought,
    visit(f"/books/{shelf['bought']}")
    expect(page.locator("#review-average")).to_have_text("5.00")

    # the readers who liked it also liked the companion book.
    similar = page.locator("#similar-books .book-card")
    expect(similar.first).to_contain_text(shelf["companion_title"])

    # When they rate it four stars with a review that contains markup,
    page.click("#star-pick-4")
    page.fill("#review-title", "Better than expected")
    page.fill("#review-body", "<em>Slow</em> start,\ngreat ending.")
    page.click("#review-submit")

    # then their review shows the verified badge and the text as written,
    mine = page.locator(".review", has_text="Rita Reviewer")
    expect(mine.locator(".verified-badge")).to_be_visible()
    expect(mine.locator(".review-body")).to_have_text(
        "<em>Slow</em> start,\ngreat ending."
    )
    expect(mine.locator("em")).to_have_count(0)
    # and the average moves from 5.00 to (5 + 5 + 4) / 3.
    expect(page.locator("#review-average")).to_have_text("4.67")
    expect(page.locator("#book-title")).to_be_visible()
    expect(page.locator("#my-review")).to_contain_text("Better than expected")
    screenshot("reviewed")

    # When they wish for another book and move it to the cart from the wishlist,
    visit(f"/books/{shelf['wished']}")
    page.click("#wishlist-button")
    expect(page.locator("#wishlist-button")).to_contain_text("On your wishlist")
    visit("/wishlist")
    item = page.locator(f"#wishlist-item-{shelf['wished']}")
    expect(item).to_be_visible()
    screenshot("wishlist")
    item.locator(".move-to-cart").click()

    # then it leaves the wishlist and its cart has one copy at the book's price.
    expect(page.locator("#wishlist-empty")).to_be_visible()
    with store_server.session() as session:
        lines = session.exec(
            select(CartItem)
            .join(Cart, Cart.id == CartItem.cart_id)
            .where(Cart.user_id == shelf["shopper"])
        ).all()
    assert [(line.book_id, line.quantity) for line in lines] == [(shelf["wished"], 1)]

    # The heart on a book card adds that book to the wishlist and removes it again.
    visit(f"/books/{shelf['bought']}")
    heart = page.locator("#similar-books .wishlist-heart").first
    expect(heart).to_have_attribute("aria-pressed", "false")
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(rf"/books/{shelf['bought']}/?$"))
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "false")
