"""The delivery worker: claims, leases, retries with backoff, dead mail, logging."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from sky_readers.core.types import utcnow
from sky_readers.outbox.backends.console import ConsoleBackend
from sky_readers.outbox.backends.smtp import SmtpBackend
from sky_readers.outbox.errors import PermanentDeliveryError, TransientDeliveryError
from sky_readers.outbox.models import (
    AttemptOutcome,
    EmailStatus,
    OutboxAttempt,
    OutboxEmail,
)
from sky_readers.outbox.worker import LEASE_LOST, MailWorker, RetrySchedule
from tests.outbox.fixtures import FAST_RETRIES, queue_mail


class ScriptedBackend:
    """A backend that raises the planned errors in order, then succeeds."""

    name = "scripted"

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[int] = []
        self.calls = 0

    def send(self, mail):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(mail.outbox_id)
        return f"scripted-{mail.outbox_id}"

    def close(self) -> None:
        pass


def _attempts(session: Session, outbox_id: int) -> list[OutboxAttempt]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxAttempt)
            .where(OutboxAttempt.outbox_id == outbox_id)
            .order_by(OutboxAttempt.number)
        ).all()
    )


def _mail(session: Session, outbox_id: int) -> OutboxEmail:
    session.expire_all()
    return session.get(OutboxEmail, outbox_id)


def test_console_backend_writes_eml_and_logs_links(engine, session, tmp_path, caplog):
    (outbox_id,) = queue_mail(session)
    worker = MailWorker(ConsoleBackend(tmp_path / "mail"), engine=engine)

    with caplog.at_level(logging.INFO, logger="sky_readers"):
        counts = worker.run_once()

    assert counts.sent == 1
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    content = files[0].read_text()
    assert "Subject:" in content
    assert "reader0@example.test" in content
    assert "http://localhost:3000/confirm-email?token=tok0" in caplog.text
    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.SENT.value
    assert mail.sent_at is not None
    assert mail.locked_by is None
    (attempt,) = _attempts(session, outbox_id)
    assert attempt.outcome == AttemptOutcome.SENT.value
    assert attempt.provider_message_id == str(files[0])
    assert attempt.finished_at >= attempt.started_at


def test_console_backend_hides_links_in_production(tmp_path, caplog):
    from sky_readers.outbox.backends.base import OutgoingEmail

    backend = ConsoleBackend(tmp_path, log_links=False)
    mail = OutgoingEmail(
        outbox_id=9,
        operation_id="op-9",
        sender_address="shop@example.test",
        sender_name="Shop",
        to_address="a@example.test",
        subject="Reset",
        text_body="Open https://shop.example/reset?token=secret123 now",
        html_body="<p>x</p>",
    )
    with caplog.at_level(logging.INFO, logger="sky_readers"):
        backend.send(mail)
    assert "secret123" not in caplog.text
    assert "1 links" in caplog.text


def test_transient_failure_schedules_retry_with_backoff(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(TransientDeliveryError("503 ServiceUnavailable"))
    schedule = RetrySchedule(base_seconds=30, jitter=0)
    worker = MailWorker(backend, engine=engine, schedule=schedule)

    before = utcnow()
    counts = worker.run_once()

    assert counts.retrying == 1
    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.RETRYING.value
    assert mail.attempts == 1
    assert mail.last_error == "503 ServiceUnavailable"
    wait = (mail.next_attempt_at - before).total_seconds()
    assert 29 <= wait <= 31
    (attempt,) = _attempts(session, outbox_id)
    assert attempt.outcome == AttemptOutcome.TRANSIENT_ERROR.value
    assert attempt.error == "503 ServiceUnavailable"
    # Not due yet, so a second round sends nothing.
    assert worker.run_once().claimed == 0


def test_retry_after_longer_than_backoff_wins(engine, session):
    (outbox_id,) = queue_mail(session)
    error = TransientDeliveryError("429 TooManyRequests", retry_after=600)
    worker = MailWorker(
        ScriptedBackend(error),
        engine=engine,
        schedule=RetrySchedule(base_seconds=30, jitter=0),
    )
    before = utcnow()
    worker.run_once()
    wait = (_mail(session, outbox_id).next_attempt_at - before).total_seconds()
    assert 599 <= wait <= 601


def test_retried_mail_is_sent_when_due(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(
        TransientDeliveryError("500"), TransientDeliveryError("timed out")
    )
    worker = MailWorker(backend, engine=engine, schedule=FAST_RETRIES)

    for _ in range(3):
        time.sleep(0.01)
        worker.run_once()

    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.SENT.value
    assert mail.attempts == 3
    assert backend.sent == [outbox_id]
    outcomes = [a.outcome for a in _attempts(session, outbox_id)]
    assert outcomes == ["transient_error", "transient_error", "sent"]


def test_exhausted_attempts_mark_mail_dead(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(*[TransientDeliveryError(f"500 #{i}") for i in range(5)])
    worker = MailWorker(backend, engine=engine, schedule=FAST_RETRIES)

    for _ in range(5):
        time.sleep(0.01)
        worker.run_once()

    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.DEAD.value
    assert mail.attempts == FAST_RETRIES.max_attempts
    assert mail.last_error == "500 #2"
    assert backend.calls == FAST_RETRIES.max_attempts
    assert len(_attempts(session, outbox_id)) == FAST_RETRIES.max_attempts


def test_permanent_failure_is_not_retried(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(PermanentDeliveryError("400 InvalidSenderUserName"))
    worker = MailWorker(backend, engine=engine, schedule=FAST_RETRIES)

    worker.run_once()
    time.sleep(0.01)
    worker.run_once()

    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.DEAD.value
    assert mail.attempts == 1
    assert backend.calls == 1
    (attempt,) = _attempts(session, outbox_id)
    assert attempt.outcome == AttemptOutcome.PERMANENT_ERROR.value


def test_invalid_address_is_dead_without_sending(engine, session):
    (outbox_id,) = queue_mail(session, to_address="not an address")
    backend = ScriptedBackend()
    MailWorker(backend, engine=engine).run_once()

    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.DEAD.value
    assert "invalid recipient address" in mail.last_error
    assert backend.calls == 0


def test_unexpected_backend_error_is_retried(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend(KeyError("surprise"))
    MailWorker(backend, engine=engine, schedule=FAST_RETRIES).run_once()
    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.RETRYING.value
    assert "KeyError" in mail.last_error


def test_killed_worker_lease_expiry_resends(engine, session):
    (outbox_id,) = queue_mail(session)
    dying = MailWorker(ScriptedBackend(), engine=engine, lease_seconds=0.3)
    survivor_backend = ScriptedBackend()
    survivor = MailWorker(survivor_backend, engine=engine, lease_seconds=30)

    # The first worker claims and then dies without sending or recording anything.
    (claimed,) = dying.claim()
    assert _mail(session, outbox_id).status == EmailStatus.SENDING.value
    assert survivor.run_once().claimed == 0

    time.sleep(0.4)
    counts = survivor.run_once()

    assert counts.sent == 1
    assert survivor_backend.sent == [outbox_id]
    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.SENT.value
    assert mail.attempts == 2
    first, second = _attempts(session, outbox_id)
    assert first.outcome == AttemptOutcome.LEASE_EXPIRED.value
    assert first.worker_id == dying.worker_id
    assert "lease" in first.error
    assert second.outcome == AttemptOutcome.SENT.value
    assert second.worker_id == survivor.worker_id
    assert claimed.attempt_number == 1


class SlowBackend(ScriptedBackend):
    """A backend whose every send takes `seconds`, and which flags the first."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.sending = threading.Event()

    def send(self, mail):
        self.sending.set()
        time.sleep(self.seconds)
        return super().send(mail)


