"""Admin side of the outbox: counts, lists by state with attempts, dead mail retry."""

from __future__ import annotations

import time

import pytest

from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.outbox import services
from sky_readers.outbox.errors import PermanentDeliveryError, TransientDeliveryError
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker, RetrySchedule
from tests.outbox.fixtures import FAST_RETRIES, queue_mail
from tests.outbox.test_worker import ScriptedBackend


def test_counts_cover_every_state(engine, session):
    assert services.count_by_status(session) == {
        "pending": 0,
        "sending": 0,
        "retrying": 0,
        "sent": 0,
        "dead": 0,
    }
    sent, retrying, dead, _pending = queue_mail(session, 4)
    backend = ScriptedBackend()
    worker = MailWorker(
        backend, engine=engine, schedule=RetrySchedule(base_seconds=3600)
    )
    first, second, third = worker.claim(limit=3)
    worker.deliver(first)
    backend.errors = [TransientDeliveryError("503 ServiceUnavailable")]
    worker.deliver(second)
    backend.errors = [PermanentDeliveryError("400 InvalidEmailAddress")]
    worker.deliver(third)

    session.expire_all()
    assert services.count_by_status(session) == {
        "pending": 1,
        "sending": 0,
        "retrying": 1,
        "sent": 1,
        "dead": 1,
    }
    assert [first.mail.outbox_id, second.mail.outbox_id, third.mail.outbox_id] == [
        sent,
        retrying,
        dead,
    ]


def test_list_by_state_includes_attempts(engine, session):
    ids = queue_mail(session, 3)
    backend = ScriptedBackend(TransientDeliveryError("500 InternalServerError"))
    worker = MailWorker(backend, engine=engine, schedule=FAST_RETRIES, batch_size=1)
    worker.run_once()
    time.sleep(0.01)
    worker.run_once()

    page = services.list_outbox(session, status="sent")
    assert page.count == 3
    assert page.counts["sent"] == 3
    first = next(m for m in page.data if m.id == ids[0])
    assert [a.outcome for a in first.attempt_log] == ["transient_error", "sent"]
    assert first.attempt_log[0].error == "500 InternalServerError"
    assert first.attempt_log[1].backend == "scripted"
    assert services.list_outbox(session, status="dead").count == 0
    assert services.list_outbox(session).count == 3
    assert services.list_outbox(session, status="all", limit=2).data[0].id == ids[2]


def test_list_hides_mail_bodies(engine, session):
    queue_mail(session)
    (mail,) = services.list_outbox(session).data
    dumped = mail.model_dump()
    assert "text_body" not in dumped
    assert "html_body" not in dumped
    assert "tok0" not in str(dumped)


def test_pending_filter_includes_mail_being_sent(engine, session):
    queue_mail(session, 2)
    MailWorker(ScriptedBackend(), engine=engine).claim(limit=1)
    page = services.list_outbox(session, status="pending")
    assert page.count == 2
    assert {m.status for m in page.data} == {"pending", "sending"}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_list_rejects_bad_filters(session, options, field):
    with pytest.raises(ValidationError) as caught:
        services.list_outbox(session, **options)
    assert field in caught.value.errors


def test_retry_dead_queues_mail_with_fresh_attempts(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(PermanentDeliveryError("550 mailbox unavailable"))
    worker = MailWorker(backend, engine=engine)
    worker.run_once()
    session.expire_all()
    assert session.get(OutboxEmail, outbox_id).status == EmailStatus.DEAD.value

    services.retry_dead(session, outbox_id)
    session.commit()
    worker.run_once()

    detail = services.get_outbox_email(session, outbox_id)
    assert detail.status == EmailStatus.SENT.value
    assert detail.attempts == 1
    assert [a.number for a in detail.attempt_log] == [1, 2]
    assert [a.outcome for a in detail.attempt_log] == ["permanent_error", "sent"]


def test_retry_rejects_mail_that_is_not_dead(engine, session):
    (outbox_id,) = queue_mail(session)
    with pytest.raises(ValidationError, match="only dead mail") as caught:
        services.retry_dead(session, outbox_id)
    assert "status" in caught.value.errors


def test_retry_unknown_mail_is_not_found(session):
    with pytest.raises(NotFoundError, match="999"):
        services.retry_dead(session, 999)


@pytest.mark.parametrize("outbox_id", [0, -5, 2**31, 10**30])
def test_id_out_of_column_range_is_not_found(session, outbox_id):
    with pytest.raises(NotFoundError, match=str(outbox_id)):
        services.retry_dead(session, outbox_id)
    with pytest.raises(NotFoundError, match=str(outbox_id)):
        services.get_outbox_email(session, outbox_id)


def test_list_rejects_offset_past_column_range(session):
    with pytest.raises(ValidationError) as caught:
        services.list_outbox(session, offset=10**20)
    assert "offset" in caught.value.errors
