"""A mail provider that fails never loses a sign-up or its confirmation mail."""

from __future__ import annotations

import time

from sqlmodel import Session, select

from sky_readers.accounts import services
from sky_readers.accounts.models import User
from sky_readers.outbox.backends.smtp import SmtpBackend
from sky_readers.outbox.models import OutboxAttempt, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from tests.accounts.helpers import LINK_PATTERN, sign_up, token_from
from tests.outbox.fixtures import FAST_RETRIES, SmtpSink, free_port


def test_failed_delivery_keeps_user_and_mail(engine):
    # Given a sign-up whose transaction has committed.
    with Session(engine) as session:
        sign_up(session)
        session.commit()

    # When the mail server refuses connections, and later accepts them.
    refused = SmtpBackend(host="127.0.0.1", port=free_port(), timeout=5)
    down = MailWorker(refused, engine=engine, schedule=FAST_RETRIES).run_once()
    with Session(engine) as session:
        [mail] = session.exec(select(OutboxEmail)).all()
        attempts = session.exec(select(OutboxAttempt)).all()
        assert session.exec(select(User)).one().email == "ada@example.test"
    assert down.retrying == 1
    assert mail.status == "retrying"
    assert len(attempts) == 1

    with SmtpSink() as sink:
        time.sleep(0.01)
        backend = SmtpBackend(host="127.0.0.1", port=sink.port, timeout=5)
        up = MailWorker(backend, engine=engine, schedule=FAST_RETRIES).run_once()
        [message] = sink.messages

    # Then the same mail arrives, and its link confirms the address.
    assert up.sent == 1
    text = message.get_body(("plain",)).get_content()
    assert LINK_PATTERN.search(text)
    with Session(engine) as session:
        mail = session.exec(select(OutboxEmail)).one()
        assert mail.status == "sent"
        outcome = services.confirm_email(session, token_from(mail))
        session.commit()
    assert outcome is services.ConfirmOutcome.CONFIRMED