def _run_beside_rival(worker: MailWorker, slow: SlowBackend, engine):
    """Run `worker` once while a rival worker keeps claiming; return both results."""
    rival_backend = ScriptedBackend()
    rival = MailWorker(rival_backend, engine=engine, lease_seconds=30)
    rival_claims: list[int] = []
    done = threading.Event()

    def rival_loop() -> None:
        slow.sending.wait(5)
        while not done.is_set():
            rival_claims.append(rival.run_once().claimed)
            time.sleep(0.02)

    thread = threading.Thread(target=rival_loop)
    thread.start()
    try:
        counts = worker.run_once()
    finally:
        done.set()
        thread.join(10)
    return counts, rival_claims, rival_backend


def test_slow_batch_keeps_its_leases(engine, session):
    ids = queue_mail(session, 3)
    backend = SlowBackend(0.3)
    # The batch takes 0.9 s, longer than the 0.4 s lease taken at the claim.
    worker = MailWorker(backend, engine=engine, batch_size=3, lease_seconds=0.4)

    counts, rival_claims, rival_backend = _run_beside_rival(worker, backend, engine)

    assert counts.sent == 3
    assert counts.lost == 0
    assert sorted(backend.sent) == ids
    assert len(rival_claims) > 5, "the rival did not try to claim during the batch"
    assert sum(rival_claims) == 0
    assert rival_backend.calls == 0
    for outbox_id in ids:
        assert [a.worker_id for a in _attempts(session, outbox_id)] == [
            worker.worker_id
        ]


