"""A fake Google Books API v1 that serves recorded responses on 127.0.0.1.

It serves the real API's paths, `/books/v1/volumes` and
`/books/v1/volumes/{id}`, so the store only needs GOOGLE_BOOKS_API_URL changed to
`http://127.0.0.1:PORT/books/v1`. A request is matched to a fixture file in this
order:

1. the request URL recorded for the file in INDEX.json (path and query parameters,
   ignoring `key`, `printType`, `country` and `projection`, with `q` compared case-
   and space-insensitively);
2. for `q=isbn:...`, a recorded list or volume that carries that ISBN-10 or ISBN-13;
3. for a volume id, a recorded volume, or an item of a recorded list, with that id;
4. for other searches, the recorded pages of the same `q` and `filter`, merged by
   position, so any `startIndex` and `maxResults` get a slice of them.

A search with no match gets Google's zero-results body without an `items` key, and
an unknown volume id gets a 404. A file that matches a request as a whole is served
byte for byte, byte-order mark included; items taken out of a list are re-encoded.

Errors on demand, for the next N requests to the API paths, come from the control
endpoints, which take JSON bodies and return the current state:

- `POST /_control/fail` `{"status": 429, "count": 1, "retry_after": 2}` returns 429,
  500, 503 or any other error status, with a Retry-After header and an error
  `reason` (such as "dailyLimitExceeded") when given;
- `POST /_control/hang` `{"seconds": 5, "count": 1}` waits before responding, to push a
  client past its read timeout;
- `POST /_control/reset` clears both and the request log;
- `GET /_control/requests` returns the API requests served so far.

The same controls are methods of `FakeGoogleBooks` for tests in the same process.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

logger = logging.getLogger(__name__)

API_PREFIX = "/books/v1"
LOOPBACK = "127.0.0.1"
# Query parameters that do not change which recording is served for a request.
IGNORED_PARAMS = frozenset({"key", "printType", "country", "projection"})
# Google's default page size when maxResults is absent.
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 40
# Maximum hang the control endpoint accepts, in seconds, so no thread waits forever.
MAX_HANG_SECONDS = 120.0

ERROR_REASONS = {
    400: ("badRequest", "Bad request."),
    403: ("forbidden", "The request is not allowed."),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("backendError", "Backend Error"),
    502: ("backendError", "Bad Gateway"),
    503: ("backendFailed", "Service temporarily unavailable."),
    504: ("backendError", "Deadline exceeded."),
}


@dataclass
class _Fault:
    """Errors or delays that the next `count` API requests receive."""

    count: int
    status: int | None = None
    retry_after: str | None = None
    reason: str | None = None
    hang_seconds: float = 0.0


@dataclass
class _Fixtures:
    """Recorded bodies indexed the ways requests are matched to them."""

    # (path, parameters) of a recorded request -> (HTTP status, body).
    by_request: dict[tuple[str, tuple], tuple[int, bytes]] = field(default_factory=dict)
    volume_by_id: dict[str, bytes] = field(default_factory=dict)
    list_by_isbn: dict[str, bytes] = field(default_factory=dict)
    pages_by_query: dict[tuple[str, str], dict[int, dict]] = field(default_factory=dict)
    not_found_body: bytes | None = None
    unavailable_body: bytes | None = None
    missing_query_body: bytes | None = None


def _normalise_query(q: str) -> str:
    return " ".join(q.replace("+", " ").lower().split())


def _request_key(path: str, params: Mapping[str, str]) -> tuple[str, tuple]:
    kept = {k: v for k, v in params.items() if k not in IGNORED_PARAMS}
    if path.rstrip("/") == "/volumes":
        kept["q"] = _normalise_query(kept.get("q", ""))
        kept.setdefault("startIndex", "0")
    return path.rstrip("/"), tuple(sorted(kept.items()))


def _isbn13(isbn: str) -> str:
    """Return the ISBN-13 of an ISBN-10 or ISBN-13 (unchanged when not an ISBN-10)."""
    if len(isbn) != 10:
        return isbn
    core = "978" + isbn[:9]
    weighted = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
    return core + str((10 - weighted % 10) % 10)


def _item_isbns(item: Mapping[str, Any]) -> set[str]:
    info = item.get("volumeInfo") or {}
    found = set()
    for entry in info.get("industryIdentifiers") or []:
        if entry.get("type") in ("ISBN_10", "ISBN_13"):
            found.add(_isbn13(entry.get("identifier", "").upper()))
    return found


def _decode(body: bytes) -> Any:
    return json.loads(body.decode("utf-8-sig"))


def load_fixtures(folder: Path) -> _Fixtures:
    """Index every recorded response in a folder, using INDEX.json when present.

    Raises:
        FileNotFoundError: The folder does not exist or contains no JSON file.
    """
    if not folder.is_dir():
        msg = f"fixture folder {folder} does not exist"
        raise FileNotFoundError(msg)
    index_file = folder / "INDEX.json"
    if index_file.exists():
        entries = json.loads(index_file.read_text(encoding="utf-8"))["entries"]
    else:
        entries = [
            {"file": p.name, "http_status": 200, "request": {}}
            for p in sorted(folder.glob("*.json"))
        ]
    if not entries:
        msg = f"fixture folder {folder} holds no recorded responses (*.json)"
        raise FileNotFoundError(msg)

    fixtures = _Fixtures()
    for entry in entries:
        body = (folder / entry["file"]).read_bytes()
        _add_fixture(fixtures, entry, body)
    return fixtures


def _add_fixture(fixtures: _Fixtures, entry: Mapping[str, Any], body: bytes) -> None:
    status = entry.get("http_status", 200)
    url = (entry.get("request") or {}).get("url")
    params: dict[str, str] = {}
    if url:
        parsed = urllib.parse.urlsplit(url)
        params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        path = parsed.path.removeprefix(API_PREFIX)
        fixtures.by_request.setdefault(_request_key(path, params), (status, body))
    if status != 200:
        target = {
            404: "not_found_body",
            503: "unavailable_body",
            400: "missing_query_body",
        }
        if status in target and getattr(fixtures, target[status]) is None:
            setattr(fixtures, target[status], body)
        return

    payload = _decode(body)
    if payload.get("kind") == "books#volume":
        fixtures.volume_by_id.setdefault(payload["id"], body)
        for isbn in _item_isbns(payload):
            listed = {"kind": "books#volumes", "totalItems": 1, "items": [payload]}
            fixtures.list_by_isbn.setdefault(isbn, json.dumps(listed).encode())
        return

    items = payload.get("items") or []
    for item in items:
        fixtures.volume_by_id.setdefault(item["id"], json.dumps(item).encode())
    q = params.get("q", "")
    if q.lower().startswith("isbn:"):
        fixtures.list_by_isbn.setdefault(_isbn13(q[5:].strip().upper()), body)
    for item in items:
        for isbn in _item_isbns(item):
            if len(items) == 1:
                fixtures.list_by_isbn.setdefault(isbn, body)
    if q and not q.lower().startswith("isbn:"):
        start = int(params.get("startIndex", "0"))
        pages = fixtures.pages_by_query.setdefault(
            (_normalise_query(q), params.get("filter", "")), {}
        )
        for offset, item in enumerate(items):
            pages.setdefault(start + offset, item)


def error_body(
    status: int, message: str | None = None, reason: str | None = None
) -> bytes:
    """Build an error body in Google's format for an HTTP status."""
    default_reason, default_message = ERROR_REASONS.get(status, ("unknown", "Error"))
    reason = reason or default_reason
    text = message or default_message
    payload = {
        "error": {
            "code": status,
            "message": text,
            "errors": [{"message": text, "domain": "global", "reason": reason}],
        }
    }
    return json.dumps(payload).encode()


