"""Sign-up mail through SMTP: the worker delivers it to a sink, its link confirms."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.accounts.models import User
from sky_readers.core.settings import PROJECT_ROOT
from sky_readers.outbox.models import OutboxAttempt, OutboxEmail
from tests.outbox.fixtures import SmtpSink

PASSWORD = "quiet library afternoon"
LINK = re.compile(r"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")
# Seconds allowed for the worker to deliver the mail.
DELIVERY_TIMEOUT = 60


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 that keeps every message it receives."""
    with SmtpSink() as sink:
        yield sink


def _deliver_with_smtp(store_server, sink: SmtpSink) -> str:
    """Run `mail worker --once` with the SMTP backend against the server's database."""
    env = {
        **store_server.env,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SMTP_SECURITY": "none",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sky_readers", "mail", "worker", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DELIVERY_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_signup_mail_arrives_over_smtp_and_confirms(
    store_server, page, visit, smtp_sink, screenshot
):
    """Test that a sign-up's mail reaches the SMTP sink and its link confirms."""
    email = f"smtp-{uuid.uuid4().hex[:8]}@example.test"

    # Given a shopper who signs up in the browser.
    visit("/signup")
    page.fill("#field-name", "Sam Smtp")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    page.fill("#field-confirm_password", PASSWORD)
    page.click("#signup-submit")
    page.wait_for_url("**/check-email?**")

    # When the mail worker delivers the outbox over SMTP.
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    messages = []
    while not messages:
        assert time.monotonic() < deadline, "no mail reached the SMTP sink"
        _deliver_with_smtp(store_server, smtp_sink)
        messages = [m for m in smtp_sink.messages if m["To"] == email]
        if not messages:
            with store_server.session() as session:
                row = session.exec(
                    select(OutboxEmail).where(OutboxEmail.to_address == email)
                ).first()
                other = session.exec(
                    select(OutboxAttempt.backend).where(
                        OutboxAttempt.outbox_id == row.id,
                        OutboxAttempt.backend != "smtp",
                    )
                ).first()
            assert other is None, (
                f"the server's own worker sent the mail through {other!r}: run "
                "the browser tests with MAIL_WORKER_IN_APP=false"
            )
            time.sleep(0.5)

    # Then exactly one mail arrived, with text and HTML parts and the same link.
    (message,) = messages
    assert "confirm" in message["Subject"].lower()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [link] = LINK.findall(text)
    assert link.startswith(store_server.base_url + "/")
    assert link.replace("&", "&amp;") in html or link in html
    with store_server.session() as session:
        row = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_address == email)
        ).one()
        assert row.status == "sent"
        assert message["Message-ID"].startswith(f"<{row.operation_id}@")

    # And opening the link confirms the account.
    visit(link)
    expect(page.locator("#confirm-outcome-confirmed")).to_be_visible()
    screenshot("confirmed-from-smtp-mail")
    with store_server.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.email_confirmed_at is not None
