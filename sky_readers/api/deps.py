"""Request dependencies: who is calling (JWT or session cookie), admin checks, CSRF."""

from __future__ import annotations

import dataclasses
import logging
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Path, Request, status

from sky_readers.accounts import sessions
from sky_readers.accounts.errors import AuthenticationError
from sky_readers.accounts.models import Role, User
from sky_readers.accounts.services import get_active_user
from sky_readers.accounts.tokens import decode_access_token
from sky_readers.core.db import session_scope
from sky_readers.core.ids import MAX_ROW_ID
from sky_readers.core.settings import get_settings

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclasses.dataclass(frozen=True)
class Caller:
    """The authenticated user of a request and how the request proved it."""

    user: User
    # "bearer" for an access token, "session" for the browser's session cookie.
    via: str
    # The session cookie's value when `via` is "session".
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the user has the admin role."""
        return self.user.role == Role.ADMIN.value


def client_address(request: Request) -> str:
    """Return the client's IP address, as the login limits count it.

    Behind TRUSTED_PROXY_HOPS proxies the address is the entry of X-Forwarded-For
    that the outermost trusted proxy added; entries further left are client-supplied.
    """
    peer = request.client.host if request.client else "unknown"
    hops = get_settings().trusted_proxy_hops
    if hops == 0:
        return peer
    forwarded = [
        entry.strip()
        for entry in request.headers.get("x-forwarded-for", "").split(",")
        if entry.strip()
    ]
    return forwarded[-hops] if len(forwarded) >= hops else peer


def session_cookie(request: Request) -> str | None:
    """Return the value of the session cookie, if the request carries one."""
    return request.cookies.get(get_settings().session_cookie_name) or None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _request_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin:
        return origin
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _allowed_origins(request: Request) -> set[str]:
    public = urlsplit(get_settings().public_base_url)
    allowed = {f"{public.scheme}://{public.netloc}".lower()}
    host = request.headers.get("host")
    if host:
        allowed.add(f"{request.url.scheme}://{host}".lower())
    return allowed


def check_same_origin(request: Request) -> None:
    """Reject a state-changing request that a page of another site sent.

    Browsers send Origin (or at least Referer) with every form post and fetch, so a
    cross-site request shows a foreign origin. A request with neither header comes
    from a non-browser client, which has no ambient cookie to abuse and is allowed.
    The session cookie is also SameSite=Lax, which keeps it off cross-site posts.

    Raises:
        HTTPException: 403 when the origin is neither PUBLIC_BASE_URL nor the host
            the request was sent to.

    """
    if request.method in SAFE_METHODS:
        return
    origin = _request_origin(request)
    if origin is None:
        return
    if origin.lower() not in _allowed_origins(request):
        logger.warning(
            "cross-site %s %s from %s rejected",
            request.method,
            request.url.path,
            origin,
        )
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=(
                f"Request from origin {origin!r} rejected: forms that change an "
                "account must be sent from the store's own pages."
            ),
        )


def find_caller(request: Request) -> Caller | None:
    """Identify the caller from an `Authorization: Bearer` token or the session cookie.

    A bearer token wins over the cookie. Tokens issued before the user's last password
    change are rejected.

    Raises:
        HTTPException: 401 for a malformed, tampered, expired or outdated token.

    """
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if authorization:
        if scheme.lower() != "bearer" or not credentials.strip():
            raise _unauthorized("Authorization header must be 'Bearer <access token>'.")
        try:
            claims = decode_access_token(credentials.strip())
        except AuthenticationError as exc:
            raise _unauthorized(str(exc)) from exc
        with session_scope() as session:
            user = get_active_user(session, claims.user_id)
        if user is None:
            raise _unauthorized("The access token's account is closed or unknown.")
        changed = user.password_changed_at
        if changed is not None and claims.issued_at.timestamp() < int(
            changed.timestamp()
        ):
            raise _unauthorized(
                "The password changed after this access token was issued: log in again."
            )
        return Caller(user=user, via="bearer")

    session_id = session_cookie(request)
    if session_id is None:
        return None
    with session_scope() as session:
        found = sessions.find_session(session, session_id)
    if found is None:
        return None
    return Caller(user=found[1], via="session", session_id=session_id)


def optional_caller(request: Request) -> Caller | None:
    """Return the caller, or None when anonymous; cookie posts get the CSRF check."""
    caller = find_caller(request)
    if caller is not None and caller.via == "session":
        check_same_origin(request)
    return caller


def require_caller(
    caller: Annotated[Caller | None, Depends(optional_caller)],
) -> Caller:
    """Return the caller, or raise 401 JSON without valid credentials."""
    if caller is None:
        raise _unauthorized(
            "Log in first: send 'Authorization: Bearer <access token>' from POST "
            "/login, or the session cookie."
        )
    return caller


def require_admin(caller: Annotated[Caller, Depends(require_caller)]) -> Caller:
    """Return an admin caller; raise 401 without credentials, 403 for a shopper."""
    if not caller.is_admin:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="This needs an admin account; yours is a shopper account.",
        )
    return caller


CurrentCaller = Annotated[Caller, Depends(require_caller)]
OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
AdminCaller = Annotated[Caller, Depends(require_admin)]

# An id in a URL path, such as the book of /api/books/{book_id}: a number outside the
# ids a row can have gets 422 naming the parameter, not a database error.
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
