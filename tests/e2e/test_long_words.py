"""Long unbroken words that shoppers type stay inside their boxes in Chromium.

A name may be 100 letters without a space, an address line 200 and a review title
120. Each such word must wrap, so no page scrolls sideways and no button of an admin
table leaves the screen.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from sky_readers.accounts.models import User
from sky_readers.accounts.passwords import hash_password
from sky_readers.core.types import utcnow
from sky_readers.orders.models import OrderStatus
from sky_readers.orders.workflow import Actor, new_event
from sky_readers.reviews import services as reviews
from tests.catalog.builders import add_book
from tests.e2e.admin_helpers import PASSWORD, create_admin
from tests.e2e.admin_helpers import log_in as admin_log_in
from tests.e2e.conftest import log_in
from tests.reviews.helpers import add_order

PHONE = {"width": 390, "height": 844}
LONG_NAME = "W" * 100
LONG_TITLE = "T" * 120


@pytest.fixture(scope="module")
def long_words(store_server):
    """A shopper with a 100-letter name, a review and an order full of long words."""
    email = f"long-{uuid.uuid4().hex[:8]}@example.test"
    with store_server.session() as session:
        shopper = User(
            email=email,
            name=LONG_NAME,
            password_hash=hash_password(PASSWORD),
            role="shopper",
            email_confirmed_at=utcnow(),
        )
        session.add(shopper)
        session.flush()
        book = add_book(session, f"Wide Words {uuid.uuid4().hex[:6]}", stock_on_hand=5)
        order = add_order(session, shopper, [book])
        # The admin page looks orders up by their number in upper case.
        order.number = order.number.upper()
        order.ship_line1 = "L" * 200
        # The history names the shopper who placed the order.
        session.add(new_event(order, None, OrderStatus.PAID, Actor.shopper(shopper.id)))
        review = reviews.create_review(
            session,
            user_id=shopper.id,
            book_id=book.id,
            rating=4,
            title=LONG_TITLE,
            body="B" * 400,
        )
        ids = {
            "email": email,
            "book": book.id,
            "order": order.number,
            "review": review.id,
        }
    return ids


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_long_words_wrap_on_a_phone(page, hydration, visit, long_words):
    page.set_viewport_size(PHONE)
    log_in(page, hydration, long_words["email"], PASSWORD)

    account_width = _page_width(page)
    visit(f"/books/{long_words['book']}")
    expect(page.locator(".review-title").first).to_have_text(LONG_TITLE)
    book_width = _page_width(page)
    visit(f"/orders/{long_words['order']}")
    order_width = _page_width(page)

    assert account_width <= PHONE["width"]
    assert book_width <= PHONE["width"]
    assert order_width <= PHONE["width"]


def test_long_words_keep_admin_buttons_visible(
    page, hydration, visit, store_server, long_words
):
    admin_log_in(page, hydration, create_admin(store_server))
    viewport = page.viewport_size["width"]

    visit(f"/admin/orders/{long_words['order']}")
    expect(page.get_by_text(LONG_NAME).first).to_be_visible()
    order_width = _page_width(page)
    visit("/admin/reviews")
    hide = page.locator(f"#hide-{long_words['review']}")
    expect(hide).to_be_visible()
    hide_box = hide.bounding_box()

    assert order_width <= viewport
    assert hide_box["x"] + hide_box["width"] <= viewport


def test_table_words_break_only_between_words(page, hydration, visit, store_server):
    """Test that a category name such as "Biography" is not split inside the word."""
    admin_log_in(page, hydration, create_admin(store_server))

    visit("/admin/categories")
    name = page.get_by_text("Biography & Memoir", exact=True)
    expect(name).to_be_visible()
    wrap = name.evaluate("element => getComputedStyle(element).overflowWrap")

    assert wrap != "anywhere"