class FakeGoogleBooks:
    """The fake server; start it, point a client at `api_url`, stop it when done."""

    def __init__(self, fixtures_dir: Path, port: int = 0) -> None:
        """Load the fixtures and bind a port on 127.0.0.1 (0 picks a free one).

        Raises:
            FileNotFoundError: The fixture folder is missing or empty.
            OSError: The port cannot be bound.
        """
        self.fixtures = load_fixtures(Path(fixtures_dir))
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._stopping = threading.Event()
        self._stop_requested = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((LOOPBACK, port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """TCP port the server listens on."""
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        """Value for GOOGLE_BOOKS_API_URL."""
        return f"http://{LOOPBACK}:{self.port}{API_PREFIX}"

    @property
    def request_count(self) -> int:
        """Number of API requests served, control requests not included."""
        with self._lock:
            return len(self.requests)

    def start(self) -> Self:
        """Serve requests in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-google-books-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("Fake Google Books API listening at %s", self.api_url)
        return self

    def request_stop(self) -> None:
        """Make `wait_for_stop` return; safe to call from a signal handler."""
        self._stop_requested.set()

    def wait_for_stop(self) -> None:
        """Block until `request_stop` is called, waking often enough for Ctrl-C."""
        while not self._stop_requested.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving, wake hanging requests and release the port."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        logger.info("Fake Google Books API on port %d stopped", self.port)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        count: int = 1,
        retry_after: float | str | None = None,
        reason: str | None = None,
    ) -> None:
        """Fail the next `count` API requests with `status` and a Retry-After header.

        `reason` sets the error's reason, such as "dailyLimitExceeded" for a 403.
        """
        if not 400 <= status <= 599:
            msg = f"status {status} is not an HTTP error status (400 to 599)"
            raise ValueError(msg)
        header = None if retry_after is None else str(retry_after)
        fault = _Fault(count=count, status=status, retry_after=header, reason=reason)
        with self._lock:
            self._faults.append(fault)

    def hang_next(self, seconds: float, count: int = 1) -> None:
        """Wait `seconds` before answering each of the next `count` API requests."""
        seconds = min(float(seconds), MAX_HANG_SECONDS)
        with self._lock:
            self._faults.append(_Fault(count=count, hang_seconds=seconds))

    def reset(self) -> None:
        """Drop pending faults and the request log."""
        with self._lock:
            self._faults.clear()
            self.requests.clear()

    def state(self) -> dict[str, Any]:
        """Return pending faults and the number of requests served."""
        with self._lock:
            return {
                "request_count": len(self.requests),
                "pending": [vars(fault).copy() for fault in self._faults],
            }

    def _record(self, path: str, params: dict[str, str]) -> _Fault | None:
        with self._lock:
            self.requests.append({"path": path, "params": params, "at": time.time()})
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.count -= 1
            if fault.count <= 0:
                self._faults.pop(0)
            return fault

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def respond(self, path: str, params: dict[str, str]) -> tuple[int, bytes]:
        """Return the status and body recorded for an API request."""
        fixtures = self.fixtures
        exact = fixtures.by_request.get(_request_key(path, params))
        if exact is not None:
            return exact
        if path.rstrip("/") == "/volumes":
            return self._search(params)
        if path.startswith("/volumes/"):
            volume_id = path.removeprefix("/volumes/").strip("/")
            body = fixtures.volume_by_id.get(volume_id)
            if body is not None:
                return 200, body
            return 404, fixtures.not_found_body or error_body(
                404, "The volume ID could not be found."
            )
        return 404, error_body(404, f"No API method at {API_PREFIX}{path}.")

    def _search(self, params: dict[str, str]) -> tuple[int, bytes]:
        fixtures = self.fixtures
        q = params.get("q", "").strip()
        if not q:
            return 400, fixtures.missing_query_body or error_body(400, "Missing query.")
        try:
            start = int(params.get("startIndex", "0"))
            size = int(params.get("maxResults", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            return 400, error_body(400, "Invalid value for startIndex or maxResults.")
        if start < 0 or not 0 <= size <= MAX_PAGE_SIZE:
            return 400, error_body(400, "Values must be within the range: [0, 40]")

        if q.lower().startswith("isbn:"):
            isbn = _isbn13(q[5:].strip().replace("-", "").upper())
            body = fixtures.list_by_isbn.get(isbn)
            return 200, body if body is not None and start == 0 else _empty_list()

        positions = fixtures.pages_by_query.get(
            (_normalise_query(q), params.get("filter", "")), {}
        )
        items = []
        for position in range(start, start + size):
            if position not in positions:
                break
            items.append(positions[position])
        if not items:
            return 200, _empty_list()
        payload = {
            "kind": "books#volumes",
            "totalItems": len(positions),
            "items": items,
        }
        return 200, json.dumps(payload).encode()


def _empty_list() -> bytes:
    return json.dumps({"kind": "books#volumes", "totalItems": 0}).encode()


class _Handler(BaseHTTPRequestHandler):
    """Route one HTTP request to the API fake or to the control endpoints."""

    server_version = "FakeGoogleBooks/1"
    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeGoogleBooks:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format, *args):
        logger.debug("%s %s", self.address_string(), format % args)

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/_control/requests":
            with self.fake._lock:
                log = list(self.fake.requests)
            self._send_json(200, {"request_count": len(log), "requests": log})
            return
        if not parsed.path.startswith(API_PREFIX + "/"):
            self._send(404, error_body(404, f"No API method at {parsed.path}."))
            return

        params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        path = parsed.path.removeprefix(API_PREFIX)
        fault = self.fake._record(path, params)
        if fault is not None and fault.hang_seconds:
            self.fake._wait(fault.hang_seconds)
        if fault is not None and fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            body = (
                self.fake.fixtures.unavailable_body
                if fault.status == 503
                and self.fake.fixtures.unavailable_body
                and not fault.reason
                else error_body(fault.status, reason=fault.reason)
            )
            self._send(fault.status, body, headers)
            return
        status, body = self.fake.respond(path, params)
        self._send(status, body)

    def do_POST(self):
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            options = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send_json(400, {"error": "the body must be a JSON object"})
            return
        try:
            if parsed.path == "/_control/fail":
                self.fake.fail_next(
                    int(options.get("status", 503)),
                    int(options.get("count", 1)),
                    options.get("retry_after"),
                    options.get("reason"),
                )
            elif parsed.path == "/_control/hang":
                self.fake.hang_next(
                    float(options.get("seconds", 5)), int(options.get("count", 1))
                )
            elif parsed.path == "/_control/reset":
                self.fake.reset()
            else:
                self._send_json(404, {"error": f"no control endpoint {parsed.path}"})
                return
        except (TypeError, ValueError) as exc:
            self._send_json(400, {"error": f"invalid control options: {exc}"})
            return
        self._send_json(200, self.fake.state())

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode())

    def _send(
        self, status: int, body: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("Client closed the connection before the response was sent")
