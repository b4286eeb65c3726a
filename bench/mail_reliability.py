"""Reliability of mail delivery: queued mails against a fake ACS that fails at random.

Queues N mails, starts the fake ACS Email API on 127.0.0.1 with a share of requests
(sends and status polls) failed with 429 and Retry-After, 500, or a stall past the
client's read timeout, and runs several delivery workers until the outbox is empty.
It then checks that every mail was delivered exactly once (counted by the fake per
operation id), that none is lost or dead, and that each has one successful attempt.
The fake delivers a repeated POST of an operation again, so any resend that the
sender fails to suppress shows as a duplicate.

The retry schedule is compressed from seconds-to-hours to milliseconds so the run
takes a minute; the attempts per mail are what the figures are about.

    python bench/mail_reliability.py                       # SQLite, then PostgreSQL
    python bench/mail_reliability.py --backends sqlite --messages 200
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bench.report import write_section  # noqa: E402
from sky_readers.core import migrations  # noqa: E402
from sky_readers.core.db import build_engine  # noqa: E402
from sky_readers.core.settings import normalise_database_url  # noqa: E402
from sky_readers.devtools.fake_acs import FakeAcsServer  # noqa: E402
from sky_readers.outbox.backends.acs import AcsBackend  # noqa: E402
from sky_readers.outbox.compose import enqueue_email  # noqa: E402
from sky_readers.outbox.models import (  # noqa: E402
    AttemptOutcome,
    EmailStatus,
    OutboxAttempt,
    OutboxEmail,
)
from sky_readers.outbox.worker import MailWorker, RetrySchedule  # noqa: E402

logger = logging.getLogger("bench.mail_reliability")

# The default schedule waits 30 s to 12 h. This one keeps the growth at 1/600 scale
# with a lower cap, so a run ends within minutes.
SCHEDULE = dict(base_seconds=0.05, multiplier=4.0, max_seconds=0.5, jitter=0.2)
# Maximum time for one run before it counts as stuck, in seconds.
RUN_LIMIT_SECONDS = 600


def _queue(engine, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            enqueue_email(
                session,
                kind="signup_confirmation",
                to_address=f"reader{n}@example.test",
                template="signup_confirmation",
                context={
                    "name": f"Reader {n}",
                    "confirm_url": f"http://localhost:3000/confirm-email?token=t{n}",
                    "lifetime_hours": 24,
                },
                dedupe_key=f"bench:{n}",
            )
        session.commit()


def _outstanding(engine) -> int:
    with Session(engine) as session:
        return len(
            session.exec(
                select(OutboxEmail.id).where(
                    OutboxEmail.status.in_(
                        [
                            EmailStatus.PENDING.value,
                            EmailStatus.SENDING.value,
                            EmailStatus.RETRYING.value,
                        ]
                    )
                )
            ).all()
        )


def run_once(url: str, args: argparse.Namespace) -> dict:
    """Queue, deliver through the failing fake with several workers, and check."""
    engine = build_engine(url)
    _queue(engine, args.messages)
    schedule = RetrySchedule(max_attempts=args.max_attempts, **SCHEDULE)

    with FakeAcsServer(seed=args.seed) as fake:
        fake.set_timeout_seconds(args.read_timeout * 3)
        fake.state.retry_after_seconds = 1
        fake.fail_randomly(args.fail_rate, ("429", "500", "timeout"))
        stop = threading.Event()
        workers = []
        for _ in range(args.workers):
            backend = AcsBackend(
                endpoint=fake.endpoint,
                access_key=fake.access_key,
                request_timeout=args.read_timeout,
                poll_interval=0.01,
                poll_timeout=10,
            )
            workers.append(
                MailWorker(
                    backend,
                    engine=engine,
                    batch_size=5,
                    lease_seconds=60,
                    poll_seconds=0.05,
                    schedule=schedule,
                )
            )
        threads = [
            threading.Thread(target=w.run, args=(stop,), name=f"bench-worker-{i}")
            for i, w in enumerate(workers)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while _outstanding(engine) and time.monotonic() - started < RUN_LIMIT_SECONDS:
            time.sleep(0.2)
        wall = time.monotonic() - started
        stop.set()
        for thread in threads:
            thread.join(30)
        deliveries = fake.deliveries_per_operation()
        answers = dict(fake.state.answers)
        requests = dict(fake.state.requests)
        repeated = fake.state.repeated_posts

    with Session(engine) as session:
        mails = session.exec(select(OutboxEmail)).all()
        attempts = session.exec(select(OutboxAttempt)).all()
    engine.dispose()

    statuses = collections.Counter(m.status for m in mails)
    sent_attempts = collections.Counter(
        a.outbox_id for a in attempts if a.outcome == AttemptOutcome.SENT.value
    )
    per_mail = [m.attempts for m in mails]
    latencies = [(m.sent_at - m.created_at).total_seconds() for m in mails if m.sent_at]
    operation_ids = {m.operation_id for m in mails}
    failures = collections.Counter(
        a.outcome for a in attempts if a.outcome != AttemptOutcome.SENT.value
    )
    return {
        "messages": len(mails),
        "wall": wall,
        "statuses": statuses,
        "delivered_once": sum(1 for op in operation_ids if deliveries.get(op) == 1),
        "delivered_twice": sum(1 for op in operation_ids if deliveries.get(op, 0) > 1),
        "not_delivered": sum(1 for op in operation_ids if op not in deliveries),
        "foreign": sum(1 for op in deliveries if op not in operation_ids),
        "one_sent_attempt": sum(1 for m in mails if sent_attempts.get(m.id) == 1),
        "attempts_total": len(attempts),
        "attempts_median": statistics.median(per_mail),
        "attempts_max": max(per_mail),
        "attempt_histogram": collections.Counter(per_mail),
        "latency_median": statistics.median(latencies) if latencies else float("nan"),
        "latency_p95": (
            statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else 0
        ),
        "requests": requests,
        "answers": answers,
        "repeated_posts": repeated,
        "failures": failures,
    }


def _postgres_database(server_url: str) -> tuple[str, str]:
    name = f"bench_mail_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run_backend(backend: str, args: argparse.Namespace) -> dict:
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
        url = f"sqlite:///{folder / 'outbox.db'}"
        migrations.upgrade(url)
        return run_once(url, args)
    url, name = _postgres_database(args.postgres)
    try:
        migrations.upgrade(url)
        return run_once(url, args)
    finally:
        _drop_postgres_database(args.postgres, name)


def _row(backend: str, r: dict, args: argparse.Namespace) -> str:
    s = r["statuses"]
    return (
        f"| {backend} | {r['messages']} | {s.get('sent', 0)} | {r['delivered_once']} "
        f"| {r['delivered_twice']} | {r['not_delivered']} | {s.get('dead', 0)} "
        f"| {r['attempts_total']} | {r['attempts_median']:g} | {r['attempts_max']} "
        f"| {r['repeated_posts']} | {r['wall']:.1f} s "
        f"| {r['messages'] / r['wall']:.0f} |"
    )


def _failure_line(backend: str, r: dict) -> str:
    answers = r["answers"]
    requests = sum(r["requests"].values())
    failed = answers.get("429", 0) + answers.get("500", 0) + answers.get("timeout", 0)
    retries = r["attempts_total"] - r["messages"]
    histogram = ", ".join(
        f"{n}: {count}" for n, count in sorted(r["attempt_histogram"].items())
    )
    return (
        f"- {backend}: {requests} requests ({r['requests'].get('POST', 0)} sends, "
        f"{r['requests'].get('GET', 0)} polls), {failed} failed "
        f"({failed / requests:.1%}): {answers.get('429', 0)} x 429, "
        f"{answers.get('500', 0)} x 500, {answers.get('timeout', 0)} timeouts. "
        f"{retries} retries, each reading its operation first: "
        f"{answers.get('404', 0)} reads found none, so those retries posted again. "
        f"Attempts per mail (attempts: mails): {histogram}. Queue-to-sent time: "
        f"median {r['latency_median']:.2f} s, p95 {r['latency_p95']:.2f} s."
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on each backend and write its section of the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="Mails to queue.")
    parser.add_argument(
        "--fail-rate", type=float, default=0.3, help="Share of requests that fail."
    )
    parser.add_argument("--workers", type=int, default=4, help="Worker threads.")
    parser.add_argument(
        "--max-attempts",
        type=int,
        default=8,
        help="EMAIL_MAX_ATTEMPTS for the run (default: 8, the store's default).",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=0.3,
        help="Client read timeout in seconds; a stalled response takes 3 times longer.",
    )
    parser.add_argument("--seed", type=int, default=20261204, help="Failure seed.")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="Databases to run on."
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="PostgreSQL server on which a scratch database is created and dropped.",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Print only; leave the report alone."
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    # Retries are expected by the hundred; keep the worker's log to errors.
    logging.getLogger("sky_readers").setLevel(logging.ERROR)

    results = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"running on {backend} ...", flush=True)
        results[backend] = _run_backend(backend, args)
        print(_row(backend, results[backend], args))
        print(_failure_line(backend, results[backend]))

    ok = all(
        r["delivered_once"] == r["messages"] == args.messages
        and r["delivered_twice"] == r["not_delivered"] == r["foreign"] == 0
        and r["one_sent_attempt"] == r["messages"]
        and r["statuses"].get(EmailStatus.SENT.value) == r["messages"]
        for r in results.values()
    )
    body = "\n".join(
        [
            f"{args.messages} mails queued, {args.workers} worker threads, fake ACS "
            f"failing {args.fail_rate:.0%} of requests at random (sends and status "
            "polls alike; 429 with Retry-After: 1, 500, or a stall past the "
            f"{args.read_timeout:g} s read timeout). A stalled send has queued the "
            "mail first, as when only the response is lost, so the retry must find "
            "the operation by its id instead of posting again. The fake delivers a "
            "repeated POST again, so a resend that is not suppressed counts as "
            "delivered twice. Retry schedule compressed to base "
            f"{SCHEDULE['base_seconds']:g} s, multiplier {SCHEDULE['multiplier']:g}, "
            f"cap {SCHEDULE['max_seconds']:g} s, jitter "
            f"{SCHEDULE['jitter']:.0%}; at most {args.max_attempts} attempts per "
            "mail. A failed status read is read again up to 3 times within a try.",
            "",
            "| Database | Mails | Sent | Delivered once | Twice | Never | Dead "
            "| Attempts | Median | Max | Repeated POSTs | Wall | Mails/s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            *[_row(b, r, args) for b, r in results.items()],
            "",
            *[_failure_line(b, r) for b, r in results.items()],
            "",
            "Result: "
            + (
                "every mail sent exactly once, none lost."
                if ok
                else "FAILED: some mail was lost, dead or delivered twice."
            ),
        ]
    )
    if not args.no_report:
        path = write_section("Mail delivery reliability", body)
        print(f"figures written to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
