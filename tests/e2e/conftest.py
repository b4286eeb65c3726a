"""Browser-test harness: one production build of the store per run, driven by Chromium.

The session starts one real server the way a deployment does (`web build`, then
`web serve` under granian) on a free port of 127.0.0.1, with its own database, mail
folder and Reflex work folders under a temporary directory. Tests drive it through
Playwright's sync API with Debian's Chromium. One server per session also avoids the
trouble of several Reflex AppHarness instances in one process.

Run these tests in their own pytest process with pytest-asyncio switched off, because
its event loop breaks Playwright's sync API:

    python -m pytest -p no:asyncio tests/e2e

Environment:
    E2E_DATABASE: "sqlite" or "postgresql"; postgresql when TEST_DATABASE_URL is set,
        sqlite otherwise.
    TEST_DATABASE_URL: PostgreSQL server on which a fresh database is created for the
        run and dropped after it.
    E2E_CHROMIUM: Chromium binary (default /usr/bin/chromium).

Fixtures (see each docstring): `store_server`, `browser`, `context`, `page`,
`hydration`, `visit`, `screenshot`. A test fails when the browser console reports
an error or the server logs a traceback while it runs; mark it
`allow_console_errors` (optionally with regular expressions) or
`allow_server_errors` when it expects them.
pytest-playwright empties test-results/ when a run starts, so the screenshots there
are those of the last run.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    WebSocket,
    expect,
    sync_playwright,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from sky_readers.core.settings import (
    PROJECT_ROOT,
    get_settings,
    normalise_database_url,
)
from sky_readers.devtools.fake_google_books import FakeGoogleBooks
from tests.processes import free_port, stop_process_group

logger = logging.getLogger(__name__)

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = PROJECT_ROOT / "test-results" / "screenshots"

# Seconds allowed for the frontend build, for the server to respond to /ping, for one
# command, and for a page to receive its state over the websocket.
BUILD_TIMEOUT = 600
START_TIMEOUT = 60
CLI_TIMEOUT = 300
HYDRATE_TIMEOUT = 15

# prctl option that gives a child a signal on its parent's death (linux/prctl.h).
PR_SET_PDEATHSIG = 1

# Reflex sends this delta once the page's state has loaded over the websocket.
HYDRATED_MARK = '"is_hydrated_rx_state_":true'
# Python prints this line first in every traceback the server logs.
TRACEBACK_MARK = "Traceback (most recent call last)"
# Text of Reflex's toast when the websocket cannot reach the server.
CONNECT_ERROR_TEXT = "Cannot connect to server"

# The server of this session, for the failure report hook.
_running_server: StoreServer | None = None
_call_failed_key = pytest.StashKey[bool]()
_log_offset_key = pytest.StashKey[int]()
_log_reported_key = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of tests that expect console errors, and handle SIGTERM."""
    config.addinivalue_line(
        "markers",
        "allow_console_errors(*patterns): accept browser console errors, all of them "
        "or those matching one of the regular expressions",
    )
    config.addinivalue_line(
        "markers",
        "allow_server_errors: accept tracebacks in the server log during the test",
    )
    # `timeout` in the Makefile stops a hung run with SIGTERM, which ends pytest
    # without teardown. Raised as KeyboardInterrupt, it lets teardown stop the server
    # and drop the database.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, _frame) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `e2e`."""
    e2e_folder = Path(__file__).parent
    for item in items:
        if e2e_folder in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Record the size of the server log when a test starts."""
    server = _running_server
    item.stash[_log_offset_key] = server.log_size() if server else 0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Add the server's log lines written during a failed test to its report."""
    report = yield
    if report.when == "call":
        item.stash[_call_failed_key] = report.failed
    server = _running_server
    if report.failed and server is not None:
        if item.stash.get(_log_reported_key, False):
            return report
        item.stash[_log_reported_key] = True
        since = item.stash.get(_log_offset_key, 0)
        report.sections.append(
            (f"store server log ({server.log_path})", server.log_text(since))
        )
    return report


# ---------------------------------------------------------------------------- server