def test_send_longer_than_lease_keeps_it(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = SlowBackend(1.0)
    worker = MailWorker(backend, engine=engine, lease_seconds=0.3)

    counts, rival_claims, rival_backend = _run_beside_rival(worker, backend, engine)

    assert counts.sent == 1
    assert len(rival_claims) > 5, "the rival did not try to claim during the send"
    assert sum(rival_claims) == 0
    assert rival_backend.calls == 0
    assert len(_attempts(session, outbox_id)) == 1


def test_lost_lease_skips_the_send(engine, session):
    (outbox_id,) = queue_mail(session)
    backend = ScriptedBackend()
    slow = MailWorker(backend, engine=engine, lease_seconds=0.2)
    (claimed,) = slow.claim()
    time.sleep(0.3)
    rival = MailWorker(ScriptedBackend(), engine=engine, lease_seconds=30)
    (taken,) = rival.claim()

    assert slow.deliver(claimed) == LEASE_LOST
    assert backend.calls == 0
    assert rival.deliver(taken) == EmailStatus.SENT.value
    first, second = _attempts(session, outbox_id)
    assert first.outcome == AttemptOutcome.LEASE_EXPIRED.value
    assert second.outcome == AttemptOutcome.SENT.value


def test_lost_lease_is_counted_by_run_once(engine, session):
    first_id, second_id = queue_mail(session, 2)

    class RivalTakesSecond(ScriptedBackend):
        def send(self, mail):
            # Another worker's claim rewrites the lease of the mail not yet sent.
            with Session(engine) as other:
                other.exec(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == second_id)
                    .values(locked_by="rival:1:abcdef")
                )
                other.commit()
            return super().send(mail)

    backend = RivalTakesSecond()
    counts = MailWorker(backend, engine=engine, batch_size=2).run_once()

    assert counts.claimed == 2
    assert counts.sent == 1
    assert counts.lost == 1
    assert backend.sent == [first_id]
    assert _mail(session, second_id).locked_by == "rival:1:abcdef"


def test_lease_expiry_on_last_attempt_marks_dead(engine, session):
    (outbox_id,) = queue_mail(session)
    schedule = RetrySchedule(max_attempts=1)
    dying = MailWorker(ScriptedBackend(), engine=engine, lease_seconds=0.2)
    dying.claim()
    time.sleep(0.3)
    backend = ScriptedBackend()
    MailWorker(backend, engine=engine, schedule=schedule).run_once()
    mail = _mail(session, outbox_id)
    assert mail.status == EmailStatus.DEAD.value
    assert backend.calls == 0


