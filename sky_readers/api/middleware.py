"""ASGI middleware of the whole app: a request id and an access log line per request.

Reflex mounts itself inside the FastAPI app, so this middleware receives every HTTP
request: API routes, pages, uploads and Reflex's own endpoints.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from sky_readers.core.logging import request_id_var

logger = logging.getLogger("sky_readers.access")

REQUEST_ID_HEADER = b"x-request-id"
# An id sent by a proxy is kept only when it is short and plain, so that it cannot
# forge or bloat log lines. Any other value is replaced by a new id.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
# Paths that health probes and browsers fetch often; their lines are logged at DEBUG.
_QUIET_PATHS = re.compile(r"^/(ping|_health|favicon\.ico)$|\.[A-Za-z0-9]{1,8}$")


def _loggable_path(path: str) -> str:
    """Escape control characters of a decoded path, such as the NUL of `%00`.

    A raw control character would let a client break or forge plain-text log lines.
    """
    if path.isprintable():
        return path
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in path
    )


def _incoming_request_id(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == REQUEST_ID_HEADER:
            text = value.decode("latin-1").strip()
            if _VALID_REQUEST_ID.fullmatch(text):
                return text
    return None


class RequestIdMiddleware:
    """Tag each HTTP request with an id, return it, and log the request once.

    The id is the request's `X-Request-ID` header when it is plain text of at most
    100 characters, else a new random one. It is set in the logging context for the
    time the request runs and returned in the response's `X-Request-ID` header.
    """

    def __init__(self, app: Any) -> None:
        """Wrap an ASGI app."""
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Serve one connection; only HTTP requests get an id and a log line."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != REQUEST_ID_HEADER
                ]
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = _loggable_path(scope.get("path", ""))
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            level = logging.DEBUG if _QUIET_PATHS.search(path) else logging.INFO
            logger.log(
                level,
                "%s %s %d in %.1f ms",
                scope.get("method", "-"),
                path,
                status,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": scope.get("method", "-"),
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id_var.reset(token)


# Files of the frontend build whose names carry a hash of their content, such as
# /assets/entry.client-CCWdYbG9.js: a new build gives changed files new names.
_HASHED_ASSET = re.compile(r"^/assets/[^/]+-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
IMMUTABLE_CACHE = b"public, max-age=31536000, immutable"


class HashedAssetCacheMiddleware:
    """Let browsers cache the frontend's hashed files for a year without revalidating.

    The static file server sends them with an ETag only, so a returning browser
    derives a freshness from Last-Modified and soon revalidates each of the dozens
    of files a page loads. A name that changes with the content makes the long
    lifetime safe.
    """

    def __init__(self, app: Any) -> None:
        """Wrap an ASGI app."""
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Add Cache-Control to successful responses for hashed build files."""
        if scope["type"] != "http" or not _HASHED_ASSET.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_with_cache(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] in (
                200,
                304,
            ):
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", IMMUTABLE_CACHE))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cache)
