"""States of the account pages: sign-up, confirmation, login, passwords, dashboard.

Handlers only read the form, call the account services and show the outcome; the
services hold every rule, as they do for the REST API.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from sky_readers.accounts import services
from sky_readers.accounts.email_tokens import TokenState
from sky_readers.accounts.errors import SignupConflictError, describe_wait
from sky_readers.accounts.redirects import safe_next
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.signed_messages import read_messages
from sky_readers.orders import queries as order_queries
from sky_readers.ui.states.auth import AuthState, login_redirect, session_id_of
from sky_readers.ui.states.orders import OrderRowView, order_row

logger = logging.getLogger(__name__)

T = TypeVar("T")

SIGNUP_NOT_SAVED_MESSAGE = (
    "Your sign-up was not saved: correct the fields marked below and send the form "
    "again."
)
# Messages of the login page, chosen by the `error` code that POST /login sends back.
LOGIN_ERRORS = {
    "invalid": (
        "The email or user name and password do not match an account. Check both "
        "and try again, or reset your password."
    ),
    "missing": "Enter your email address or user name, and your password.",
    "admin": "That page needs an admin account. Log in as an admin to open it.",
}


async def in_worker_thread(work: Callable[[Session], T]) -> T:
    """Run a service call in its own transaction in a worker thread.

    bcrypt blocks for a good fraction of a second at cost 12, so handlers that hash
    or check a password run it there while the server goes on serving other tabs.
    """

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(run)


def _query(state: rx.State, name: str) -> str:
    return state.router.url.query_parameters.get(name, "")


def _field(form: dict, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


class SignupState(rx.State):
    """The sign-up form and the message beside each field."""

    name_error: str = ""
    email_error: str = ""
    password_error: str = ""
    confirm_password_error: str = ""
    form_error: str = ""
    # Name and address that POST /signup sent back with its errors, to fill in again.
    name_value: str = ""
    email_value: str = ""

    def _set_errors(self, errors: dict[str, str]) -> None:
        self.name_error = errors.get("name", "")
        self.email_error = errors.get("email", "")
        self.password_error = errors.get("password", "")
        self.confirm_password_error = errors.get("confirm_password", "")

    @rx.event
    def load(self):
        """Show the field messages that a failed plain POST /signup sent back."""
        errors = read_messages(_query(self, "errors"))
        self._set_errors(errors)
        self.form_error = errors.get("form", "")
        if errors and not self.form_error:
            self.form_error = SIGNUP_NOT_SAVED_MESSAGE
        self.name_value = _query(self, "name")[:200] if errors else ""
        self.email_value = _query(self, "email")[:320] if errors else ""

    @rx.event
    async def submit(self, form: dict):
        """Create the account, or show what to fix beside each field."""
        self.form_error = ""
        try:
            result = await asyncio.to_thread(
                functools.partial(
                    services.sign_up,
                    name=_field(form, "name"),
                    email=_field(form, "email"),
                    password=_field(form, "password"),
                    confirm_password=_field(form, "confirm_password"),
                )
            )
        except ValidationError as exc:
            self._set_errors(exc.errors)
            self.form_error = SIGNUP_NOT_SAVED_MESSAGE
            return None
        except SignupConflictError as exc:
            self._set_errors({})
            self.form_error = str(exc)
            return None
        self._set_errors({})
        return rx.redirect("/check-email?" + urlencode({"email": result.email}))


class CheckEmailState(rx.State):
    """The "check your email" page, with a button to send the link again."""

    email: str = ""
    message: str = ""

    @rx.event
    def load(self):
        """Show the address the link went to."""
        self.email = _query(self, "email")[:320]
        self.message = ""

    @rx.event
    def resend(self):
        """Send the link again; the message is the same whether or not an account exists."""
        try:
            with session_scope() as session:
                services.request_confirmation_by_email(session, self.email)
        except ValidationError as exc:
            self.message = exc.errors.get("email", str(exc))
            return None
        self.message = (
            "If that address has an unconfirmed account, a new link is on its way. "
            "Only the newest link works."
        )
        return rx.toast(self.message)


class ConfirmState(rx.State):
    """Outcome of opening a confirmation link."""

    # "", "confirmed", "already_confirmed", "expired" or "invalid".
    outcome: str = ""
    resend_message: str = ""
    _token: str = ""

    @rx.event
    async def load(self):
        """Confirm the address of the link's token."""
        self._token = _query(self, "token")
        self.resend_message = ""
        with session_scope() as session:
            self.outcome = services.confirm_email(session, self._token).value
        # The header and banner show the new confirmation state at once.
        auth = await self.get_state(AuthState)
        auth._refresh()

    @rx.event
    def resend(self):
        """Send a new link to the owner of the expired link."""
        with session_scope() as session:
            sent = services.resend_confirmation_for_token(session, self._token)
        self.resend_message = (
            "A new link is on its way. Open the newest mail; older links no longer "
            "work."
            if sent
            else "No new link was sent: this link was already replaced, or a new "
            "one went out less than a minute ago. Check your inbox."
        )
        return rx.toast(self.resend_message)


