"""Who is logged in, for the header and the guards of private pages.

The browser session lives in an HttpOnly cookie that POST /login sets, so page
scripts cannot read it. Reflex keeps the headers of the websocket upgrade request,
which carries that cookie, in `router.headers.cookie` on the server only (Reflex
0.10.1 drops the cookie before state goes to the browser). Every check here reads the
cookie from there and looks the session up in the database, so a logout, a password
change or a role change applies to the next event at once.

The headers are those of the websocket's connection, so a new login or logout takes
effect on the next full page load. Login and logout are form posts followed by a
redirect, so the page loads anew.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import reflex as rx

from sky_readers.accounts import services, sessions
from sky_readers.accounts.models import Role, User
from sky_readers.core.db import session_scope
from sky_readers.core.settings import get_settings

logger = logging.getLogger(__name__)


def parse_cookie_header(header: str, name: str) -> str | None:
    """Return the value of one cookie from a Cookie request header, or None."""
    for part in (header or "").split(";"):
        key, separator, value = part.strip().partition("=")
        if separator and key == name:
            return value.strip().strip('"') or None
    return None


def session_id_of(state: rx.State) -> str | None:
    """Return the session cookie that the browser sent with the websocket upgrade."""
    return parse_cookie_header(
        state.router.headers.cookie, get_settings().session_cookie_name
    )


def session_user(state: rx.State) -> User | None:
    """Look up the logged-in user of any state's browser tab in the database.

    Returns:
        The active user of a live session, or None.

    """
    session_id = session_id_of(state)
    if session_id is None:
        return None
    with session_scope() as session:
        found = sessions.find_session(session, session_id)
    return found[1] if found else None


def admin_user(state: rx.State) -> User | None:
    """Look up the logged-in user and return it only if it has the admin role.

    Call it at the start of every admin event handler, not only in on_load:

        user = admin_user(self)
        if user is None:
            return login_redirect(self)
    """
    user = session_user(state)
    if user is None or user.role != Role.ADMIN.value:
        return None
    return user


def current_path(state: rx.State) -> str:
    """Return the path and query of the page the tab shows."""
    url = state.router.url
    return url.path + (f"?{url.query}" if url.query else "")


def login_redirect(state: rx.State, **extra: str) -> rx.event.EventSpec:
    """Send the tab to the login page, which returns to the current page afterwards."""
    query = {"next": current_path(state), **extra}
    return rx.redirect("/login?" + urlencode(query))


class AuthState(rx.State):
    """The visitor's account as the pages see it."""

    logged_in: bool = False
    user_name: str = ""
    is_admin: bool = False
    email_confirmed: bool = False
    user_email: str = ""
    user_handle: str = ""
    # Message shown after the last "send a new confirmation link" click.
    resend_message: str = ""

    def _show(self, user: User | None) -> None:
        self.logged_in = user is not None
        self.user_name = user.name if user else ""
        self.user_email = user.email if user else ""
        self.user_handle = (user.handle or "") if user else ""
        self.is_admin = bool(user and user.role == Role.ADMIN.value)
        self.email_confirmed = bool(user and user.email_confirmed_at is not None)

    def _refresh(self) -> User | None:
        """Look the user up again and update the vars; return the user or None."""
        user = session_user(self)
        self._show(user)
        return user

    @rx.event
    def load_user(self):
        """Fill the vars from the session cookie; every page's on_load runs it."""
        self.resend_message = ""
        self._refresh()

    @rx.event
    def require_login(self):
        """Guard a private page: without a live session go to the login page."""
        if self._refresh() is None:
            return login_redirect(self)
        return None

    @rx.event
    def require_admin(self):
        """Guard an admin page: anyone but a logged-in admin goes to the login page."""
        user = self._refresh()
        if user is None:
            return login_redirect(self)
        if user.role != Role.ADMIN.value:
            return login_redirect(self, error="admin")
        return None

    @rx.event
    def resend_confirmation(self):
        """Send a new confirmation link to the logged-in user's address."""
        user = self._refresh()
        if user is None:
            return login_redirect(self)
        with session_scope() as session:
            outcome = services.resend_confirmation(session, session.merge(user))
        messages = {
            services.ResendOutcome.SENT: (
                f"We sent a new link to {user.email}. Earlier links no longer work."
            ),
            services.ResendOutcome.TOO_SOON: (
                "We sent a link less than a minute ago: check your inbox and spam "
                "folder, or try again in a minute."
            ),
            services.ResendOutcome.ALREADY_CONFIRMED: "Your address is confirmed.",
        }
        self.resend_message = messages[outcome]
        if outcome is services.ResendOutcome.ALREADY_CONFIRMED:
            self.email_confirmed = True
        return rx.toast(self.resend_message)
