"""Benchmark the page loads of the production build in Chromium, goodbooks catalogue.

Starts the store as a deployment does (`web build`, then `web serve`) on a free port
of 127.0.0.1, with a fresh database holding the goodbooks-10k catalogue, and loads the
home page, the largest category and the most rated book in headless Chromium. For
each page it records:

- LCP: the largest contentful paint, the time until the page's largest element (on
  these pages a book cover or a heading) is painted, from a buffered
  PerformanceObserver read once the page is idle. The target applies to it;
- books shown: milliseconds from navigation start until the first book link (or, on
  a book page, the book's title in the h1) is in the page, at the next frame;
- HTTP bytes: transferSize of the navigation and every resource (0 when cached);
- state complete: milliseconds from navigation start until the websocket delivered
  the delta in which Reflex marks the page hydrated, after its on_load handlers;
- state bytes: websocket frames the browser received until the page was idle.

Cold runs use a new browser context each (empty cache and storage); warm runs reload
in one context after a first load. Figures are medians. Run from the project root:

    python bench/pages.py [--runs 5] [--database-server postgresql://...]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.report import write_section  # noqa: E402
from sky_readers.core.db import build_engine  # noqa: E402
from sky_readers.core.settings import (  # noqa: E402
    get_settings,
    normalise_database_url,
)

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
# The median largest contentful paint of each page, cold and warm, should come
# within this many milliseconds.
TARGET_MS = 1000
# Seconds to wait for a page to show its books, and websocket silence that counts as
# idle, in milliseconds.
PAGE_TIMEOUT = 20
IDLE_MS = 500
# Reflex sends this delta once the page's on_load handlers have run and their state
# changes were sent.
HYDRATED_MARK = '"is_hydrated_rx_state_":true'

# Runs in the page before its own scripts. It records the LCP candidates, the delta
# that completes the page's state and the moment the books appear. __READY__ maps a
# path to a CSS selector and optional text. socket.io uses the wrapped WebSocket.
OBSERVER_SCRIPT = """
(() => {
  const ready = __READY__[location.pathname];
  const bench = (window.__bench = { lcp: null, shown: null, state: null });
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const data = typeof event.data === "string" ? event.data : "";
        if (bench.state === null && data.includes(__HYDRATED_MARK__)) {
          bench.state = performance.now();
        }
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.lcp = entry.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  if (!ready) return;
  const check = () => {
    if (bench.shown !== null) return true;
    const element = document.querySelector(ready.selector);
    if (!element || (ready.text && !element.textContent.includes(ready.text))) {
      return false;
    }
    requestAnimationFrame(() => { bench.shown = performance.now(); });
    return true;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  document.addEventListener("DOMContentLoaded", () => {
    if (!check()) observer.observe(document.documentElement, {
      childList: true, subtree: true, characterData: true,
    });
  });
})();
"""

# Reads the timing of the navigation and the bytes of every response, in the page.
# The last LCP candidate comes from a new buffered observer after two frames, since
# on a busy machine the page's own observer may not have been called back yet.
METRICS_SCRIPT = """
async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await frame();
  await frame();
  const lcp = await new Promise((done) => {
    const timer = setTimeout(() => done(window.__bench.lcp), 1000);
    new PerformanceObserver((list, observer) => {
      const entries = list.getEntries();
      if (!entries.length) return;
      clearTimeout(timer);
      observer.disconnect();
      done(entries[entries.length - 1].startTime);
    }).observe({ type: "largest-contentful-paint", buffered: true });
  });
  const [nav] = performance.getEntriesByType("navigation");
  const resources = performance.getEntriesByType("resource");
  return {
    shown: window.__bench.shown,
    state: window.__bench.state,
    lcp,
    ttfb: nav.responseStart - nav.startTime,
    http_bytes: resources.reduce((sum, r) => sum + r.transferSize, nav.transferSize),
    requests: resources.length + 1,
  };
}
"""


@dataclasses.dataclass
class PageLoad:
    """Figures of one load of one page; times in milliseconds, sizes in bytes."""

    shown_ms: float
    state_ms: float
    lcp_ms: float
    ttfb_ms: float
    http_bytes: int
    state_bytes: int
    requests: int


@dataclasses.dataclass
class PageUnderTest:
    """A page to load and how to tell that its books are visible."""

    label: str
    path: str
    selector: str
    text: str = ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    print(f"- {what}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(
            f"{what} failed with exit status {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


@contextlib.contextmanager
def _database(tmp_dir: Path, server_url: str | None) -> Iterator[str]:
    """Yield the URL of a fresh database: SQLite, or a new one on the given server."""
    if not server_url:
        yield f"sqlite:///{tmp_dir / 'store.db'}"
        return
    name = f"sky_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _environment(tmp_dir: Path, port: int, database_url: str) -> dict[str, str]:
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.update(
        APP_ENV="development",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-secret-key-" + uuid.uuid4().hex,
        PUBLIC_BASE_URL=base_url,
        CORS_ORIGINS=base_url,
        EMAIL_BACKEND="console",
        EMAIL_FILE_DIR=str(tmp_dir / "mail"),
        STORAGE_BACKEND="local",
        LOCAL_STORAGE_DIR=str(tmp_dir / "covers"),
        REFLEX_WEB_WORKDIR=str(tmp_dir / "web"),
        REFLEX_STATES_WORKDIR=str(tmp_dir / "states"),
        REFLEX_UPLOADED_FILES_DIR=str(tmp_dir / "uploads"),
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_TELEMETRY_ENABLED="false",
    )
    return env


def _wait_for_ping(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"`web serve` exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/ping", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"`web serve` did not respond to /ping in 60 s:\n{log_path.read_text()}")


def _prepare(env: dict[str, str], catalog: str, base_url: str) -> None:
    """Migrate the database, load the catalogue and build the frontend."""
    cli = [sys.executable, "-m", "sky_readers"]
    _run([*cli, "db", "upgrade"], env, "migrating the database")
    if catalog == "goodbooks":
        folder = get_settings().shared_data_dir / "goodbooks-10k"
        _run(
            [*cli, "catalog", "import-goodbooks", "--no-progress", str(folder)],
            env,
            f"importing {folder}",
        )
    else:
        _run([*cli, "catalog", "load-starter"], env, "loading the starter catalog")
    _run([*cli, "web", "build", "--api-url", base_url], env, "building the frontend")


@contextlib.contextmanager
def _running_server(env: dict[str, str], port: int, log_path: Path) -> Iterator[None]:
    command = [sys.executable, "-m", "sky_readers", "web", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_ping(f"http://127.0.0.1:{port}", process, log_path)
        yield
    finally:
        # The server leads its own process group, which contains its granian workers.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@contextlib.contextmanager
def served_store(
    catalog: str, server_url: str | None
) -> Iterator[tuple[str, str, Path]]:
    """Import a catalogue, build the frontend and serve the store on 127.0.0.1.

    The working folder (database file, build, server log) is deleted afterwards,
    unless the benchmark failed.

    Args:
        catalog: "goodbooks" for the goodbooks-10k folder, "starter" for the
            starter catalogue.
        server_url: PostgreSQL server for a fresh database, or None for SQLite.

    Yields:
        The store's base URL, its database URL and the server log file.
    """
    tmp_dir = Path(tempfile.mkdtemp(prefix="sky-bench-pages-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_dir / "server.log"
    try:
        with _database(tmp_dir, server_url) as database_url:
            env = _environment(tmp_dir, port, database_url)
            _prepare(env, catalog, base_url)
            with _running_server(env, port, log_path):
                yield base_url, database_url, log_path
    except BaseException:
        print(f"Kept {tmp_dir} for its logs", file=sys.stderr)
        raise
    shutil.rmtree(tmp_dir, ignore_errors=True)


def pages_under_test(
    base_url: str, database_url: str, log_path: Path
) -> list[PageUnderTest]:
    """Pick the home page, the category with the most books and the most rated book."""
    pages = [PageUnderTest("home", "/", 'a[href^="/books/"]')]
    response = httpx.get(f"{base_url}/api/categories", timeout=30)
    if response.status_code != 200:
        sys.exit(
            f"GET /api/categories returned {response.status_code}; see the server "
            f"log {log_path}"
        )
    categories = response.json()
    if categories:
        largest = max(categories, key=lambda category: category["book_count"])
        label = f"category ({largest['book_count']} books)"
        path = f"/categories/{largest['slug']}"
        pages.append(PageUnderTest(label, path, 'a[href^="/books/"]'))

    engine = build_engine(database_url)
    with engine.connect() as connection:
        book = connection.execute(
            text(
                "SELECT id, title FROM book WHERE NOT is_archived "
                "ORDER BY rating_count DESC LIMIT 1"
            )
        ).first()
    engine.dispose()
    if book is not None:
        pages.append(PageUnderTest("book", f"/books/{book.id}", "h1", book.title))
    return pages


def _new_context(browser: Browser, base_url: str, pages: list[PageUnderTest]):
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 800}
    )
    ready = {p.path: {"selector": p.selector, "text": p.text} for p in pages}
    script = OBSERVER_SCRIPT.replace("__READY__", json.dumps(ready))
    script = script.replace("__HYDRATED_MARK__", json.dumps(HYDRATED_MARK))
    context.add_init_script(script)
    return context


def load_page(context: BrowserContext, target: PageUnderTest) -> PageLoad:
    """Load one page in a context and measure it once the websocket went quiet.

    Raises:
        SystemExit: The page did not show its books within PAGE_TIMEOUT seconds.
    """
    page = context.new_page()
    received = {"bytes": 0, "last": time.monotonic()}

    def on_frame(payload: str | bytes) -> None:
        size = len(payload.encode()) if isinstance(payload, str) else len(payload)
        received["bytes"] += size
        received["last"] = time.monotonic()

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.goto(target.path)
    try:
        page.wait_for_function(
            "() => window.__bench && window.__bench.shown !== null",
            timeout=PAGE_TIMEOUT * 1000,
        )
    except Exception as exc:  # noqa: BLE001 (Playwright's TimeoutError)
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench-pages.png"))
        sys.exit(
            f"{target.path} did not show {target.selector!r} {target.text!r}: {exc}"
        )
    page.wait_for_load_state("networkidle")
    while (time.monotonic() - received["last"]) * 1000 < IDLE_MS:
        page.wait_for_timeout(100)

    figures = page.evaluate(METRICS_SCRIPT)
    page.close()
    return PageLoad(
        shown_ms=figures["shown"],
        state_ms=figures["state"] if figures["state"] is not None else float("nan"),
        # No LCP entry at all leaves the load without the target's figure.
        lcp_ms=figures["lcp"] if figures["lcp"] else float("nan"),
        ttfb_ms=figures["ttfb"],
        http_bytes=int(figures["http_bytes"]),
        state_bytes=received["bytes"],
        requests=int(figures["requests"]),
    )


def measure(
    browser: Browser, base_url: str, pages: list[PageUnderTest], runs: int
) -> dict[str, dict[str, list[PageLoad]]]:
    """Load each page `runs` times cold and `runs` times warm.

    Returns:
        Loads by page label, then by "cold" or "warm".
    """
    results: dict[str, dict[str, list[PageLoad]]] = {}
    for target in pages:
        cold = []
        for _ in range(runs):
            context = _new_context(browser, base_url, pages)
            cold.append(load_page(context, target))
            context.close()

        context = _new_context(browser, base_url, pages)
        load_page(context, target)
        warm = [load_page(context, target) for _ in range(runs)]
        context.close()
        results[target.label] = {"cold": cold, "warm": warm}
        print(f"- {target.label} {target.path}: {len(cold) + len(warm)} loads")
    return results


def _median(loads: list[PageLoad], field: str) -> float:
    values = [getattr(load, field) for load in loads]
    values = [value for value in values if not math.isnan(value)]
    return statistics.median(values) if values else float("nan")


def _missing_lcp(loads: list[PageLoad]) -> int:
    return sum(1 for load in loads if math.isnan(load.lcp_ms))


def meets_target(loads: list[PageLoad]) -> bool:
    """Tell whether the median LCP of the loads is under the target.

    A load without an LCP entry counts as missing the target, so the median of the
    others cannot hide it.
    """
    return _missing_lcp(loads) == 0 and _median(loads, "lcp_ms") < TARGET_MS


def render(
    results: dict[str, dict[str, list[PageLoad]]],
    pages: list[PageUnderTest],
    runs: int,
    setup: str,
) -> str:
    """Format the medians as a Markdown table with a verdict against the target."""
    paths = {p.label: p.path for p in pages}
    lines = [
        setup,
        "",
        f"Medians of {runs} loads per row; times count from navigation start. The "
        f"target is a median LCP (largest contentful paint) under {TARGET_MS} ms for "
        "every page, cold and warm; the other columns are for reference.",
        "",
        "| page | cache | LCP (ms) | books shown (ms) | TTFB (ms) "
        "| state complete (ms) | HTTP (KiB) | requests | state via websocket (KiB) "
        f"| LCP under {TARGET_MS} ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, by_cache in results.items():
        for cache, loads in by_cache.items():
            verdict = "yes" if meets_target(loads) else "no"
            if missing := _missing_lcp(loads):
                verdict += f" (no LCP in {missing} loads)"
            lines.append(
                f"| {label} `{paths[label]}` | {cache} "
                f"| {_median(loads, 'lcp_ms'):.0f} | {_median(loads, 'shown_ms'):.0f} "
                f"| {_median(loads, 'ttfb_ms'):.0f} "
                f"| {_median(loads, 'state_ms'):.0f} "
                f"| {_median(loads, 'http_bytes') / 1024:.1f} "
                f"| {_median(loads, 'requests'):.0f} "
                f"| {_median(loads, 'state_bytes') / 1024:.1f} "
                f"| {verdict} |"
            )
    return "\n".join(lines)


def _book_count(database_url: str) -> int:
    engine = build_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM book")).scalar_one()
    engine.dispose()
    return count


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="Cold and warm loads per page (default 5)."
    )
    parser.add_argument(
        "--catalog",
        choices=("goodbooks", "starter"),
        default="goodbooks",
        help="Catalogue to load: goodbooks-10k from SHARED_DATA_DIR, or the starter.",
    )
    parser.add_argument(
        "--database-server",
        default=os.environ.get("BENCH_DATABASE_SERVER"),
        help="PostgreSQL server URL on which a fresh database is created and "
        "dropped (default: an SQLite file; env BENCH_DATABASE_SERVER).",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="Print the figures only."
    )
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 50:
        parser.error(f"invalid --runs {args.runs}: give a number from 1 to 50")

    with served_store(args.catalog, args.database_server) as (base_url, db_url, log):
        pages = pages_under_test(base_url, db_url, log)
        backend = make_url(db_url).get_backend_name()
        setup = (
            f"Production build served by `web serve` (granian, 1 worker) on "
            f"127.0.0.1, {backend} database with {_book_count(db_url)} books "
            f"({args.catalog} catalogue); headless Chromium with no network or CPU "
            "throttling, 1280x800 viewport."
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            load_before = os.getloadavg()[0]
            results = measure(browser, base_url, pages, args.runs)
            load_after = os.getloadavg()[0]
            browser.close()

    body = render(results, pages, args.runs, setup)
    met = all(meets_target(loads) for by in results.values() for loads in by.values())
    body += (
        f"\n\nTarget met on every page, cold and warm: {'yes' if met else 'no'}. "
        f"One-minute load average: {load_before:.1f} before the loads, "
        f"{load_after:.1f} after (other processes share the machine)."
    )
    print(body)
    if not args.no_write:
        print(f"Wrote {write_section('Page load', body)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