class LoginState(rx.State):
    """Messages and values that POST /login sent back to the login page."""

    error: str = ""
    notice: str = ""
    username: str = ""
    next_path: str = "/account"

    @rx.event
    def load(self):
        """Read the error code, the typed name and the safe `next` from the URL."""
        code = _query(self, "error")
        if code == "throttled":
            try:
                wait = max(1, int(_query(self, "wait")))
            except ValueError:
                wait = 60
            self.error = (
                f"Too many failed logins. Wait {describe_wait(wait)} and try again, "
                "or reset your password."
            )
        else:
            self.error = LOGIN_ERRORS.get(code, "")
        self.notice = "You are logged out." if _query(self, "logged_out") else ""
        self.username = _query(self, "username")[:320]
        self.next_path = safe_next(_query(self, "next"))


class ForgotPasswordState(rx.State):
    """The form that requests a reset link."""

    email_error: str = ""
    sent: bool = False

    @rx.event
    def load(self):
        """Show an empty form."""
        self.email_error = ""
        self.sent = False

    @rx.event
    def submit(self, form: dict):
        """Queue a reset link; the page never tells whether the account exists."""
        try:
            with session_scope() as session:
                services.request_password_reset(session, _field(form, "email"))
        except ValidationError as exc:
            self.email_error = exc.errors.get("email", str(exc))
            return
        self.email_error = ""
        self.sent = True


class ResetPasswordState(rx.State):
    """The form behind a reset link."""

    # "valid", "used", "expired" or "invalid" until the password is set, then "done".
    token_state: str = ""
    password_error: str = ""
    confirm_password_error: str = ""
    _token: str = ""

    @rx.event
    def load(self):
        """Check the link before showing the form."""
        self._token = _query(self, "token")
        self.password_error = ""
        self.confirm_password_error = ""
        with session_scope() as session:
            self.token_state = services.check_reset_token(session, self._token).value

    @rx.event
    async def submit(self, form: dict):
        """Set the new password, or show what to fix beside each field."""
        try:
            await in_worker_thread(
                functools.partial(
                    services.reset_password,
                    token=self._token,
                    password=_field(form, "password"),
                    confirm_password=_field(form, "confirm_password"),
                )
            )
        except ValidationError as exc:
            if "token" in exc.errors:
                with session_scope() as session:
                    state = services.check_reset_token(session, self._token)
                self.token_state = (
                    state.value if state is not TokenState.VALID else "invalid"
                )
            self.password_error = exc.errors.get("password", "")
            self.confirm_password_error = exc.errors.get("confirm_password", "")
            return None
        self.token_state = "done"
        return rx.toast("Your password is changed. Log in with the new one.")


class AccountState(rx.State):
    """The account dashboard's recent orders."""

    orders: list[OrderRowView] = []

    @rx.event
    async def load(self):
        """Load the recent orders of the logged-in user (the guard ran before)."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        if user is None:
            # require_login, which runs first, sends the tab to the login page.
            self.orders = []
            return
        with session_scope() as session:
            summaries = order_queries.list_orders(session, user.id, limit=5)
        self.orders = [order_row(summary) for summary in summaries]


class ChangePasswordState(rx.State):
    """The change-password form of a logged-in user."""

    current_password_error: str = ""
    new_password_error: str = ""
    confirm_password_error: str = ""
    done: bool = False

    @rx.event
    def load(self):
        """Show an empty form."""
        self.current_password_error = ""
        self.new_password_error = ""
        self.confirm_password_error = ""
        self.done = False

    @rx.event
    async def submit(self, form: dict):
        """Change the password and end every other session of the user."""
        auth = await self.get_state(AuthState)
        user = auth._refresh()
        if user is None:
            return login_redirect(self)
        keep_session_id = session_id_of(self)

        def change(session: Session) -> None:
            services.change_password(
                session,
                session.merge(user),
                current_password=_field(form, "current_password"),
                new_password=_field(form, "new_password"),
                confirm_password=_field(form, "confirm_password"),
                keep_session_id=keep_session_id,
            )

        try:
            await in_worker_thread(change)
        except ValidationError as exc:
            self.current_password_error = exc.errors.get("current_password", "")
            self.new_password_error = exc.errors.get("new_password", "")
            self.confirm_password_error = exc.errors.get("confirm_password", "")
            self.done = False
            return None
        self.current_password_error = ""
        self.new_password_error = ""
        self.confirm_password_error = ""
        self.done = True
        return rx.toast("Password changed. Your other sessions are logged out.")