@dataclasses.dataclass
class StoreServer:
    """A running production server of the store, as the `store_server` fixture gives.

    Attributes:
        base_url: Root address of the store, such as http://127.0.0.1:41234 (no
            trailing slash); pages, the websocket and /api share it.
        database_url: SQLAlchemy URL of the server's database.
        tmp_dir: Folder of this run: database file, mail, covers, Reflex work folders.
        mail_dir: Folder where the console mail backend writes one .eml per mail.
        log_path: File that receives the server's standard output and error.
        env: Environment of the server, also used by `run_cli`.
    """

    base_url: str
    database_url: str
    tmp_dir: Path
    mail_dir: Path
    log_path: Path
    env: dict[str, str] = dataclasses.field(repr=False)
    process: subprocess.Popen | None = dataclasses.field(default=None, repr=False)
    _engine: Engine | None = dataclasses.field(default=None, repr=False)

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of a path on the store, such as "/api/categories"."""
        return self.base_url + "/" + path.lstrip("/")

    def run_cli(
        self, *args: str, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `python -m sky_readers ARGS` against the server's database and folders.

        Args:
            *args: Command line after `python -m sky_readers`, e.g. ("users", "list").
            check: Fail the test when the command exits with a non-zero status.
            input: Text sent to the command's standard input.

        Returns:
            The finished process with `returncode`, `stdout` and `stderr` as text.
        """
        command = [sys.executable, "-m", "sky_readers", *args]
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"`{' '.join(command[1:])}` exited with status {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}",
                pytrace=False,
            )
        return result

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session on the server's database that commits when the block ends.

        Yields:
            The session; its changes are visible to the server after the block.
        """
        if self._engine is None:
            self._engine = build_engine(self.database_url)
        with Session(self._engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def mail_files(self) -> list[Path]:
        """List the mails the console backend has written so far, oldest first."""
        if not self.mail_dir.is_dir():
            return []
        return sorted(self.mail_dir.glob("**/*.eml"), key=lambda p: p.stat().st_mtime)

    def log_size(self) -> int:
        """Return the current size of the server log, in bytes."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since: int = 0) -> str:
        """Return the server log from a byte offset on."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", errors="replace")

    def dispose(self) -> None:
        """Close the database connections that `session` opened."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _database_choice() -> str:
    server_url = os.environ.get("TEST_DATABASE_URL", "").strip()
    choice = os.environ.get("E2E_DATABASE", "").strip().lower()
    choice = choice or ("postgresql" if server_url else "sqlite")
    if choice not in ("sqlite", "postgresql"):
        pytest.fail(
            f"invalid E2E_DATABASE {choice!r}: use sqlite or postgresql", pytrace=False
        )
    if choice == "postgresql" and not server_url:
        pytest.fail(
            "E2E_DATABASE=postgresql needs TEST_DATABASE_URL, for example "
            "postgresql://postgres@127.0.0.1:5432/test",
            pytrace=False,
        )
    return choice


