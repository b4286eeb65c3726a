"""Helpers of the account tests: sign-up with valid fields and links from the outbox."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session, select

from sky_readers.accounts import services
from sky_readers.outbox.models import OutboxEmail

PASSWORD = "correct horse battery"
LINK_PATTERN = re.compile(r"https?://\S+?[?&]token=[A-Za-z0-9_\-]+")


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
