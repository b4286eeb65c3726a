"""Reject JSON request bodies whose text no database can store.

JSON may write a lone UTF-16 surrogate, such as "\\ud800", which Python decodes into
a string that has no UTF-8 form. Pydantic models reject such strings, but routes that
read the body themselves, such as sign-up and login, failed later with a 500, when
the password was hashed or the row written. This middleware returns 422 instead,
naming the field, before any route runs.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# Lower-case bytes of the escapes "\ud800" to "\udfff" as JSON writes them. A body
# without one has no surrogate, so it is passed on without a second parse.
_SURROGATE_ESCAPES = tuple(f"\\ud{digit}".encode() for digit in "89abcdef")
_MESSAGE = (
    "contains a lone UTF-16 surrogate such as \\ud800, which is not text: "
    "send the characters themselves as UTF-8"
)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            return b"json" in value.lower()
    return False


def _surrogate_field(value: Any, path: str = "") -> str | None:
    """Return the dotted path of the first string in `value` with a lone surrogate."""
    if isinstance(value, str):
        has_surrogate = any("\ud800" <= char <= "\udfff" for char in value)
        return (path or "request") if has_surrogate else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _surrogate_field(key) is not None:
            return path or "request"
        found = _surrogate_field(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class JsonTextMiddleware:
    """Return 422 for a JSON body with a lone surrogate; pass every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap an ASGI app."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read a JSON body, check its strings, and replay it to the app."""
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return

        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break

        field = None
        if any(escape in body.lower() for escape in _SURROGATE_ESCAPES):
            try:
                field = _surrogate_field(json.loads(body))
            except ValueError:
                # Malformed JSON is the route's to report, with its usual 422.
                field = None
        if field is not None:
            logger.info(
                "%s %s: %s has a lone surrogate", scope["method"], scope["path"], field
            )
            response = JSONResponse(
                status_code=422,
                content={
                    "detail": f"{field}: {_MESSAGE}.",
                    "errors": {field: _MESSAGE},
                },
            )
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)
