"""The shopper journey on the production build with two workers, Redis and PostgreSQL.

The store runs as a deployment runs it: APP_ENV=production, `web serve` with two
granian worker processes, page state in a redis-server shaped like Azure's managed
Redis, a fresh PostgreSQL database, and the mail worker inside the app. The browser
reaches it at http://127.0.0.1:PORT while PUBLIC_BASE_URL is an https address, so the
frontend is built for the local address and the test opens the link of the
confirmation mail on the local address too. Chromium treats 127.0.0.1 as a secure
context (W3C Secure Contexts: loopback addresses are potentially trustworthy), so it
keeps and sends the Secure session and cart cookies over plain http there, and
production's cookie flags stay as they are.

The server's JSON log lines carry the worker's `pid`, and the access logger one line
per HTTP request, so the log shows which worker served each request of the journey.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from sqlmodel import select

from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book
from sky_readers.core import migrations
from sky_readers.orders.models import Order, OrderStatus
from sky_readers.outbox.models import OutboxEmail
from tests.e2e.conftest import (
    SCREENSHOT_DIR,
    TRACEBACK_MARK,
    HydrationWatcher,
    StoreServer,
    build_frontend,
    check_out_with_test_card,
    log_in,
    new_store_context,
    server_environment,
    sign_up,
    start_web_serve,
    stop_web_serve,
    visit_path,
)
from tests.processes import free_port
from tests.redis_server import managed_redis_like_server

WORKERS = 2
PUBLIC_BASE_URL = "https://shop.example.test"
PASSWORD = "quiet library afternoon"
SHOPPER_NAME = "Wren Worker"
CONFIRM_LINK = re.compile(r"https://\S+/confirm\?token=[A-Za-z0-9_\-]+")
# A misspelt search for which the starter catalog returns two Agatha Christie books.
SEARCH = "agatha cristie"
BOOK_TITLE = "And Then There Were None"
# New browser windows opened to reach the second worker before the test gives up.
# If the kernel spreads connections evenly, each window reaches it half the time.
MAX_FRESH_WINDOWS = 12
# Seconds allowed for the in-app mail worker to write the confirmation mail.
MAIL_TIMEOUT = 60
# Browser console errors expected while the server is down for its restart: the
# websocket and its reconnection attempts fail until the new workers listen.
RESTART_CONSOLE_ERRORS = re.compile(
    r"WebSocket|websocket|ERR_CONNECTION_REFUSED|Failed to load resource|"
    r"Cannot connect to server|socket",
)


@pytest.fixture
def scaled_server(tmp_path: Path, fresh_postgres_url: str) -> Iterator[StoreServer]:
    """Serve the production build with two workers on 127.0.0.1, stopped at the end.

    Production settings apply to a fresh PostgreSQL database with the starter
    catalog and to a redis-server started for this test. The in-app mail worker
    delivers mail to the console backend's `mail_dir`. PUBLIC_BASE_URL is an https
    address, and CORS_ORIGINS names it and the local origin that the browser uses.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with managed_redis_like_server(tmp_path) as redis_url:
        env = server_environment(tmp_path, port, fresh_postgres_url)
        env.update(
            APP_ENV="production",
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
            CORS_ORIGINS=f"{PUBLIC_BASE_URL},{base_url}",
            WEB_WORKERS=str(WORKERS),
            REFLEX_REDIS_URL=redis_url,
            # The server rejects CONFIG, as managed Redis does.
            REFLEX_IGNORE_REDIS_CONFIG_ERROR="true",
            MAIL_WORKER_IN_APP="true",
            MAIL_WORKER_POLL_SECONDS="0.5",
        )
        server = StoreServer(
            base_url=base_url,
            database_url=fresh_postgres_url,
            tmp_dir=tmp_path,
            mail_dir=Path(env["EMAIL_FILE_DIR"]),
            log_path=tmp_path / "server.log",
            env=env,
        )
        migrations.upgrade(fresh_postgres_url)
        server.run_cli("catalog", "load-starter")
        build_frontend(server)
        start_web_serve(server, workers=WORKERS)
        try:
            yield server
        finally:
            stop_web_serve(server)
            server.dispose()


