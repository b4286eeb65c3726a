"""Concurrent workers never hold the same mail: threads, processes, SKIP LOCKED."""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from sky_readers.core.settings import PROJECT_ROOT
from sky_readers.outbox.backends.smtp import SmtpBackend
from sky_readers.outbox.models import EmailStatus, OutboxAttempt, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from tests.outbox.fixtures import SmtpSink, queue_mail


class RecordingBackend:
    """Backend that records every mail it sends and any mail sent twice at once."""

    name = "recording"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[int] = []
        self.in_flight: set[int] = set()
        self.overlaps: list[int] = []

    def send(self, mail):
        with self.lock:
            if mail.outbox_id in self.in_flight:
                self.overlaps.append(mail.outbox_id)
            self.in_flight.add(mail.outbox_id)
        time.sleep(0.002)
        with self.lock:
            self.in_flight.discard(mail.outbox_id)
            self.sent.append(mail.outbox_id)
        return f"rec-{mail.outbox_id}"

    def close(self) -> None:
        pass


def test_racing_worker_threads_send_each_mail_once(engine, session):
    ids = queue_mail(session, 120)
    backend = RecordingBackend()
    workers = [MailWorker(backend, engine=engine, batch_size=4) for _ in range(4)]
    start = threading.Barrier(len(workers))

    def run(worker: MailWorker) -> None:
        start.wait()
        worker.run_once()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    counts = collections.Counter(backend.sent)
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}
    assert backend.overlaps == []
    session.expire_all()
    statuses = session.exec(select(OutboxEmail.status)).all()
    assert set(statuses) == {EmailStatus.SENT.value}
    attempts = session.exec(select(OutboxAttempt)).all()
    assert len(attempts) == len(ids)
    assert len({a.worker_id for a in attempts}) > 1


def test_postgres_claim_skips_rows_locked_by_another_worker(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL claim")
    ids = queue_mail(session, 10)
    worker = MailWorker(RecordingBackend(), engine=engine, batch_size=10)

    # Another worker's claim transaction has locked the first four rows.
    with engine.connect() as other:
        other.execute(
            text("SELECT id FROM email_outbox WHERE id = ANY(:ids) FOR UPDATE"),
            {"ids": ids[:4]},
        )
        started = time.monotonic()
        claimed = worker.claim()
        took = time.monotonic() - started
        other.rollback()

    assert sorted(c.mail.outbox_id for c in claimed) == ids[4:]
    assert took < 2, "the claim waited for the locked rows instead of skipping them"
    assert sorted(c.mail.outbox_id for c in worker.claim()) == ids[:4]


def test_two_postgres_workers_racing_split_the_outbox(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("races two PostgreSQL claims inside open transactions")
    ids = queue_mail(session, 30)
    first = MailWorker(RecordingBackend(), engine=engine, batch_size=30)
    second = MailWorker(RecordingBackend(), engine=engine, batch_size=30)
    start = threading.Barrier(2)
    results: dict[str, list[int]] = {}

    def claim(name: str, worker: MailWorker) -> None:
        start.wait()
        results[name] = [c.mail.outbox_id for c in worker.claim()]

    threads = [
        threading.Thread(target=claim, args=("first", first)),
        threading.Thread(target=claim, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert set(results["first"]).isdisjoint(results["second"])
    assert sorted(results["first"] + results["second"]) == ids


def test_sqlite_claims_wait_for_the_single_writer(engine, session):
    if engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is the SQLite claim")
    ids = queue_mail(session, 6)
    worker = MailWorker(RecordingBackend(), engine=engine, batch_size=6)
    release = threading.Event()
    held = threading.Event()

    def hold_write_lock() -> None:
        with engine.connect() as other:
            other.exec_driver_sql("BEGIN IMMEDIATE")
            held.set()
            release.wait(5)
            other.rollback()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    held.wait(5)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    claimed = worker.claim()
    waited = time.monotonic() - started
    holder.join(5)

    assert waited >= 0.4
    assert sorted(c.mail.outbox_id for c in claimed) == ids


def test_worker_processes_deliver_each_mail_once(engine, session, database_url):
    ids = queue_mail(session, 40)
    # A slow server makes the run last about 4 s, so the processes overlap.
    with SmtpSink(delay_seconds=0.1) as smtp_sink:
        outputs, processes = _run_worker_processes(database_url, smtp_sink, 3)

    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    recipients = collections.Counter(m["To"] for m in smtp_sink.messages)
    assert len(recipients) == len(ids)
    assert set(recipients.values()) == {1}
    sent_per_process = [int(out.split()[0]) for out, _err in outputs]
    assert sum(sent_per_process) == len(ids)
    session.expire_all()
    workers = set(session.exec(select(OutboxAttempt.worker_id)).all())
    assert len(workers) >= 2, "the worker processes did not run at the same time"
    assert set(session.exec(select(OutboxEmail.status)).all()) == {"sent"}


def _run_worker_processes(database_url: str, smtp_sink: SmtpSink, count: int):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_sink.port),
        "MAIL_WORKER_BATCH_SIZE": "3",
    }
    command = [sys.executable, "-m", "sky_readers", "mail", "worker", "--once"]
    processes = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    return outputs, processes


def test_sending_mail_cannot_be_claimed_before_lease_ends(engine, session):
    (outbox_id,) = queue_mail(session)
    holder = MailWorker(RecordingBackend(), engine=engine, lease_seconds=60)
    other = MailWorker(RecordingBackend(), engine=engine, lease_seconds=60)
    (claimed,) = holder.claim()
    assert other.claim() == []
    with Session(engine) as check:
        mail = check.get(OutboxEmail, outbox_id)
        assert mail.locked_by == holder.worker_id
        assert mail.locked_until > mail.next_attempt_at
    assert holder.deliver(claimed) == EmailStatus.SENT.value


def test_worker_process_killed_while_sending(engine, session, database_url, smtp_sink):
    (outbox_id,) = queue_mail(session)
    # An SMTP server that accepts the connection and never replies, so the worker
    # is stuck in the middle of sending when it is killed.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(silent.getsockname()[1]),
        "SMTP_TIMEOUT_SECONDS": "60",
        "EMAIL_LEASE_SECONDS": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sky_readers", "mail", "worker", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            session.expire_all()
            if session.get(OutboxEmail, outbox_id).status == "sending":
                break
            assert process.poll() is None, "the worker exited before sending"
            assert time.monotonic() < deadline, "the worker never claimed the mail"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        silent.close()

    # Within the lease no one takes the mail; after it, the next worker does.
    backend = SmtpBackend(host="127.0.0.1", port=smtp_sink.port, timeout=5)
    survivor = MailWorker(backend, engine=engine)
    assert survivor.run_once().claimed == 0
    time.sleep(2.1)
    assert survivor.run_once().sent == 1

    assert [m["To"] for m in smtp_sink.messages] == ["reader0@example.test"]
    session.expire_all()
    attempts = session.exec(
        select(OutboxAttempt)
        .where(OutboxAttempt.outbox_id == outbox_id)
        .order_by(OutboxAttempt.number)
    ).all()
    assert [a.outcome for a in attempts] == ["lease_expired", "sent"]
    assert attempts[0].worker_id != attempts[1].worker_id
