"""Helpers of the account tests: sign-up, links from the outbox, page state requests."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from reflex.istate.data import RouterData
from sqlmodel import Session, select

from sky_readers.accounts import services
from sky_readers.core.settings import get_settings
from sky_readers.outbox.models import OutboxEmail

PASSWORD = "correct horse battery"
LINK_PATTERN = re.compile(r"https?://\S+?[?&]token=[A-Za-z0-9_\-]+")
ORIGIN = "http://127.0.0.1:3000"


def sign_up(
    session: Session,
    *,
    name: str = "Ada Lovelace",
    email: str = "ada@example.test",
    password: str = PASSWORD,
):
    """Sign up with valid fields and return the new user."""
    result = services.register_user(
        session, name=name, email=email, password=password, confirm_password=password
    )
    assert result.user is not None
    return result.user


def mails(session: Session, kind: str | None = None) -> list[OutboxEmail]:
    """Outbox rows in the order they were queued, optionally of one kind."""
    statement = select(OutboxEmail).order_by(OutboxEmail.id)
    if kind:
        statement = statement.where(OutboxEmail.kind == kind)
    return list(session.exec(statement).all())


def token_from(mail: OutboxEmail) -> str:
    """Return the token of the one link in a mail's text part."""
    links = LINK_PATTERN.findall(mail.text_body)
    assert len(links) == 1, mail.text_body
    return parse_qs(urlsplit(links[0]).query)["token"][0]


def latest_token(session: Session, kind: str) -> str:
    """Return the token in the newest mail of a kind."""
    return token_from(mails(session, kind)[-1])


def with_request(state, path: str, cookie: str = ""):
    """Give a page state the router data of a tab on `path` with a Cookie header."""
    headers = {"origin": ORIGIN}
    if cookie:
        headers["cookie"] = cookie
    state.router = RouterData.from_router_data({"headers": headers, "asPath": path})
    return state


def cookie_header(session_id: str) -> str:
    """Return a Cookie header that carries a session id among other cookies."""
    return f"theme=dark; {get_settings().session_cookie_name}={session_id}; x=1"


def redirect_target(spec) -> str:
    """Return the path of an rx.redirect event that a handler returned."""
    assert spec is not None
    assert spec.handler.fn.__qualname__ == "_redirect"
    args = {name._js_expr: value for name, value in spec.args}
    return args["path"]._var_value
