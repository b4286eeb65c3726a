"""Account routes: sign-up and login forms, logout, confirmation, passwords, /api/me.

POST /signup, /login and /logout serve both the browser's forms and API clients: a
request that sends `Accept: application/json` or a JSON body gets JSON, any other gets
a 303 redirect to the page that comes next.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from sky_readers.accounts import services, sessions
from sky_readers.accounts.errors import (
    AuthenticationError,
    LoginThrottledError,
    SignupConflictError,
)
from sky_readers.accounts.redirects import DEFAULT_AFTER_LOGIN, safe_next
from sky_readers.accounts.tokens import issue_access_token
from sky_readers.api.cart_cookie import clear_cart_cookie, visitor_cart_token
from sky_readers.api.deps import (
    CurrentCaller,
    OptionalCaller,
    check_same_origin,
    client_address,
    session_cookie,
)
from sky_readers.api.schemas.accounts import (
    ConfirmRequest,
    ConfirmResponse,
    MePublic,
    MessageResponse,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ResendConfirmationRequest,
    SignupAccepted,
    TokenResponse,
)
from sky_readers.cart.services import merge_anonymous_cart
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.core.signed_messages import sign_messages

logger = logging.getLogger(__name__)

router = APIRouter(tags=["accounts"])

# Longest name and address sent back to the sign-up form after an error; longer ones
# are cut, which the field message beside them explains.
NAME_ECHO_LENGTH = 200
EMAIL_ECHO_LENGTH = 320

CHECK_EMAIL_MESSAGE = (
    "Check your email: we sent a link to confirm the address. It works for 24 hours."
)
CONFIRM_MESSAGES = {
    services.ConfirmOutcome.CONFIRMED: "Your email address is confirmed.",
    services.ConfirmOutcome.ALREADY_CONFIRMED: "This address was already confirmed.",
    services.ConfirmOutcome.EXPIRED: (
        "This confirmation link has expired. Ask for a new one."
    ),
    services.ConfirmOutcome.INVALID: (
        "This confirmation link is not valid: it was replaced by a newer link or "
        "mistyped. Use the newest link we sent, or ask for a new one."
    ),
}


def wants_json(request: Request) -> bool:
    """Tell whether the client asked for JSON, by Accept header or a JSON body."""
    accept = request.headers.get("accept", "")
    content_type = request.headers.get("content-type", "")
    return "application/json" in accept or content_type.startswith("application/json")


async def read_fields(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """Read named text fields from a JSON object or a form body.

    Missing and non-text fields come back as "". Values keep their full length, so
    messages about length report what was sent; the field rules check every length
    before bcrypt sees a password.

    Raises:
        ValidationError: Under "request", for a JSON body that is not an object.

    """
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body: Any = await request.json()
        except ValueError as exc:
            raise ValidationError(
                {"request": "The body is not valid JSON: send a JSON object."}
            ) from exc
        if not isinstance(body, dict):
            raise ValidationError(
                {"request": "The body must be a JSON object with the form's fields."}
            )
    else:
        body = await request.form()
    fields = {}
    for name in names:
        value = body.get(name)
        fields[name] = value if isinstance(value, str) else ""
    return fields


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def set_session_cookie(response: Response, session_id: str) -> None:
    """Put the session id in an HttpOnly, SameSite=Lax cookie (Secure in production)."""
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        session_id,
        max_age=settings.session_lifetime_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


def clear_session_cookie(response: Response) -> None:
    """Tell the browser to drop the session cookie."""
    settings = get_settings()
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=SignupAccepted,
    responses={303: {"description": "Browser form: go to /check-email"}},
)
async def signup(request: Request):
    """Create an account from `name`, `email`, `password` and `confirm_password`."""
    check_same_origin(request)
    fields = await read_fields(
        request, ("name", "email", "password", "confirm_password")
    )
    return await run_in_threadpool(_signup, request, fields)


def _signup(request: Request, fields: dict[str, str]) -> Response:
    # Runs in a worker thread because bcrypt blocks for a good fraction of a second.
    try:
        result = services.sign_up(**fields)
    except SignupConflictError as exc:
        if wants_json(request):
            return JSONResponse(
                status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)}
            )
        return _signup_error_redirect(fields, {"form": str(exc)})
    except ValidationError as exc:
        if wants_json(request):
            raise
        return _signup_error_redirect(fields, exc.errors)
    if wants_json(request):
        return JSONResponse(
            status_code=status.HTTP_201_CREATED,
            content={"detail": CHECK_EMAIL_MESSAGE, "email": result.email},
        )
    return _see_other("/check-email?" + urlencode({"email": result.email}))


def _signup_error_redirect(
    fields: dict[str, str], errors: dict[str, str]
) -> RedirectResponse:
    # The form page shows the signed messages beside their fields and fills in the
    # name and address again; passwords never go into a URL.
    query = {
        "name": fields["name"][:NAME_ECHO_LENGTH],
        "email": fields["email"][:EMAIL_ECHO_LENGTH],
        "errors": sign_messages(errors),
    }
    return _see_other("/signup?" + urlencode(query))


def _login_error_redirect(error: str, fields: dict[str, str], **extra: Any) -> Response:
    query = {"error": error, **extra}
    if fields.get("username"):
        query["username"] = fields["username"][:320]
    if fields.get("next"):
        query["next"] = safe_next(fields["next"])
    return _see_other("/login?" + urlencode(query))


@router.post(
    "/login",
    response_model=TokenResponse,
    responses={
        303: {"description": "Browser form: session cookie and redirect"},
        401: {"description": "Wrong user name or password"},
        429: {"description": "Too many failed logins; see Retry-After"},
    },
)
async def login(request: Request):
    """Log in with `username` (email or handle) and `password`.

    API clients get an access token. The browser gets a session cookie and a redirect
    to `next` when that is a path on this site, else to the account page.
    """
    check_same_origin(request)
    fields = await read_fields(request, ("username", "password", "next"))
    return await run_in_threadpool(_login, request, fields)


def _login(request: Request, fields: dict[str, str]) -> Response:
    # Runs in a worker thread because bcrypt blocks for a good fraction of a second.
    as_json = wants_json(request)

    missing = {
        name: f"Enter your {label}."
        for name, label in (
            ("username", "email address or user name"),
            ("password", "password"),
        )
        if not fields[name].strip()
    }
    if missing:
        if as_json:
            raise ValidationError(missing)
        return _login_error_redirect("missing", fields)

    try:
        with session_scope() as session:
            user = services.authenticate(
                session,
                username=fields["username"],
                password=fields["password"],
                client_address=client_address(request),
            )
            new_session = None
            if not as_json:
                new_session = sessions.create_session(
                    session,
                    user,
                    client_address=client_address(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
                # The visitor's cart joins the account's cart, at most once.
                merge_anonymous_cart(
                    session,
                    anonymous_token=visitor_cart_token(request),
                    user_id=user.id,
                )
    except LoginThrottledError as exc:
        if as_json:
            return JSONResponse(
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                content={"detail": str(exc), "retry_after": exc.retry_after_seconds},
                headers={"Retry-After": str(exc.retry_after_seconds)},
            )
        return _login_error_redirect(
            "throttled", fields, wait=str(exc.retry_after_seconds)
        )
    except AuthenticationError as exc:
        if as_json:
            return JSONResponse(
                status_code=status.HTTP_401_UNAUTHORIZED,
                content={"detail": str(exc)},
                headers={"WWW-Authenticate": "Bearer"},
            )
        return _login_error_redirect("invalid", fields)

    if as_json:
        token = issue_access_token(user.id)
        return TokenResponse(access_token=token.token, expires_in=token.expires_in)
    response = _see_other(safe_next(fields["next"], DEFAULT_AFTER_LOGIN))
    set_session_cookie(response, new_session.session_id)
    clear_cart_cookie(response)
    return response


@router.post(
    "/logout",
    response_model=MessageResponse,
    responses={303: {"description": "Browser form: go to /login"}},
)
async def logout(request: Request):
    """End the browser session of the cookie and drop the cookie."""
    check_same_origin(request)
    session_id = session_cookie(request)
    if session_id:
        with session_scope() as session:
            sessions.revoke_session(session, session_id)
    if wants_json(request):
        response: Response = JSONResponse({"detail": "Logged out."})
    else:
        response = _see_other("/login?logged_out=1")
    clear_session_cookie(response)
    return response


@router.post("/api/auth/confirm", response_model=ConfirmResponse)
def confirm(body: ConfirmRequest) -> ConfirmResponse:
    """Confirm an address with the token from its confirmation link."""
    with session_scope() as session:
        outcome = services.confirm_email(session, body.token)
    return ConfirmResponse(outcome=outcome.value, detail=CONFIRM_MESSAGES[outcome])


@router.post(
    "/api/auth/resend-confirmation",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MessageResponse,
)
def resend_confirmation(
    caller: OptionalCaller, body: ResendConfirmationRequest | None = None
) -> MessageResponse:
    """Send a new confirmation link: the caller's own, or by address or expired token.

    By address the response is the same whether or not an account exists.
    """
    body = body or ResendConfirmationRequest()
    with session_scope() as session:
        if caller is not None:
            user = session.merge(caller.user)
            outcome = services.resend_confirmation(session, user)
            return MessageResponse(detail=_resend_message(outcome))
        if body.token:
            services.resend_confirmation_for_token(session, body.token)
        elif body.email is not None:
            services.request_confirmation_by_email(session, body.email)
        else:
            raise ValidationError(
                {
                    "email": "Log in, or give the email address or the expired link's "
                    "token to send the new link for."
                }
            )
    return MessageResponse(
        detail="If that link or address belongs to an unconfirmed account, a new "
        "confirmation link is on its way."
    )


def _resend_message(outcome: services.ResendOutcome) -> str:
    if outcome is services.ResendOutcome.ALREADY_CONFIRMED:
        return "Your email address is already confirmed."
    if outcome is services.ResendOutcome.TOO_SOON:
        return "We sent a link less than a minute ago: check your inbox and spam."
    return "A new confirmation link is on its way; earlier links no longer work."


@router.post(
    "/api/auth/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MessageResponse,
)
def request_password_reset(body: PasswordResetRequest) -> MessageResponse:
    """Mail a one-hour reset link; the response never reveals whether the account exists."""
    with session_scope() as session:
        services.request_password_reset(session, body.email)
    return MessageResponse(
        detail="If an account has that address, a reset link is on its way. It "
        "works once, for one hour."
    )


@router.post("/api/auth/password-reset/confirm", response_model=MessageResponse)
def confirm_password_reset(body: PasswordResetConfirm) -> MessageResponse:
    """Set a new password with a reset link's token; every session of the user ends."""
    with session_scope() as session:
        services.reset_password(
            session,
            token=body.token,
            password=body.password,
            confirm_password=body.confirm_password,
        )
    return MessageResponse(detail="Your password is changed: log in with the new one.")


@router.post("/api/account/password", response_model=MessageResponse)
def change_password(caller: CurrentCaller, body: PasswordChange) -> MessageResponse:
    """Change the caller's password; every other session ends."""
    with session_scope() as session:
        user = session.merge(caller.user)
        services.change_password(
            session,
            user,
            current_password=body.current_password,
            new_password=body.new_password,
            confirm_password=body.confirm_password,
            keep_session_id=caller.session_id,
        )
    return MessageResponse(
        detail="Your password is changed, and your other sessions are logged out."
    )


@router.get("/api/me", response_model=MePublic)
def me(caller: CurrentCaller) -> MePublic:
    """Return the caller's own account."""
    user = caller.user
    return MePublic(
        id=user.id,
        email=user.email,
        name=user.name,
        handle=user.handle,
        role=user.role,
        email_confirmed=user.email_confirmed_at is not None,
        email_confirmed_at=user.email_confirmed_at,
        created_at=user.created_at,
    )