def test_stop_releases_unsent_claims(engine, session):
    ids = queue_mail(session, 3)
    stop = threading.Event()

    class StopAfterFirst(ScriptedBackend):
        def send(self, mail):
            stop.set()
            return super().send(mail)

    backend = StopAfterFirst()
    counts = MailWorker(backend, engine=engine).run_once(stop)

    assert counts.sent == 1
    assert counts.released == 2
    statuses = sorted(_mail(session, i).status for i in ids)
    assert statuses == ["pending", "pending", "sent"]
    for outbox_id in ids:
        mail = _mail(session, outbox_id)
        if mail.status == "pending":
            assert mail.attempts == 0
            assert mail.locked_by is None
            assert _attempts(session, outbox_id) == []


def test_rolled_back_mail_never_sent(engine, session):
    from sky_readers.outbox.compose import enqueue_email

    enqueue_email(
        session,
        kind="order_placed",
        to_address="a@example.test",
        template="signup_confirmation",
        context={"name": "A", "confirm_url": "http://x/", "lifetime_hours": 1},
    )
    session.rollback()
    backend = ScriptedBackend()
    assert MailWorker(backend, engine=engine).run_once().claimed == 0


def test_worker_logs_ids_but_no_token_or_password(engine, session, caplog, smtp_sink):
    (outbox_id,) = queue_mail(session)
    (failing_id,) = queue_mail(session, to_address="reject@example.test", prefix="x")
    backend = SmtpBackend(host="127.0.0.1", port=smtp_sink.port)
    backend._password = "hunter2-password"
    worker = MailWorker(backend, engine=engine)
    stop = threading.Event()

    with caplog.at_level(logging.DEBUG, logger="sky_readers"):
        thread = threading.Thread(target=worker.run, args=(stop,))
        thread.start()
        deadline = time.monotonic() + 10
        while _mail(session, failing_id).status != "dead":
            assert time.monotonic() < deadline, "worker did not finish in 10 s"
            time.sleep(0.05)
        stop.set()
        thread.join(10)

    text = caplog.text
    assert f"Mail worker {worker.worker_id} started" in text
    assert f"Mail worker {worker.worker_id} stopped" in text
    assert f"Sent mail {outbox_id}" in text
    assert f"Mail {failing_id} to reject@example.test is dead" in text
    assert "tok0" not in text
    assert "hunter2-password" not in text


@pytest.mark.parametrize(
    ("failed", "low", "high"),
    [(1, 24, 36), (2, 96, 144), (3, 384, 576), (7, 34560, 51840), (30, 34560, 51840)],
)
def test_schedule_delay_grows_and_is_capped(failed, low, high):
    schedule = RetrySchedule()
    for _ in range(50):
        assert low <= schedule.delay(failed) <= high


def test_default_schedule_spreads_eight_attempts_over_a_day():
    schedule = RetrySchedule()
    middle = [schedule.delay(n, rng=lambda a, b: (a + b) / 2) for n in range(1, 8)]
    shortest = [schedule.delay(n, rng=lambda a, b: a) for n in range(1, 8)]
    longest = [schedule.delay(n, rng=lambda a, b: b) for n in range(1, 8)]
    assert schedule.max_attempts == 8
    assert middle[0] < 60
    assert longest[0] < 60
    assert dt.timedelta(hours=20) < dt.timedelta(seconds=sum(middle))
    assert dt.timedelta(seconds=sum(middle)) < dt.timedelta(hours=26)
    assert dt.timedelta(seconds=sum(shortest)) > dt.timedelta(hours=18)
    assert dt.timedelta(seconds=sum(longest)) < dt.timedelta(hours=29)


def test_schedule_jitter_spreads_delays():
    schedule = RetrySchedule()
    delays = {round(schedule.delay(3), 3) for _ in range(20)}
    assert len(delays) > 10


def test_schedule_huge_exponent_does_not_overflow():
    schedule = RetrySchedule(multiplier=1000, jitter=0)
    assert schedule.delay(500) == schedule.max_seconds
