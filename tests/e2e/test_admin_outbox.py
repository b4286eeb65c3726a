"""Admin outbox page in Chromium: dead mail with its attempts, retry, counts."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.core.settings import PROJECT_ROOT
from sky_readers.outbox.compose import enqueue_email
from sky_readers.outbox.models import OutboxEmail
from tests.outbox.fixtures import SmtpSink

PASSWORD = "quiet library afternoon"


@pytest.fixture
def outbox_page_registered(store_server) -> None:
    """Skip when the app does not register the outbox page."""
    if httpx.get(store_server.url("/admin/outbox"), timeout=10).status_code == 404:
        pytest.skip("/admin/outbox is not registered in sky_readers/sky_readers.py")


def _dead_mail(store_server) -> int:
    """Queue a mail the SMTP server rejects with 550 and let a worker try it once."""
    with store_server.session() as session:
        mail = enqueue_email(
            session,
            kind="signup_confirmation",
            to_address="reject@example.test",
            template="signup_confirmation",
            context={"name": "R", "confirm_url": "http://x/", "lifetime_hours": 1},
            dedupe_key=f"e2e-dead:{uuid.uuid4().hex}",
        )
        outbox_id = mail.id
    with SmtpSink() as sink:
        env = {
            **store_server.env,
            "EMAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(sink.port),
        }
        subprocess.run(
            [sys.executable, "-m", "sky_readers", "mail", "worker", "--once"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            timeout=120,
            check=True,
        )
    with store_server.session() as session:
        assert session.get(OutboxEmail, outbox_id).status == "dead"
    return outbox_id


def test_admin_sees_dead_mail_and_retries_it(
    store_server, outbox_page_registered, page, visit, hydration, screenshot
):
    """Test that an admin finds a dead mail with its attempt and queues it again."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.test"
    store_server.run_cli(
        "users", "create-admin", "--email", email, "--name", "Olive Admin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    outbox_id = _dead_mail(store_server)

    # Given a logged-in admin on the list of dead mail.
    visit("/login")
    page.fill("#field-username", email)
    page.fill("#field-password", PASSWORD)
    before = hydration.count
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/account/?$"))
    hydration.wait_beyond(before)
    visit("/admin/outbox?status=dead")

    # Then the mail shows with its failed attempt and the counts.
    row = page.locator(f"#outbox-row-{outbox_id}")
    expect(row).to_contain_text("reject@example.test")
    expect(row).to_contain_text("permanent_error")
    expect(row).to_contain_text("550")
    expect(page.locator("#outbox-count-dead")).not_to_have_text("0")
    screenshot("outbox-dead")

    # When the admin retries it, it is pending again.
    page.click(f"#retry-{outbox_id}")
    expect(page.get_by_text(f"Mail {outbox_id} is queued again.")).to_be_visible()
    expect(page.locator(f"#outbox-row-{outbox_id}")).to_have_count(0)
    with store_server.session() as session:
        mail = session.exec(
            select(OutboxEmail).where(OutboxEmail.id == outbox_id)
        ).one()
        # A worker inside the server may already have picked it up.
        assert mail.status in ("pending", "sending", "sent")

    # An unknown status in the address shows all mail with a notice that explains why.
    visit("/admin/outbox?status=lost")
    expect(page.locator("#outbox-notice")).to_contain_text("Unknown status 'lost'")
    expect(page.locator(f"#outbox-row-{outbox_id}")).to_be_visible()
    screenshot("outbox-unknown-status")


def test_outbox_page_needs_login(store_server, outbox_page_registered, page):
    """Test that an anonymous visitor is sent to the login page."""
    page.goto("/admin/outbox")
    page.wait_for_url("**/login?**")
    expect(page.locator("#login-form")).to_be_visible()
