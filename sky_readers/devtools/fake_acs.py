"""A local stand-in for the Azure Communication Services Email REST API.

It serves `POST /emails:send` and `GET /emails/operations/<id>` on 127.0.0.1 and
checks every request's HMAC-SHA256 signature as the ACS SDK computes it. Tests and
benchmarks script its failures: a queue of planned answers (429 with Retry-After,
500, 503, a timeout, a failed operation, a 400) and a random failure rate.

A second POST with the Operation-Id of an operation that is running or succeeded is
delivered again and counted in `repeated_posts`. That is the worst case, since ACS
does not document what it does with a repeated Operation-Id, so tests see every
resend that the sender fails to suppress. A POST after a failed operation starts a
new try under the same id.

Run it alone with `python -m sky_readers.devtools.fake_acs --port 8089`; it prints a
connection string for ACS_CONNECTION_STRING.
"""

from __future__ import annotations

import argparse
import base64
import collections
import dataclasses
import datetime as dt
import email.utils
import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

# Answers the fake can be told to give instead of accepting a request.
FAILURE_KINDS = ("429", "500", "503", "timeout", "failed", "400")
# Largest clock difference accepted in x-ms-date, as for ACS.
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)


@dataclasses.dataclass
class Failure:
    """One planned failure: its kind and, for 429, the Retry-After seconds."""

    kind: str
    retry_after: int | None = None

    def __post_init__(self) -> None:
        """Check the kind.

        Raises:
            ValueError: The kind is not one of FAILURE_KINDS.
        """
        if self.kind not in FAILURE_KINDS:
            msg = f"unknown failure kind {self.kind!r}: use one of {FAILURE_KINDS}"
            raise ValueError(msg)


@dataclasses.dataclass
class Operation:
    """A send operation as the fake tracks it."""

    id: str
    message: dict[str, Any]
    status: str = "Running"
    error: dict[str, str] | None = None
    # Status polls left that answer "Running" before the final status.
    running_polls: int = 0


@dataclasses.dataclass
class Delivery:
    """A message the fake counts as delivered."""

    operation_id: str
    to: list[str]
    subject: str
    delivered_at: float


class FakeAcsState:
    """Everything the fake stores, shared by its request threads under one lock."""

    def __init__(self, access_key: str, *, seed: int | None = None) -> None:
        """Start empty, with no failures planned.

        Args:
            access_key: Base64 key that requests must be signed with.
            seed: Seed of the random failures, for repeatable runs.
        """
        self.access_key = access_key
        self.lock = threading.Lock()
        self.operations: dict[str, Operation] = {}
        self.deliveries: list[Delivery] = []
        self.planned: collections.deque[Failure] = collections.deque()
        self.planned_polls: collections.deque[Failure] = collections.deque()
        self.random_rate = 0.0
        self.random_kinds: tuple[str, ...] = ("429", "500", "timeout")
        self.random_on_polls = True
        self.rng = random.Random(seed)
        # Seconds a "timeout" answer stalls; longer than the client's read timeout.
        self.timeout_seconds = 5.0
        # Whether a send that times out was queued first, as when only the answer
        # is lost on the way back.
        self.timeout_accepts = True
        # Status polls that answer "Running" before "Succeeded".
        self.running_polls = 0
        self.retry_after_seconds = 1
        self.requests: collections.Counter[str] = collections.Counter()
        self.answers: collections.Counter[str] = collections.Counter()
        # POSTs that repeated the Operation-Id of a running or succeeded operation.
        self.repeated_posts = 0

    def next_failure(self, is_poll: bool) -> Failure | None:
        """Take the next planned failure, or draw a random one."""
        with self.lock:
            planned = self.planned_polls if is_poll else self.planned
            if planned:
                return planned.popleft()
            if self.random_rate and (not is_poll or self.random_on_polls):
                if self.rng.random() < self.random_rate:
                    kinds = [
                        k for k in self.random_kinds if not is_poll or k != "failed"
                    ]
                    kind = self.rng.choice(kinds)
                    retry = self.retry_after_seconds if kind == "429" else None
                    return Failure(kind, retry)
        return None


