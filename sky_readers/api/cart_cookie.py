"""The visitor's cart cookie: an HttpOnly random token set on the first page load.

Reflex pages run their events over a websocket and cannot set an HttpOnly cookie, so
the server sets it on the HTML responses of page loads instead. The websocket that
the page opens afterwards sends the cookie, where the cart state reads it. The token
names a cart on the server and grants access to that cart only.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sky_readers.cart.services import new_anonymous_token
from sky_readers.core.settings import get_settings

# Paths whose responses are not page loads: the API, Reflex's endpoints, uploads.
NOT_PAGE_PREFIXES = ("/api/", "/_event", "/_upload", "/_health", "/ping", "/assets/")


def visitor_cart_token(request: Request) -> str | None:
    """Return the visitor's cart token from the request's cookies, if any."""
    return request.cookies.get(get_settings().cart_cookie_name) or None


def cart_cookie_header(token: str) -> str:
    """Build the Set-Cookie value that stores a cart token for 30 days (by default)."""
    settings = get_settings()
    cookie = SimpleCookie()
    name = settings.cart_cookie_name
    cookie[name] = token
    cookie[name]["path"] = "/"
    cookie[name]["max-age"] = str(settings.cart_cookie_lifetime_seconds)
    cookie[name]["httponly"] = True
    cookie[name]["samesite"] = "Lax"
    if settings.is_production:
        cookie[name]["secure"] = True
    return cookie[name].OutputString()


def clear_cart_cookie(response: Response) -> None:
    """Tell the browser to drop the cart cookie, as login does after the merge."""
    settings = get_settings()
    response.delete_cookie(
        settings.cart_cookie_name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


class VisitorCartCookieMiddleware:
    """Give every browser without a cart cookie one on its next HTML page load."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap an ASGI app."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add Set-Cookie to an HTML response of a GET that came without the cookie."""
        if not self._needs_cookie(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    header = cart_cookie_header(new_anonymous_token())
                    headers.append((b"set-cookie", header.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _needs_cookie(scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        path = scope.get("path", "")
        if path.startswith(NOT_PAGE_PREFIXES):
            return False
        prefix = get_settings().cart_cookie_name.encode("latin-1") + b"="
        for key, value in scope.get("headers", []):
            if key != b"cookie":
                continue
            if any(part.strip().startswith(prefix) for part in value.split(b";")):
                return False
        return True