class ConsoleErrors:
    """Collect a page's console errors, apart from connection errors of a restart."""

    def __init__(self) -> None:
        """Start with no errors and the server up."""
        self.unexpected: list[str] = []
        # True while the server is down, when connection errors are expected.
        self.restarting = False

    def watch(self, page: Page) -> Page:
        """Listen to a page's console and uncaught exceptions, and return the page."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.unexpected.append(f"page error: {exc}"))
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = f"{message.text} ({message.location.get('url', '')})"
        if not (self.restarting and RESTART_CONSOLE_ERRORS.search(text)):
            self.unexpected.append(text)


def _open_tab(
    context: BrowserContext, console: ConsoleErrors
) -> tuple[Page, HydrationWatcher]:
    page = console.watch(context.new_page())
    return page, HydrationWatcher(page)


def _mails_to(server: StoreServer, email: str) -> list[EmailMessage]:
    """Return the mails that the console backend wrote to an address so far."""
    mails = []
    for path in server.mail_files():
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == email:
            mails.append(message)
    return mails


def _confirmation_link(server: StoreServer, email: str) -> str:
    """Wait for the confirmation mail to `email` and return its link as written."""
    deadline = time.monotonic() + MAIL_TIMEOUT
    while not (mails := _mails_to(server, email)):
        assert time.monotonic() < deadline, (
            f"the in-app mail worker wrote no mail to {email} into "
            f"{server.mail_dir} within {MAIL_TIMEOUT} s"
        )
        time.sleep(0.2)
    [link] = CONFIRM_LINK.findall(mails[0].get_body(("plain",)).get_content())
    return link


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"test_scale_out--{name}.png", full_page=True)


def _complete_lines(log_text: str) -> list[str]:
    """Split a log into lines, leaving out a last line that is still being written."""
    return log_text[: log_text.rfind("\n") + 1].splitlines()


def _access_lines(log_text: str) -> list[dict]:
    """Return the access log records (one per HTTP request) of a piece of the log."""
    records = []
    for line in _complete_lines(log_text):
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "sky_readers.access":
                records.append(record)
    return records


def _started_workers(log_text: str) -> set[int]:
    """Return the pids of the workers that logged their start in a piece of the log."""
    pids = set()
    for line in _complete_lines(log_text):
        if line.startswith("{") and "starting: environment" in line:
            pids.add(json.loads(line)["pid"])
    return pids


def _open_in_fresh_windows(
    browser: Browser,
    server: StoreServer,
    console: ConsoleErrors,
    *,
    storage_state: dict,
    path: str,
    check: Callable[[Page], None],
) -> set[int]:
    """Open a path in new windows with the shopper's cookies until two workers served.

    Each window is a new browser context, so its requests come over new connections,
    which the kernel hands to either worker. Stops after MAX_FRESH_WINDOWS windows.

    Returns:
        The pids of the workers that served these windows' requests.
    """
    since = server.log_size()
    pids: set[int] = set()
    for _ in range(MAX_FRESH_WINDOWS):
        context = new_store_context(
            browser, server.base_url, storage_state=storage_state
        )
        try:
            page, hydration = _open_tab(context, console)
            visit_path(page, hydration, path)
            check(page)
        finally:
            context.close()
        pids = {line["pid"] for line in _access_lines(server.log_text(since))}
        if len(pids) >= 2:
            break
    return pids


def test_journey_across_workers_and_restart(
    scaled_server: StoreServer, browser: Browser
):
    """Test sign-up to checkout on two workers, with a restart before paying."""
    server = scaled_server
    email = f"scale-{uuid.uuid4().hex[:8]}@example.test"
    console = ConsoleErrors()

    # Given a visitor who signs up in one browser window,
    shopper_context = new_store_context(browser, server.base_url)
    page, hydration = _open_tab(shopper_context, console)
    visit_path(page, hydration, "/")
    sign_up(page, hydration, name=SHOPPER_NAME, email=email, password=PASSWORD)

    # and confirms the address through the mail's link, opened in another window.
    link = _confirmation_link(server, email)
    assert link.startswith(PUBLIC_BASE_URL + "/confirm?")
    mail_context = new_store_context(browser, server.base_url)
    mail_page, mail_hydration = _open_tab(mail_context, console)
    visit_path(
        mail_page, mail_hydration, server.base_url + link.removeprefix(PUBLIC_BASE_URL)
    )
    expect(mail_page.locator("#confirm-outcome-confirmed")).to_be_visible()
    mail_context.close()

    # When they log in, search with a typo and add the book to the cart,
    log_in(page, hydration, email, PASSWORD)
    expect(page.locator("#account-details")).to_contain_text("Confirmed")
    session_cookie = {c["name"]: c for c in shopper_context.cookies()}["sky_session"]
    assert session_cookie["secure"] is True
    assert session_cookie["httpOnly"] is True

    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill(SEARCH)
    box.press("Enter")
    expect(page.locator("#did-you-mean")).to_contain_text("agatha christie")
    before = hydration.count
    page.reload()
    hydration.wait_beyond(before)
    page.locator("#search-results").get_by_text(BOOK_TITLE).click()
    expect(page).to_have_url(re.compile(r"/books/\d+$"))
    book_id = int(page.url.rsplit("/", 1)[1])
    page.click("#book-add-to-cart")
    expect(page.locator("#cart-count")).to_have_text("1")

    # then every window of that browser shows the shopper and the cart, whichever
    # worker serves it.
    def shows_shopper_and_cart(window: Page) -> None:
        expect(window.locator("#account-links")).to_contain_text(SHOPPER_NAME)
        expect(window.locator(".cart-line")).to_have_count(1)
        expect(window.locator(".cart-line")).to_contain_text(BOOK_TITLE)

    cookies = shopper_context.storage_state()

    def open_cart_in_fresh_windows() -> set[int]:
        return _open_in_fresh_windows(
            browser,
            server,
            console,
            storage_state=cookies,
            path="/cart",
            check=shows_shopper_and_cart,
        )

    spread_before = open_cart_in_fresh_windows()
    visit_path(page, hydration, "/cart")
    shows_shopper_and_cart(page)

    # When the app restarts with the book in the cart and the page reloads,
    console.restarting = True
    stop_web_serve(server)
    first_log = server.log_text()
    start_web_serve(server, workers=WORKERS)
    before = hydration.count
    page.reload()
    hydration.wait_beyond(before)
    console.restarting = False

    # the shopper is still logged in, the cart still contains the book,
    shows_shopper_and_cart(page)
    expect(page.locator("#cart-count")).to_have_text("1")
    _screenshot(page, "cart-after-restart")
    spread_after = open_cart_in_fresh_windows()
    with server.session() as session:
        stock_before = session.exec(
            select(Book.stock_on_hand).where(Book.id == book_id)
        ).one()

    # and checkout with the test card completes.
    number = check_out_with_test_card(page, hydration)
    _screenshot(page, "order-after-restart")
    shopper_context.close()

    # Then the requests were served by both workers before and after the restart,
    assert len(spread_before) == 2, (
        f"{MAX_FRESH_WINDOWS} fresh windows all went to worker {spread_before}"
    )
    assert len(spread_after) == 2, (
        f"{MAX_FRESH_WINDOWS} fresh windows all went to worker {spread_after}"
    )
    first_workers = _started_workers(first_log)
    assert len(first_workers) == WORKERS
    assert {line["pid"] for line in _access_lines(first_log)} == first_workers
    second_log = server.log_text(len(first_log.encode()))
    second_workers = _started_workers(second_log)
    assert len(second_workers) == WORKERS
    assert second_workers.isdisjoint(first_workers)
    assert {line["pid"] for line in _access_lines(second_log)} == second_workers

    # the database contains the shopper's paid order, its mails and the new stock,
    with server.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        order = session.exec(select(Order).where(Order.number == number)).one()
        stock_after = session.exec(
            select(Book.stock_on_hand).where(Book.id == book_id)
        ).one()
        mails = session.exec(
            select(OutboxEmail.kind).where(OutboxEmail.to_address == email)
        ).all()
    assert user.email_confirmed_at is not None
    assert order.user_id == user.id
    assert order.status == OrderStatus.PAID.value
    assert stock_after == stock_before - 1
    assert sorted(mails) == ["order_placed", "signup_confirmation"]
    # Both workers run a mail worker, and the outbox lease lets only one send a mail.
    # A mail sent twice would show its Message-ID, made from the outbox row, twice.
    message_ids = [mail["Message-ID"] for mail in _mails_to(server, email)]
    assert len(message_ids) == len(set(message_ids))

    # and nothing failed on the way, apart from the connection while the app was down.
    assert TRACEBACK_MARK not in server.log_text()
    assert console.unexpected == []
