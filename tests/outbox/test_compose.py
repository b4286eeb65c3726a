"""Mail content: text and HTML parts, escaping, absolute links, order mails."""

from __future__ import annotations

from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from sqlmodel import select

from sky_readers.core.settings import Settings, get_settings
from sky_readers.orders.models import Order, OrderItem
from sky_readers.outbox.backends.console import ConsoleBackend
from sky_readers.outbox.compose import absolute_url, enqueue_email, render
from sky_readers.outbox.models import OutboxEmail
from sky_readers.outbox.order_mail import (
    queue_order_cancelled,
    queue_order_placed,
    queue_order_shipped,
)
from sky_readers.outbox.worker import MailWorker
from tests.outbox.fixtures import queue_mail


def test_render_escapes_user_text_in_html_only():
    subject, text, html = render(
        "signup_confirmation",
        {
            "name": '<img src=x onerror="alert(1)"> & Co',
            "confirm_url": "http://localhost:3000/confirm-email?token=a&b",
            "lifetime_hours": 24,
        },
    )
    assert get_settings().store_name in subject
    assert '<img src=x onerror="alert(1)"> & Co' in text
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co" in html
    assert 'href="http://localhost:3000/confirm-email?token=a&amp;b"' in html
    assert get_settings().store_name in html


def test_absolute_url_joins_public_base_url():
    base = get_settings().public_base_url.rstrip("/")
    assert absolute_url("/confirm-email?token=x") == f"{base}/confirm-email?token=x"
    assert absolute_url("orders/7") == f"{base}/orders/7"


def test_enqueue_with_same_dedupe_key_queues_once(session):
    context = {"name": "A", "confirm_url": "http://x/", "lifetime_hours": 1}
    first = enqueue_email(
        session,
        kind="signup_confirmation",
        to_address="a@example.test",
        template="signup_confirmation",
        context=context,
        dedupe_key="user:1:confirm",
    )
    second = enqueue_email(
        session,
        kind="signup_confirmation",
        to_address="a@example.test",
        template="signup_confirmation",
        context=context,
        dedupe_key="user:1:confirm",
    )
    session.commit()
    assert first.id == second.id
    assert len(session.exec(select(OutboxEmail)).all()) == 1


def _order() -> tuple[Order, list[OrderItem]]:
    order = Order(
        id=12,
        number="SRH-2026-000012",
        user_id=1,
        payment_method="card",
        currency="USD",
        subtotal=Decimal("31.98"),
        shipping=Decimal("4.99"),
        tax=Decimal("2.56"),
        total=Decimal("39.53"),
        ship_name="Ada <Lovelace>",
        ship_line1="12 St James's Square",
        ship_city="London",
        ship_postal_code="SW1Y 4JH",
        ship_country="GB",
    )
    items = [
        OrderItem(
            order_id=12,
            book_id=1,
            title="The Hobbit & <Friends>",
            unit_price=Decimal("15.99"),
            quantity=2,
            line_total=Decimal("31.98"),
        )
    ]
    return order, items


def test_order_mails_show_lines_totals_and_link(session):
    # The order itself is not saved: the mails need only its fields and id.
    order, items = _order()

    placed = queue_order_placed(
        session, order, items, to_address="ada@example.test", name="Ada"
    )
    shipped = queue_order_shipped(
        session,
        order,
        items,
        to_address="ada@example.test",
        name="Ada",
        tracking_url="https://track.example/1Z999",
    )
    cancelled = queue_order_cancelled(
        session, order, items, to_address="ada@example.test", name="Ada", reason="Out"
    )

    session.commit()
    base = get_settings().public_base_url.rstrip("/")
    assert len(session.exec(select(OutboxEmail)).all()) == 3
    again = queue_order_placed(
        session, order, items, to_address="ada@example.test", name="Ada"
    )
    assert again.id == placed.id
    assert placed.dedupe_key == "order:12:placed"
    assert shipped.dedupe_key == "order:12:shipped"
    assert cancelled.dedupe_key == "order:12:cancelled"
    assert "SRH-2026-000012" in placed.subject
    assert "2 x The Hobbit & <Friends>  $15.99  = $31.98" in placed.text_body
    assert "Total:    $39.53" in placed.text_body
    assert f"{base}/orders/SRH-2026-000012" in placed.text_body
    assert "The Hobbit &amp; &lt;Friends&gt;" in placed.html_body
    assert "Ada &lt;Lovelace&gt;" in placed.html_body
    assert "has shipped" in shipped.subject
    assert 'href="https://track.example/1Z999"' in shipped.html_body
    assert "was cancelled" in cancelled.subject
    assert "Reason: Out" in cancelled.text_body
    assert "$39.53 goes back" in cancelled.text_body


ACCOUNT_MAILS = [
    (
        "signup_confirmation",
        {
            "name": "<i>Ann</i>",
            "confirm_url": "/confirm?token=c1",
            "lifetime_hours": 24,
        },
    ),
    (
        "signup_existing_account",
        {
            "name": "<i>Ann</i>",
            "login_url": "/login",
            "reset_url": "/forgot-password",
            "confirm_url": "/confirm?token=c2",
        },
    ),
    (
        "password_reset",
        {"name": "<i>Ann</i>", "reset_url": "/reset?token=r1", "lifetime_minutes": 60},
    ),
    (
        "password_changed",
        {
            "name": "<i>Ann</i>",
            "changed_at": "2026-12-04 10:00 UTC",
            "reset_url": "/forgot-password",
        },
    ),
]


@pytest.mark.parametrize(("template", "context"), ACCOUNT_MAILS)
def test_account_mail_parts_use_settings(monkeypatch, template, context):
    settings = Settings(
        store_name="Quill & <Ink>", public_base_url="https://shop.example/"
    )
    monkeypatch.setattr("sky_readers.outbox.compose.get_settings", lambda: settings)
    context = {
        key: absolute_url(value) if key.endswith("_url") else value
        for key, value in context.items()
    }

    subject, text, html = render(template, context)

    assert "Quill & <Ink>" in subject
    assert "Quill & <Ink>" in text
    assert "Quill &amp; &lt;Ink&gt;" in html
    assert "<Ink>" not in html
    assert "Hello <i>Ann</i>" in text
    assert "Hello &lt;i&gt;Ann&lt;/i&gt;" in html
    for key, url in context.items():
        if key.endswith("_url"):
            assert url.startswith("https://shop.example/")
            assert url in text
            assert f'href="{url}"' in html


def test_sender_and_store_name_come_from_settings(engine, session, tmp_path):
    queue_mail(session)
    settings = Settings(
        store_name="Quill & Ink", email_sender_address="hello@shop.example"
    )
    backend = ConsoleBackend(tmp_path)
    MailWorker.from_settings(backend, settings, engine=engine).run_once()

    (path,) = tmp_path.glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["From"].addresses[0].addr_spec == "hello@shop.example"
    assert message["From"].addresses[0].display_name == "Quill & Ink"
    assert message["Message-ID"].endswith("@shop.example>")