@contextlib.contextmanager
def _fresh_database(tmp_dir: Path) -> Iterator[str]:
    """Create an empty database for the run, and drop it afterwards on PostgreSQL.

    Yields:
        The database's URL.
    """
    if _database_choice() == "sqlite":
        yield f"sqlite:///{tmp_dir / 'store.db'}"
        return

    server_url = os.environ["TEST_DATABASE_URL"].strip()
    name = f"sky_e2e_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield (
            make_url(server_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_environment(tmp_dir: Path, port: int, database_url: str) -> dict[str, str]:
    """Return the environment of a one-worker development server on a port.

    Mail, covers and Reflex's work folders go under `tmp_dir`.
    """
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    # One worker keeps state in the server process; Redis is not needed.
    env.pop("REFLEX_REDIS_URL", None)
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY="e2e-secret-key-" + uuid.uuid4().hex,
        PUBLIC_BASE_URL=base_url,
        CORS_ORIGINS=base_url,
        BIND_HOST="127.0.0.1",
        PORT=str(port),
        WEB_WORKERS="1",
        EMAIL_BACKEND="console",
        EMAIL_FILE_DIR=str(tmp_dir / "mail"),
        # Tests deliver mail with `mail worker --once`, each with the backend it needs.
        MAIL_WORKER_IN_APP="false",
        STORAGE_BACKEND="local",
        LOCAL_STORAGE_DIR=str(tmp_dir / "covers"),
        BCRYPT_ROUNDS="4",
        REFLEX_WEB_WORKDIR=str(tmp_dir / "web"),
        REFLEX_STATES_WORKDIR=str(tmp_dir / "states"),
        REFLEX_UPLOADED_FILES_DIR=str(tmp_dir / "uploads"),
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_up(server: StoreServer, deadline: float) -> None:
    ping = server.url("/ping")
    while True:
        if server.process is not None and server.process.poll() is not None:
            pytest.fail(
                f"`web serve` exited with status {server.process.returncode} before "
                f"answering {ping}; its log:\n{server.log_text()}",
                pytrace=False,
            )
        try:
            if httpx.get(ping, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"`web serve` did not answer {ping} within {START_TIMEOUT} s; its "
                f"log:\n{server.log_text()}",
                pytrace=False,
            )
        time.sleep(0.2)


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to the server when pytest dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its granian workers: SIGTERM, then SIGKILL after 15 s."""
    # The server leads its own process group, so the signal reaches its workers too.
    stop_process_group(process, grace_seconds=15)


def build_frontend(server: StoreServer) -> None:
    """Build the production frontend into the server's REFLEX_WEB_WORKDIR.

    The build calls the server at `server.base_url`, so the server must listen on
    that port. A failed build fails the test.
    """
    build = subprocess.run(
        [sys.executable, "-m", "sky_readers", "web", "build"]
        + ["--api-url", server.base_url],
        cwd=PROJECT_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(
            f"`web build` exited with status {build.returncode}\n"
            f"{build.stdout}\n{build.stderr}",
            pytrace=False,
        )


def start_web_serve(server: StoreServer, *, workers: int) -> None:
    """Start `web serve` with its own process group and wait until /ping responds.

    The server's output is appended to `server.log_path`, so the log of a restarted
    server follows that of the previous run. Stop it with `stop_web_serve`.
    """
    port = str(urlsplit(server.base_url).port)
    deadline = time.monotonic() + START_TIMEOUT
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen(
            [sys.executable, "-m", "sky_readers", "web", "serve"]
            + ["--host", "127.0.0.1", "--port", port, "--workers", str(workers)],
            cwd=PROJECT_ROOT,
            env=server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    try:
        _wait_until_up(server, deadline)
    except BaseException:
        _stop(server.process)
        raise


def stop_web_serve(server: StoreServer) -> None:
    """Stop the server that `start_web_serve` started, workers included."""
    if server.process is not None:
        _stop(server.process)


@pytest.fixture(scope="session")
def fake_google_books() -> Iterator[FakeGoogleBooks | None]:
    """Serve the recorded Google Books responses on 127.0.0.1 for the session.

    Yields None when the recordings are missing; the store then points at a closed
    loopback port, so no test ever reaches the real API.
    """
    folder = get_settings().shared_data_dir / "google_books"
    if not (folder / "INDEX.json").exists():
        yield None
        return
    with FakeGoogleBooks(folder, port=0) as server:
        yield server


@pytest.fixture(scope="session")
def store_server(
    tmp_path_factory: pytest.TempPathFactory,
    fake_google_books: FakeGoogleBooks | None,
) -> Iterator[StoreServer]:
    """Start the production store on 127.0.0.1 for the whole session.

    Set-up: a fresh database (see E2E_DATABASE), migrated to the newest revision and
    loaded with the starter catalog; the frontend built once with this server's
    address; then `python -m sky_readers web serve` in a subprocess, waited for until
    /ping responds. Development settings apply (APP_ENV=development, console mail into
    `mail_dir`, bcrypt cost 4). The server stops at the end of the session, and a
    failing test's report shows what the server logged during that test.

    Yields:
        The StoreServer, with `base_url`, `url(path)`, `database_url`, `session()`,
        `tmp_dir`, `mail_dir`, `mail_files()` and `run_cli(*args)`.
    """
    global _running_server
    tmp_dir = tmp_path_factory.mktemp("store")
    port = free_port()
    with _fresh_database(tmp_dir) as database_url:
        env = server_environment(tmp_dir, port, database_url)
        env["GOOGLE_BOOKS_API_URL"] = (
            fake_google_books.api_url
            if fake_google_books is not None
            else "http://127.0.0.1:9/books/v1"
        )
        server = StoreServer(
            base_url=f"http://127.0.0.1:{port}",
            database_url=database_url,
            tmp_dir=tmp_dir,
            mail_dir=Path(env["EMAIL_FILE_DIR"]),
            log_path=tmp_dir / "server.log",
            env=env,
        )
        migrations.upgrade(database_url)
        server.run_cli("catalog", "load-starter")
        build_frontend(server)
        start_web_serve(server, workers=1)
        _running_server = server
        try:
            yield server
        finally:
            _running_server = None
            _stop(server.process)
            server.dispose()


@pytest.fixture(autouse=True)
def _fail_on_server_traceback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which the server logged a traceback.

    Event handlers of Reflex pages log their exceptions on the server while the page
    goes on showing stale state, so the log is where such a bug shows. Mark a test
    `allow_server_errors` to accept them.
    """
    yield
    server = _running_server
    if server is None or "store_server" not in request.fixturenames:
        return
    if request.node.get_closest_marker("allow_server_errors"):
        return
    logged = server.log_text(request.node.stash.get(_log_offset_key, 0))
    if TRACEBACK_MARK in logged:
        pytest.fail(
            "the server logged a traceback during this test; see the store server "
            "log in the report",
            pytrace=False,
        )


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API for the session (replaces pytest-playwright's fixture)."""
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium for the session, never a downloaded browser.

    Playwright starts it with a new, empty temporary profile (user data folder) and
    deletes that folder when the browser closes.
    """
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` or set E2E_CHROMIUM",
            pytrace=False,
        )
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def context(browser: Browser, store_server: StoreServer) -> Iterator[BrowserContext]:
    """Open a fresh browser context per test: no cookies, storage or cache of others.

    Relative URLs resolve against the store, so `page.goto("/books/1")` works.
    """
    browser_context = new_store_context(browser, store_server.base_url)
    yield browser_context
    browser_context.close()


def new_store_context(browser: Browser, base_url: str, **options) -> BrowserContext:
    """Open a browser context on a store, set up like that of every browser test.

    The context has the same viewport, locale, time zone and timeouts. `options` go
    to `Browser.new_context`, for example `storage_state` to carry cookies over.
    """
    browser_context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 800},
        locale="en-US",
        timezone_id="UTC",
        **options,
    )
    browser_context.set_default_timeout(10_000)
    return browser_context


class HydrationWatcher:
    """Count the websocket deltas that tell a page its state has loaded."""

    def __init__(self, page: Page) -> None:
        """Start listening on the page's websockets."""
        self.page = page
        self.count = 0
        page.on("websocket", self._watch)

    def _watch(self, websocket: WebSocket) -> None:
        websocket.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and HYDRATED_MARK in payload:
            self.count += 1

    def wait_beyond(self, count: int, timeout: float = HYDRATE_TIMEOUT) -> None:
        """Wait until more hydrations than `count` arrived, or fail the test."""
        deadline = time.monotonic() + timeout
        while self.count <= count:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{self.page.url} got no state over the websocket within "
                    f"{timeout} s",
                    pytrace=False,
                )
            # Waiting inside Playwright lets it deliver the frame events.
            self.page.wait_for_timeout(50)


def _console_error_allowed(item: pytest.Item, message: str) -> bool:
    marker = item.get_closest_marker("allow_console_errors")
    if marker is None:
        return False
    if not marker.args:
        return True
    return any(re.search(pattern, message) for pattern in marker.args)


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Open a new page (browser tab) on the store.

    Errors in the browser console and uncaught page exceptions fail the test after it
    ran, unless it is marked `allow_console_errors`. A failing test also leaves a
    full-page screenshot in test-results/screenshots/.
    """
    browser_page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            errors.append(f"console error: {message.text} ({where})")

    browser_page.on("console", on_console)
    browser_page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield browser_page

    if request.node.stash.get(_call_failed_key, False):
        _save_screenshot(browser_page, f"{_test_file_name(request)}--failure")
    unexpected = [e for e in errors if not _console_error_allowed(request.node, e)]
    if unexpected:
        pytest.fail(
            f"the browser reported {len(unexpected)} error(s):\n"
            + "\n".join(unexpected),
            pytrace=False,
        )


@pytest.fixture
def hydration(page: Page) -> HydrationWatcher:
    """Count the state deliveries that `page` receives over the websocket.

    After a reload or a full navigation, wait for the new state with
    `before = hydration.count; page.reload(); hydration.wait_beyond(before)`.
    """
    return HydrationWatcher(page)


@pytest.fixture
def visit(page: Page, hydration: HydrationWatcher) -> Callable[..., Page]:
    """Open a store path in `page` and wait until its state arrived over the websocket.

    Call it as `visit("/categories/fantasy")`; it returns the page. It fails the test
    when the page returns another HTTP status than `expect_status` (200 by default),
    when no state arrives within 15 s, or when Reflex shows its "Cannot connect to
    server" message. Pass `expect_status=404` to open a page that should not exist.
    """

    def open_path(path: str, *, expect_status: int = 200) -> Page:
        return visit_path(page, hydration, path, expect_status=expect_status)

    return open_path


def visit_path(
    page: Page, hydration: HydrationWatcher, path: str, *, expect_status: int = 200
) -> Page:
    """Open a path in a page and wait for its state, as the `visit` fixture does."""
    before = hydration.count
    response = page.goto(path)
    status = response.status if response is not None else None
    assert status == expect_status, f"GET {path} returned {status}"
    hydration.wait_beyond(before)
    assert page.get_by_text(CONNECT_ERROR_TEXT).count() == 0, (
        f"{path} shows {CONNECT_ERROR_TEXT!r}"
    )
    return page


def sign_up(
    page: Page, hydration: HydrationWatcher, *, name: str, email: str, password: str
) -> None:
    """Fill in and send the sign-up form, and wait for the check-email page."""
    visit_path(page, hydration, "/signup")
    page.fill("#field-name", name)
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.fill("#field-confirm_password", password)
    page.click("#signup-submit")
    page.wait_for_url(re.compile(r"/check-email/?\?"))


def log_in(
    page: Page,
    hydration: HydrationWatcher,
    username: str,
    password: str,
    *,
    next_path: str = "/account",
) -> None:
    """Log in through the login form, and wait for `next_path` and its state."""
    login_path = "/login" if next_path == "/account" else f"/login?next={next_path}"
    visit_path(page, hydration, login_path)
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    before = hydration.count
    page.click("#login-submit")
    page.wait_for_url(re.compile(rf"{re.escape(next_path)}/?$"))
    hydration.wait_beyond(before)


def check_out_with_test_card(page: Page, hydration: HydrationWatcher) -> str:
    """Pay for the cart of a confirmed shopper with the card the test gateway approves.

    Starts on the cart page, fills a valid delivery address and the card 4242 4242
    4242 4242, and waits for the new order's page to show it paid.

    Returns:
        The order number, such as "SRH-2026-000012".
    """
    before = hydration.count
    page.click("#go-to-checkout")
    page.wait_for_url(re.compile(r"/checkout/?$"))
    hydration.wait_beyond(before)
    page.fill("#field-line1", "12 Harbour Street")
    page.fill("#field-city", "Portland")
    page.fill("#field-region", "ME")
    page.fill("#field-postal_code", "04101")
    page.fill("#field-card_number", "4242 4242 4242 4242")
    page.fill("#field-card_expiry", "12/39")
    page.fill("#field-card_cvc", "123")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/[A-Z]+-\d{4}-\d{6}/?\?placed=1$"))
    expect(page.locator("#order-status")).to_have_text("Paid")
    return page.locator("#order-number").inner_text().removeprefix("Order ").strip()


def _test_file_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")


def _save_screenshot(browser_page: Page, name: str) -> Path | None:
    path = SCREENSHOT_DIR / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        browser_page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # noqa: BLE001 (a closed page must not hide the failure)
        logger.warning("Could not save the screenshot %s: %s", path, exc)
        return None
    return path


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save full-page PNGs of `page` into test-results/screenshots/.

    Call it as `screenshot("cart-empty")`; the file is named after the test and the
    given name, such as test_checkout--cart-empty.png, and its path is returned.
    """

    def take(name: str) -> Path:
        path = _save_screenshot(page, f"{_test_file_name(request)}--{name}")
        assert path is not None, f"could not save the screenshot {name!r}"
        return path

    return take