class FakeAcsServer:
    """The fake ACS Email service on 127.0.0.1, run in a background thread.

    Use as a context manager, or call `start` and `stop`.
    """

    def __init__(
        self, port: int = 0, *, access_key: str | None = None, seed: int | None = None
    ) -> None:
        """Bind to 127.0.0.1.

        Args:
            port: Port to listen on; a free one when 0.
            access_key: Base64 access key; a random one by default.
            seed: Seed of the random failures.
        """
        key = access_key or base64.b64encode(secrets.token_bytes(32)).decode()
        self.state = FakeAcsState(key, seed=seed)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.fake_state = self.state  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Port the server listens on."""
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        """Base URL of the service."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_key(self) -> str:
        """Key that requests must be signed with."""
        return self.state.access_key

    @property
    def connection_string(self) -> str:
        """ACS connection string for this server."""
        return f"endpoint={self.endpoint}/;accesskey={self.access_key}"

    def start(self) -> FakeAcsServer:
        """Serve requests in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-acs", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAcsServer:
        """Start the server."""
        return self.start()

    def __exit__(self, *_exc) -> None:
        """Stop the server."""
        self.stop()

    # Scripting.

    def fail_next(
        self,
        kind: str,
        count: int = 1,
        retry_after: int | None = None,
        *,
        polls: bool = False,
    ) -> None:
        """Plan `count` failures of one kind for the next send requests.

        Args:
            kind: One of FAILURE_KINDS ("failed" only applies to sends).
            count: How many requests get it.
            retry_after: Retry-After seconds sent with a 429.
            polls: Plan them for status polls instead of sends.
        """
        with self.state.lock:
            queue = self.state.planned_polls if polls else self.state.planned
            for _ in range(count):
                queue.append(Failure(kind, retry_after))

    def fail_randomly(
        self,
        rate: float,
        kinds: tuple[str, ...] = ("429", "500", "timeout"),
        *,
        include_polls: bool = True,
    ) -> None:
        """Fail a share of requests with a random kind each.

        Args:
            rate: Share of requests that fail, from 0 to 1.
            kinds: Kinds to choose from, evenly.
            include_polls: Whether status polls fail too ("failed" never applies).
        """
        for kind in kinds:
            Failure(kind)
        with self.state.lock:
            self.state.random_rate = rate
            self.state.random_kinds = kinds
            self.state.random_on_polls = include_polls

    def set_timeout_seconds(self, seconds: float) -> None:
        """Set how long a "timeout" answer stalls."""
        self.state.timeout_seconds = seconds

    def set_running_polls(self, count: int) -> None:
        """Make each new operation answer "Running" to `count` polls first."""
        self.state.running_polls = count

    def deliveries(self) -> list[Delivery]:
        """Return a copy of the delivered messages, in order."""
        with self.state.lock:
            return list(self.state.deliveries)

    def deliveries_per_operation(self) -> collections.Counter[str]:
        """Count the deliveries of each operation id."""
        with self.state.lock:
            return collections.Counter(d.operation_id for d in self.state.deliveries)


def _rfc1123_to_datetime(value: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeACS/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> FakeAcsState:
        return self.server.fake_state  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        logger.debug("fake ACS: %s", format % args)

    def handle(self) -> None:
        # Clients drop keep-alive sockets after a timeout; that is no error here.
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass

    def _send_json(
        self, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        # Count before answering, so a client that reads the answer sees the count.
        self.state.answers[str(status)] += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str, **headers: str) -> None:
        self._send_json(
            status, {"error": {"code": code, "message": message}}, headers or None
        )

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _check_signature(self, body: bytes) -> str | None:
        """Return why the request's signature is wrong, or None when it is right."""
        date = self.headers.get("x-ms-date")
        content_hash = self.headers.get("x-ms-content-sha256")
        authorization = self.headers.get("Authorization", "")
        host = self.headers.get("Host", "")
        if not date or not content_hash or not authorization:
            return "missing x-ms-date, x-ms-content-sha256 or Authorization"
        sent_at = _rfc1123_to_datetime(date)
        if sent_at is None or abs(dt.datetime.now(dt.UTC) - sent_at) > MAX_CLOCK_SKEW:
            return f"x-ms-date {date!r} is invalid or more than 15 minutes off"
        expected_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if not hmac.compare_digest(content_hash, expected_hash):
            return "x-ms-content-sha256 does not match the body"
        prefix = (
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
        )
        if not authorization.startswith(prefix):
            return "Authorization is not HMAC-SHA256 over x-ms-date;host;content hash"
        string_to_sign = f"{self.command}\n{self.path}\n{date};{host};{content_hash}"
        key = base64.b64decode(self.state.access_key)
        digest = hmac.new(key, string_to_sign.encode(), hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
        if not hmac.compare_digest(authorization.removeprefix(prefix), expected):
            return "signature does not match"
        return None

    def _authorised(self, body: bytes) -> bool:
        problem = self._check_signature(body)
        if problem is None:
            return True
        self._error(
            HTTPStatus.UNAUTHORIZED, "Denied", f"Authentication failed: {problem}"
        )
        return False

    def _apply_failure(self, failure: Failure) -> bool:
        """Answer with a planned failure; return False when the request goes on."""
        if failure.kind == "429":
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            self._error(429, "TooManyRequests", "Too many requests", **headers)
        elif failure.kind in ("500", "503"):
            self._error(int(failure.kind), "ServiceUnavailable", "Try again later")
        elif failure.kind == "400":
            self._error(400, "InvalidSenderUserName", "Sender address is not valid")
        elif failure.kind == "timeout":
            time.sleep(self.state.timeout_seconds)
            self.close_connection = True
            self.state.answers["timeout"] += 1
        else:
            return False
        return True

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        self.state.requests["POST"] += 1
        parts = urlsplit(self.path)
        if parts.path != "/emails:send":
            self._error(404, "NotFound", f"no resource at {parts.path}")
            return
        if not self._authorised(body):
            return
        if "api-version" not in parse_qs(parts.query):
            self._error(400, "MissingApiVersionParameter", "api-version is required")
            return
        try:
            message = json.loads(body)
            recipients = [r["address"] for r in message["recipients"]["to"]]
            subject = message["content"]["subject"]
            message["senderAddress"]
        except (ValueError, KeyError, TypeError):
            self._error(400, "BadRequest", "body must have senderAddress, recipients")
            return

        failure = self.state.next_failure(is_poll=False)
        accept_then_stall = (
            failure is not None
            and failure.kind == "timeout"
            and self.state.timeout_accepts
        )
        if failure is not None and failure.kind != "failed" and not accept_then_stall:
            self._apply_failure(failure)
            return
        operation_id = self.headers.get("Operation-Id") or str(uuid.uuid4())
        with self.state.lock:
            earlier = self.state.operations.get(operation_id)
            if earlier is not None and earlier.status != "Failed":
                self.state.repeated_posts += 1
            operation = Operation(
                operation_id, message, running_polls=self.state.running_polls
            )
            if failure is not None and failure.kind == "failed":
                operation.status = "Failed"
                operation.error = {
                    "code": "EmailDroppedAllRecipientsSuppressed",
                    "message": "Message dropped by the fake on request",
                }
            else:
                self.state.deliveries.append(
                    Delivery(operation_id, recipients, subject, time.time())
                )
            self.state.operations[operation_id] = operation
        if accept_then_stall:
            self._apply_failure(failure)
            return
        host = self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}")
        version = parse_qs(parts.query)["api-version"][0]
        location = (
            f"http://{host}/emails/operations/{operation_id}?api-version={version}"
        )
        self._send_json(
            202,
            {"id": operation_id, "status": "Running", "error": None},
            {"Operation-Location": location, "Retry-After": "0"},
        )

    def do_GET(self) -> None:  # noqa: N802
        self.state.requests["GET"] += 1
        parts = urlsplit(self.path)
        prefix = "/emails/operations/"
        if not parts.path.startswith(prefix):
            self._error(404, "NotFound", f"no resource at {parts.path}")
            return
        if not self._authorised(b""):
            return
        failure = self.state.next_failure(is_poll=True)
        if failure is not None and self._apply_failure(failure):
            return
        operation_id = parts.path.removeprefix(prefix)
        with self.state.lock:
            operation = self.state.operations.get(operation_id)
            if operation is None:
                answer = None
            elif operation.running_polls > 0:
                operation.running_polls -= 1
                answer = {"id": operation.id, "status": "Running", "error": None}
            else:
                if operation.status == "Running":
                    operation.status = "Succeeded"
                answer = {
                    "id": operation.id,
                    "status": operation.status,
                    "error": operation.error,
                }
        if answer is None:
            self._error(404, "NotFound", f"operation {operation_id} not found")
            return
        headers = {"Retry-After": "1"} if answer["status"] == "Running" else None
        self._send_json(200, answer, headers)


def main(argv: list[str] | None = None) -> int:
    """Run the fake until Ctrl-C, printing its connection string."""
    parser = argparse.ArgumentParser(
        prog="python -m sky_readers.devtools.fake_acs",
        description="Serve a fake ACS Email API on 127.0.0.1 for local runs.",
    )
    parser.add_argument("--port", type=int, default=8089, help="Port (default 8089).")
    parser.add_argument(
        "--access-key", default=None, help="Base64 access key (default: random)."
    )
    parser.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        help="Share of requests, 0 to 1, answered with 429, 500 or a timeout.",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    server = FakeAcsServer(args.port, access_key=args.access_key)
    if args.fail_rate:
        server.fail_randomly(args.fail_rate)
    print(f"Fake ACS Email listening on {server.endpoint}", flush=True)
    print(f"ACS_CONNECTION_STRING='{server.connection_string}'", flush=True)
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
