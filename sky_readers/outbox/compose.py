"""Build mails from templates and queue them in the caller's transaction."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urljoin

import jinja2
from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from sky_readers.core.db import new_row
from sky_readers.core.settings import get_settings
from sky_readers.outbox.models import OutboxEmail


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sky_readers.outbox", "templates"),
        # HTML parts escape every value; plain-text parts have nothing to escape.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def absolute_url(path: str) -> str:
    """Turn a path such as "/confirm?token=..." into a link on PUBLIC_BASE_URL."""
    return urljoin(get_settings().public_base_url.rstrip("/") + "/", path.lstrip("/"))


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render a mail's subject, plain-text part and HTML part.

    A template named "welcome" is three files: welcome.subject.txt, welcome.txt and
    welcome.html, all given the store's name and base URL besides `context`.

    Args:
        template: Base name of the template files.
        context: Values the templates use.

    Returns:
        The subject, the text body and the HTML body.
    """
    settings = get_settings()
    values = {
        "store_name": settings.store_name,
        "base_url": settings.public_base_url.rstrip("/"),
        **context,
    }
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(values).strip()
    text_body = env.get_template(f"{template}.txt").render(values)
    html_body = env.get_template(f"{template}.html").render(values)
    return subject, text_body, html_body


def enqueue_email(
    session: Session,
    *,
    kind: str,
    to_address: str,
    template: str,
    context: dict[str, Any],
    dedupe_key: str | None = None,
) -> OutboxEmail:
    """Render a mail and add it to the outbox in the caller's transaction.

    The caller commits, so the mail exists exactly when the event that causes it does.
    A second call with the same `dedupe_key` returns the mail already queued.

    Args:
        session: Session of the transaction that records the event.
        kind: What causes the mail, such as "signup_confirmation".
        to_address: Recipient's address.
        template: Base name of the template files (see `render`).
        context: Values the templates use.
        dedupe_key: Key unique to the event, so one event queues one mail.

    Returns:
        The queued outbox row.
    """
    if dedupe_key is not None:
        existing = session.exec(
            select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return existing
    subject, text_body, html_body = render(template, context)
    email = OutboxEmail(
        kind=kind,
        dedupe_key=dedupe_key,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
    )
    session.add(email)
    session.flush()
    return email


@functools.cache
def _insert_unless_queued(dialect: str) -> Insert:
    """Build the INSERT of an outbox row that skips a dedupe key already queued."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = OutboxEmail.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
        .returning(table.c.id)
    )


def enqueue_email_once(
    session: Session,
    *,
    kind: str,
    to_address: str,
    template: str,
    context: dict[str, Any],
    dedupe_key: str,
) -> OutboxEmail:
    """Render a mail and queue it with one statement, unless its event queued it.

    This does what `enqueue_email` does, in one round trip for events that are
    nearly always new, such as a placed order. The INSERT skips a dedupe key that is
    queued already, and only then a second statement reads the mail queued first.
    The row goes past the session's unit of work, so the returned mail is detached.
    The arguments are those of `enqueue_email`, where `dedupe_key` is required.

    Returns:
        The queued outbox row.
    """
    subject, text_body, html_body = render(template, context)
    row = new_row(
        OutboxEmail,
        kind=kind,
        dedupe_key=dedupe_key,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
    )
    connection = session.connection()
    email_id = connection.execute(
        _insert_unless_queued(connection.dialect.name), row
    ).scalar()
    if email_id is None:
        return session.exec(
            select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key)
        ).one()
    email = OutboxEmail(id=email_id, **row)
    make_transient_to_detached(email)
    return email
