"""The account journey in Chromium: sign up, confirm, log in and out, guarded pages."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect
from sqlmodel import select

from sky_readers.outbox.models import OutboxEmail
from tests.e2e.conftest import log_in, sign_up

PASSWORD = "quiet library afternoon"
LINK = re.compile(r"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")
RESET_LINK = re.compile(r"https?://\S+/reset-password\?token=[A-Za-z0-9_\-]+")
NEW_PASSWORD = "another quiet afternoon"


def _link_in_outbox(store_server, email: str, kind: str, pattern: re.Pattern) -> str:
    with store_server.session() as session:
        mail = session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == email)
            .where(OutboxEmail.kind == kind)
            .order_by(OutboxEmail.id.desc())
        ).first()
    assert mail is not None, f"no {kind} mail to {email} in the outbox"
    [link] = pattern.findall(mail.text_body)
    return link


def _confirmation_link(store_server, email: str) -> str:
    return _link_in_outbox(store_server, email, "signup_confirmation", LINK)


def _log_out(page, hydration) -> None:
    before = hydration.count
    page.click("#account-logout")
    page.wait_for_url(re.compile(r"/login/?\?logged_out=1$"))
    hydration.wait_beyond(before)


def test_signup_confirm_login_logout(store_server, page, visit, hydration, screenshot):
    """Test the whole journey of a new shopper, reading the link from the outbox."""
    email = f"reader-{uuid.uuid4().hex[:8]}@example.test"

    # Given a sign-up with a bad field, then with good ones.
    visit("/signup")
    page.fill("#field-name", "Grace Reader")
    page.fill("#field-email", email.upper())
    page.fill("#field-password", PASSWORD)
    page.fill("#field-confirm_password", PASSWORD + "!")
    page.click("#signup-submit")
    expect(page.locator("#confirm_password-error")).to_contain_text("do not match")
    page.fill("#field-confirm_password", PASSWORD)
    page.click("#signup-submit")
    page.wait_for_url(re.compile(r"/check-email/?\?"))
    expect(page.locator("#check-email-text")).to_contain_text(email)
    screenshot("check-email")

    # When the unconfirmed shopper logs in, the dashboard requests confirmation.
    log_in(page, hydration, email, PASSWORD)
    expect(page.locator("#account-email")).to_have_text(email)
    expect(page.locator("#confirmation-banner")).to_be_visible()
    expect(page.locator("#account-details")).to_contain_text("Not confirmed")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sky_session"]["httpOnly"] is True
    assert cookies["sky_session"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("sky_session") == -1

    # Then the link from the outbox confirms the address, once.
    link = _confirmation_link(store_server, email)
    visit(link)
    expect(page.locator("#confirm-outcome-confirmed")).to_be_visible()
    visit(link)
    expect(page.locator("#confirm-outcome-already")).to_be_visible()

    visit("/account")
    expect(page.locator("#account-details")).to_contain_text("Confirmed")
    expect(page.locator("#confirmation-banner")).to_have_count(0)
    _log_out(page, hydration)
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    # Logging in again by user name shows the dashboard.
    log_in(page, hydration, "grace_reader", PASSWORD)
    expect(page.locator("#account-name")).to_have_text("Grace Reader")
    expect(page.locator("#account-links")).to_contain_text("Grace Reader")
    screenshot("dashboard")

    # After logging out, the dashboard sends the browser to the login page.
    _log_out(page, hydration)
    before = hydration.count
    page.goto("/account")
    hydration.wait_beyond(before)
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Faccount(%2F)?$"))
    expect(page.locator("#login-form")).to_be_visible()


def test_login_failure_and_next(store_server, page, visit, hydration):
    """Test that a wrong password shows the message and a foreign `next` is dropped."""
    email = f"reader-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(page, hydration, name="Next Tester", email=email, password=PASSWORD)

    visit("/login?next=//evil.test/steal")
    page.fill("#field-username", email)
    page.fill("#field-password", "not the password")
    before = hydration.count
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/login/?\?error=invalid"))
    hydration.wait_beyond(before)
    expect(page.locator("#login-error")).to_contain_text("do not match an account")
    query = parse_qs(urlsplit(page.url).query)
    assert query["next"] == ["/account"]

    before = hydration.count
    page.goto("/login?next=/about")
    hydration.wait_beyond(before)
    page.fill("#field-username", email)
    page.fill("#field-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/about/?$"))


def test_password_change_and_reset(store_server, browser, page, visit, hydration):
    """Test that a password change ends other sessions and a reset link works once."""
    email = f"reader-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(page, hydration, name="Reset Tester", email=email, password=PASSWORD)
    log_in(page, hydration, email, PASSWORD)

    other_context = browser.new_context(base_url=store_server.base_url)
    other = other_context.new_page()
    other.goto("/login")
    other.fill("#field-username", email)
    other.fill("#field-password", PASSWORD)
    other.click("#login-submit")
    other.wait_for_url(re.compile(r"/account/?$"))

    # A wrong current password is named beside its field.
    visit("/account/password")
    page.fill("#field-current_password", "not my password")
    page.fill("#field-new_password", NEW_PASSWORD)
    page.fill("#field-confirm_password", NEW_PASSWORD)
    page.click("#change-password-submit")
    expect(page.locator("#current_password-error")).to_contain_text("wrong")

    page.fill("#field-current_password", PASSWORD)
    page.click("#change-password-submit")
    expect(page.locator("#password-changed")).to_be_visible()

    # This browser stays logged in; the other one is sent to the login page.
    visit("/account")
    expect(page.locator("#account-email")).to_have_text(email)
    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/login/?\?next="))
    other_context.close()

    # A reset link sets a third password and cannot be used twice.
    _log_out(page, hydration)
    visit("/forgot-password")
    page.fill("#field-email", email)
    page.click("#forgot-submit")
    expect(page.locator("#reset-sent")).to_be_visible()
    link = _link_in_outbox(store_server, email, "password_reset", RESET_LINK)
    visit(link)
    page.fill("#field-password", "the third password here")
    page.fill("#field-confirm_password", "the third password here")
    page.click("#reset-submit")
    expect(page.locator("#reset-done")).to_be_visible()
    visit(link)
    expect(page.locator("#reset-problem")).to_contain_text("already used")

    log_in(page, hydration, email, "the third password here")
    expect(page.locator("#account-email")).to_have_text(email)


def test_bad_input_messages_and_guards(
    store_server, browser, page, visit, hydration, screenshot
):
    """Test field messages, the lock after failed logins, the banner and admin pages."""
    email = f"reader-{uuid.uuid4().hex[:8]}@example.test"

    # Given a sign-up form with every field wrong, the server names each problem.
    visit("/signup")
    page.fill("#field-name", "n" * 150)
    page.fill("#field-email", "not an address@@")
    page.fill("#field-password", "€" * 25)
    page.fill("#field-confirm_password", "€" * 24)
    page.click("#signup-submit")
    expect(page.locator("#name-error")).to_contain_text("150 characters")
    expect(page.locator("#email-error")).to_contain_text("not a valid email address")
    expect(page.locator("#password-error")).to_contain_text("75 bytes in UTF-8")
    expect(page.locator("#confirm_password-error")).to_contain_text("do not match")
    screenshot("signup-field-errors")

    # A plain form post comes back to the form with the same kind of messages.
    response = page.request.post(
        "/signup",
        form={"name": "", "email": email, "password": "short", "confirm_password": ""},
        max_redirects=0,
    )
    assert response.status == 303
    visit(response.headers["location"])
    expect(page.locator("#name-error")).to_have_text("Enter your name.")
    expect(page.locator("#password-error")).to_contain_text("use at least 10")
    expect(page.locator("#field-email")).to_have_value(email)

    # When a new shopper logs in, a store page in a new tab shows the name and banner.
    sign_up(page, hydration, name="Banner Tester", email=email, password=PASSWORD)
    log_in(page, hydration, email, PASSWORD)
    other_tab = page.context.new_page()
    other_tab.goto("/about")
    expect(other_tab.locator("#account-links")).to_contain_text("Banner Tester")
    expect(other_tab.locator("#confirmation-banner")).to_be_visible()

    # A shopper who opens an admin page is sent to the login page.
    other_tab.goto("/admin/outbox")
    expect(other_tab).to_have_url(re.compile(r"/login/?\?.*error=admin"))
    other_tab.close()

    # Then five wrong passwords lock the account, and the page shows the wait.
    _log_out(page, hydration)
    for attempt in range(6):
        before = hydration.count
        page.goto("/login")
        hydration.wait_beyond(before)
        page.fill("#field-username", email)
        page.fill("#field-password", f"wrong guess number {attempt}")
        before = hydration.count
        page.click("#login-submit")
        page.wait_for_url(re.compile(r"/login/?\?error="))
        hydration.wait_beyond(before)
    expect(page.locator("#login-error")).to_contain_text("Too many failed logins")
    expect(page.locator("#login-error")).to_contain_text("Wait 15 minutes")
    screenshot("login-locked")
