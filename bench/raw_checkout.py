"""The rows of one checkout written with plain SQL: the upper bound for the benchmark.

`place_order` sends ten statements per one-line order. This module sends the same
statements straight through psycopg2, on a connection that each thread keeps, with a
mail rendered once. They write the same rows: the order with copied title and price,
its line, payment and history, the saved address and the outbox mail. They claim and
empty the cart and take the stock conditionally, as checkout does.

What remains is the database's own work and the least Python a client can spend, so
its rate in the same run bounds what `place_order` can reach on this machine. It
skips what the store does besides: loading the shopper, checking the input, the
payment gateway, the ORM objects, and a pooled connection per order. PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sky_readers.core.types import utcnow
from sky_readers.orders.checkout import order_number
from sky_readers.orders.pricing import LineInput, price_lines
from sky_readers.outbox.compose import render

CLAIM_CART = (
    "UPDATE cart SET status = 'ordered', updated_at = %(now)s "
    "WHERE id = %(cart)s AND user_id = %(user)s AND status = 'open'"
)
TAKE_LINES = (
    "DELETE FROM cart_item WHERE cart_id = %(cart)s RETURNING book_id, quantity, "
    "(SELECT title FROM book WHERE book.id = cart_item.book_id), "
    "(SELECT price FROM book WHERE book.id = cart_item.book_id)"
)
INSERT_ORDER = (
    "INSERT INTO customer_order (number, user_id, cart_id, idempotency_key, status, "
    "payment_method, currency, subtotal, shipping, tax, total, ship_name, ship_line1, "
    "ship_line2, ship_city, ship_region, ship_postal_code, ship_country, created_at, "
    "updated_at) VALUES (%(placeholder)s, %(user)s, %(cart)s, %(key)s, "
    "'pending_payment', 'test_card', %(currency)s, %(subtotal)s, %(shipping)s, "
    "%(tax)s, %(total)s, %(name)s, %(line1)s, '', %(city)s, %(region)s, "
    "%(postal_code)s, %(country)s, %(now)s, %(now)s) RETURNING id"
)
INSERT_LINE = (
    "INSERT INTO order_item (order_id, book_id, title, unit_price, quantity, "
    "line_total) VALUES (%(order)s, %(book)s, %(title)s, %(price)s, %(quantity)s, "
    "%(line_total)s)"
)
SAVE_ADDRESS = (
    "INSERT INTO saved_address (user_id, name, line1, line2, city, region, "
    "postal_code, country, updated_at) VALUES (%(user)s, %(name)s, %(line1)s, '', "
    "%(city)s, %(region)s, %(postal_code)s, %(country)s, %(now)s) "
    "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, "
    "line1 = excluded.line1, line2 = excluded.line2, city = excluded.city, "
    "region = excluded.region, postal_code = excluded.postal_code, "
    "country = excluded.country, updated_at = excluded.updated_at"
)
QUEUE_MAIL = (
    "INSERT INTO email_outbox (kind, dedupe_key, to_address, subject, text_body, "
    "html_body, status, attempts, next_attempt_at, operation_id, created_at) "
    "VALUES ('order_placed', %(dedupe_key)s, %(to)s, %(subject)s, %(text)s, "
    "%(html)s, 'pending', 0, %(now)s, %(operation)s, %(now)s) "
    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
)
TAKE_STOCK = (
    "UPDATE book SET stock_on_hand = stock_on_hand - %(quantity)s, "
    "updated_at = %(now)s WHERE id = %(book)s AND stock_on_hand >= %(quantity)s "
    "AND is_archived IS false"
)
MARK_PAID = (
    "UPDATE customer_order SET number = %(number)s, status = 'paid', "
    "updated_at = %(now)s WHERE id = %(order)s"
)
INSERT_PAYMENT = (
    "INSERT INTO payment (order_id, method, status, amount, currency, reference, "
    "card_brand, card_last4, created_at, updated_at) VALUES (%(order)s, 'test_card', "
    "'paid', %(total)s, %(currency)s, %(reference)s, 'Visa', '4242', %(now)s, "
    "%(now)s)"
)
INSERT_HISTORY = (
    "INSERT INTO order_event (order_id, from_status, to_status, actor_kind, "
    "actor_user_id, note, created_at) VALUES "
    "(%(order)s, NULL, 'pending_payment', 'shopper', %(user)s, '', %(placed_at)s), "
    "(%(order)s, 'pending_payment', 'paid', 'system', NULL, "
    "'Paid by Visa ending 4242.', %(now)s)"
)


class SoldOutError(Exception):
    """Raised when the book has fewer copies than the line requests."""


def sample_mail() -> tuple[str, str, str]:
    """Render an order confirmation once, to queue the same text with every order."""
    line = {
        "title": "Bench Book",
        "quantity": 1,
        "unit_price": "$9.99",
        "line_total": "$9.99",
    }
    return render(
        "order_placed",
        {
            "name": "Bench Buyer",
            "order_number": "SRH-2026-000000",
            "order_url": "http://127.0.0.1/orders/SRH-2026-000000",
            "items": [line],
            "subtotal": "$9.99",
            "shipping": "$4.99",
            "tax": "$0.80",
            "total": "$15.78",
            "ship_to": ["Bench Buyer", "1 Load Street", "Portland, ME 04101"],
        },
    )


def place(
    cursor: Any,
    *,
    user_id: int,
    cart_id: int,
    email: str,
    address: dict[str, str],
    mail: tuple[str, str, str],
) -> None:
    """Write one checkout of a one-line cart, for the caller to commit.

    Raises:
        SoldOutError: The stock update found too few copies.
        RuntimeError: The cart was not open or held no line.
    """
    now = utcnow()
    values: dict[str, Any] = {
        "now": now,
        "cart": cart_id,
        "user": user_id,
        **address,
    }
    cursor.execute(CLAIM_CART, values)
    if cursor.rowcount != 1:
        raise RuntimeError(f"cart {cart_id} is not open")
    cursor.execute(TAKE_LINES, values)
    book_id, quantity, title, price = cursor.fetchone()
    totals = price_lines([LineInput(Decimal(price), quantity)])
    values.update(
        placeholder=f"new-{uuid.uuid4().hex[:28]}",
        key=f"raw-{cart_id}-{uuid.uuid4().hex}",
        currency=totals.currency,
        subtotal=totals.subtotal,
        shipping=totals.shipping,
        tax=totals.tax,
        total=totals.total,
    )
    cursor.execute(INSERT_ORDER, values)
    order_id = cursor.fetchone()[0]
    values.update(
        order=order_id,
        number=order_number(order_id, now.year),
        book=book_id,
        title=title,
        price=totals.lines[0].unit_price,
        quantity=quantity,
        line_total=totals.lines[0].line_total,
    )
    cursor.execute(INSERT_LINE, values)
    cursor.execute(SAVE_ADDRESS, values)
    subject, text_body, html_body = mail
    cursor.execute(
        QUEUE_MAIL,
        {
            "dedupe_key": f"order:{order_id}:placed",
            "to": email,
            "subject": subject,
            "text": text_body,
            "html": html_body,
            "now": now,
            "operation": str(uuid.uuid4()),
        },
    )
    cursor.execute(TAKE_STOCK, values)
    if cursor.rowcount != 1:
        raise SoldOutError(book_id)
    values.update(
        now=dt.datetime.now(dt.UTC), placed_at=now, reference=uuid.uuid4().hex
    )
    cursor.execute(MARK_PAID, values)
    cursor.execute(INSERT_PAYMENT, values)
    cursor.execute(INSERT_HISTORY, values)
