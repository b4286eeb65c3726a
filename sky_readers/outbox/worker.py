"""Deliver outbox mail: claim due rows under a lease, send, record the attempt.

Claims never hand one row to two workers at once. On PostgreSQL a worker locks the
due rows it takes with `FOR UPDATE SKIP LOCKED`, so concurrent workers pass over each
other's rows. SQLite has one writer at a time: a worker claims inside `BEGIN
IMMEDIATE`, which takes the write lock before it reads. Either way the claimed row
gets a lease (`locked_by`, `locked_until`). When a worker dies while sending, its
lease runs out, and the next claim after that takes the row again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, select
from tenacity import (
    before_sleep_log,
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from sky_readers.core.db import get_engine, is_sqlite
from sky_readers.core.settings import Settings, get_settings
from sky_readers.core.types import utcnow
from sky_readers.outbox.backends.base import EmailBackend, OutgoingEmail
from sky_readers.outbox.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from sky_readers.outbox.models import (
    AttemptOutcome,
    EmailStatus,
    OutboxAttempt,
    OutboxEmail,
)

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetrySchedule:
    """Exponential backoff with jitter between the attempts at one mail."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    multiplier: float = 4.0
    max_seconds: float = 12 * 3600.0
    # The wait is scaled by a random factor in [1 - jitter, 1 + jitter].
    jitter: float = 0.2

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrySchedule:
        """Read the EMAIL_MAX_ATTEMPTS and EMAIL_RETRY_* settings."""
        return cls(
            max_attempts=settings.email_max_attempts,
            base_seconds=settings.email_retry_base_seconds,
            multiplier=settings.email_retry_multiplier,
            max_seconds=settings.email_retry_max_seconds,
            jitter=settings.email_retry_jitter,
        )

    def delay(
        self, failed_attempts: int, rng: Callable[[float, float], float] | None = None
    ) -> float:
        """Return the wait in seconds after the given number of failed attempts.

        Args:
            failed_attempts: Attempts made so far, all failed (1 after the first).
            rng: Function returning a uniform random number between its two
                arguments; random.uniform by default.

        Returns:
            min(max_seconds, base_seconds * multiplier**(failed_attempts - 1)),
            scaled by the jitter factor.
        """
        exponent = max(0, failed_attempts - 1)
        try:
            wait = min(self.max_seconds, self.base_seconds * self.multiplier**exponent)
        except OverflowError:
            wait = self.max_seconds
        uniform = rng or random.uniform
        return wait * uniform(1 - self.jitter, 1 + self.jitter)


@dataclasses.dataclass(frozen=True)
class ClaimedMail:
    """A row this worker holds the lease on, with the attempt it opened."""

    mail: OutgoingEmail
    attempt_id: int
    attempt_number: int
    # Attempts in the current round, counting this one (reset by a manual retry).
    attempts: int
    # Status before the claim, restored if the worker stops before sending.
    previous_status: str


@dataclasses.dataclass
class DeliveryCounts:
    """Counts of what one worker round did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0

    def add(self, other: DeliveryCounts) -> None:
        """Add another round's figures to these."""
        for field in dataclasses.fields(self):
            name = field.name
            setattr(self, name, getattr(self, name) + getattr(other, name))


def make_worker_id() -> str:
    """Return an id naming this worker's host and process, unique per worker."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def _due_condition(now: dt.datetime):
    waiting = and_(
        OutboxEmail.status.in_([EmailStatus.PENDING.value, EmailStatus.RETRYING.value]),
        OutboxEmail.next_attempt_at <= now,
    )
    abandoned = and_(
        OutboxEmail.status == EmailStatus.SENDING.value,
        OutboxEmail.locked_until < now,
    )
    return or_(waiting, abandoned)


# A short database outage while recording a result is retried before the lease
# takes over.
_retry_database = retry(
    retry=retry_if_exception_type(OperationalError),
    wait=wait_exponential(multiplier=0.5, max=5),
    stop=stop_after_attempt(4),
    before_sleep=before_sleep_log(logger, logging.WARNING),
    reraise=True,
)


class MailWorker:
    """Claim due outbox mail in batches and deliver it through one backend."""

    def __init__(
        self,
        backend: EmailBackend,
        *,
        engine: Engine | None = None,
        worker_id: str | None = None,
        batch_size: int = 20,
        lease_seconds: float = 300.0,
        poll_seconds: float = 5.0,
        schedule: RetrySchedule | None = None,
        sender_address: str = "",
        sender_name: str = "",
        allow_test_domains: bool = True,
    ) -> None:
        """Set up a worker; nothing is claimed until `run_once` or `run`.

        Args:
            backend: Where mail goes.
            engine: Database engine; the configured one by default.
            worker_id: Name stored in leases and attempts; generated by default.
            batch_size: Rows claimed per round.
            lease_seconds: How long a claim stays this worker's, in seconds.
            poll_seconds: Sleep between rounds when nothing is due, in seconds.
            schedule: Retry schedule; the settings' by default.
            sender_address: From address.
            sender_name: From display name.
            allow_test_domains: Accept recipients under .test and similar
                reserved domains.
        """
        settings = get_settings()
        self.backend = backend
        self.engine = engine
        self.worker_id = worker_id or make_worker_id()
        self.batch_size = batch_size
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.schedule = schedule or RetrySchedule.from_settings(settings)
        self.sender_address = sender_address or settings.email_sender_address
        self.sender_name = (
            sender_name or settings.email_sender_name or settings.store_name
        )
        self.allow_test_domains = allow_test_domains

    @classmethod
    def from_settings(
        cls, backend: EmailBackend, settings: Settings | None = None, **overrides
    ) -> MailWorker:
        """Build a worker with the MAIL_WORKER_* and EMAIL_* settings.

        Args:
            backend: Where mail goes.
            settings: Settings to read; the configured ones by default.
            **overrides: Constructor arguments that replace the settings' values.
        """
        settings = settings or get_settings()
        options = {
            "batch_size": settings.mail_worker_batch_size,
            "lease_seconds": settings.email_lease_seconds,
            "poll_seconds": settings.mail_worker_poll_seconds,
            "schedule": RetrySchedule.from_settings(settings),
            "sender_address": settings.email_sender_address,
            "sender_name": settings.email_sender_name or settings.store_name,
            "allow_test_domains": settings.allow_test_email_domains,
        }
        options.update({k: v for k, v in overrides.items() if v is not None})
        return cls(backend, **options)

    def _engine(self) -> Engine:
        return self.engine or get_engine()

    # Claiming.

    def claim(
        self, limit: int | None = None, *, due_by: dt.datetime | None = None
    ) -> list[ClaimedMail]:
        """Take the lease on up to `limit` due mails and open an attempt for each.

        Due mails are pending or retrying ones whose time has come, and mails left
        in "sending" by a worker whose lease ran out. A mail whose lease ran out on
        its last allowed attempt is marked dead instead.

        Args:
            limit: Maximum number of mails to claim; the batch size by default.
            due_by: Claim only mail due at this time; now by default.

        Returns:
            The claimed mails, oldest due first.
        """
        limit = limit or self.batch_size
        engine = self._engine()
        now = utcnow()
        due_by = min(due_by or now, now)
        with Session(engine, expire_on_commit=False) as session:
            query = (
                select(OutboxEmail)
                .where(_due_condition(due_by))
                .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
                .limit(limit)
            )
            if is_sqlite(engine):
                # Take SQLite's write lock before reading, so no other worker can
                # claim the same rows between this read and the update below.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            else:
                query = query.with_for_update(skip_locked=True)
            rows = session.exec(query).all()
            claimed = []
            for row in rows:
                item = self._claim_row(session, row, now)
                if item is not None:
                    claimed.append(item)
            session.commit()
        for item in claimed:
            logger.info(
                "Claimed mail %s (attempt %d, %s) until %s",
                item.mail.outbox_id,
                item.attempt_number,
                item.mail.to_address,
                (now + self.lease).isoformat(timespec="seconds"),
                extra={"outbox_id": item.mail.outbox_id},
            )
        return claimed

    def _claim_row(
        self, session: Session, row: OutboxEmail, now: dt.datetime
    ) -> ClaimedMail | None:
        previous_status = row.status
        last_number = session.exec(
            select(func.max(OutboxAttempt.number)).where(
                OutboxAttempt.outbox_id == row.id
            )
        ).one()
        last_number = last_number or 0
        if row.status == EmailStatus.SENDING.value:
            self._expire_lease(session, row, now, last_number)
            if row.attempts >= self.schedule.max_attempts:
                row.status = EmailStatus.DEAD.value
                row.locked_by = row.locked_until = None
                session.add(row)
                logger.error(
                    "Mail %s is dead: its worker stopped during the last of %d "
                    "attempts",
                    row.id,
                    row.attempts,
                    extra={"outbox_id": row.id},
                )
                return None
            previous_status = EmailStatus.RETRYING.value

        row.attempts += 1
        row.status = EmailStatus.SENDING.value
        row.locked_by = self.worker_id
        row.locked_until = now + self.lease
        attempt = OutboxAttempt(
            outbox_id=row.id,
            number=last_number + 1,
            worker_id=self.worker_id,
            backend=self.backend.name,
            started_at=now,
        )
        session.add(row)
        session.add(attempt)
        session.flush()
        mail = OutgoingEmail(
            outbox_id=row.id,
            operation_id=row.operation_id,
            sender_address=self.sender_address,
            sender_name=self.sender_name,
            to_address=row.to_address,
            subject=row.subject,
            text_body=row.text_body,
            html_body=row.html_body,
        )
        return ClaimedMail(
            mail=mail,
            attempt_id=attempt.id,
            attempt_number=attempt.number,
            attempts=row.attempts,
            previous_status=previous_status,
        )

    def _expire_lease(
        self, session: Session, row: OutboxEmail, now: dt.datetime, number: int
    ) -> None:
        message = (
            f"lease of worker {row.locked_by} ran out at "
            f"{row.locked_until.isoformat(timespec='seconds')} before it recorded "
            "a result"
        )
        logger.warning(
            "Mail %s: %s; claiming it again",
            row.id,
            message,
            extra={"outbox_id": row.id},
        )
        session.exec(
            update(OutboxAttempt)
            .where(
                OutboxAttempt.outbox_id == row.id,
                OutboxAttempt.number == number,
                OutboxAttempt.outcome == AttemptOutcome.SENDING.value,
            )
            .values(
                outcome=AttemptOutcome.LEASE_EXPIRED.value,
                finished_at=now,
                error=message,
            )
        )
        row.last_error = message

    # Sending.

    def deliver(self, item: ClaimedMail) -> str:
        """Send one claimed mail and record the attempt's outcome.

        Args:
            item: A mail this worker claimed.

        Returns:
            The mail's new status: "sent", "retrying" or "dead".
        """
        mail = item.mail
        started = time.monotonic()
        try:
            self._check_address(mail.to_address)
            provider_id = self.backend.send(mail)
        except DeliveryError as exc:
            return self._record_failure(item, exc, time.monotonic() - started)
        except Exception as exc:
            # A fault in the backend itself: keep the mail and retry it later.
            logger.exception(
                "Backend %s raised an unexpected error on mail %s",
                self.backend.name,
                mail.outbox_id,
                extra={"outbox_id": mail.outbox_id},
            )
            error = TransientDeliveryError(f"{type(exc).__name__}: {exc}")
            return self._record_failure(item, error, time.monotonic() - started)
        return self._record_success(item, provider_id, time.monotonic() - started)

    def _check_address(self, address: str) -> None:
        try:
            validate_email(
                address,
                check_deliverability=False,
                test_environment=self.allow_test_domains,
            )
        except EmailNotValidError as exc:
            msg = f"invalid recipient address {address!r}: {exc}"
            raise PermanentDeliveryError(msg) from exc

    @_retry_database
    def _record_success(self, item: ClaimedMail, provider_id: str, took: float) -> str:
        now = utcnow()
        with Session(self._engine(), expire_on_commit=False) as session:
            row = self._locked_row(session, item)
            self._finish_attempt(session, item, AttemptOutcome.SENT, now, provider_id)
            if row is None:
                session.commit()
                return EmailStatus.SENT.value
            # A delivered mail is sent, even if this worker's lease has run out.
            row.status = EmailStatus.SENT.value
            row.sent_at = now
            row.locked_by = row.locked_until = None
            row.last_error = None
            session.add(row)
            session.commit()
        logger.info(
            "Sent mail %s to %s via %s in %.2f s (attempt %d, provider id %s)",
            item.mail.outbox_id,
            item.mail.to_address,
            self.backend.name,
            took,
            item.attempt_number,
            provider_id,
            extra={"outbox_id": item.mail.outbox_id},
        )
        return EmailStatus.SENT.value

    @_retry_database
    def _record_failure(self, item: ClaimedMail, error: DeliveryError, took: float):
        now = utcnow()
        permanent = isinstance(error, PermanentDeliveryError)
        outcome = (
            AttemptOutcome.PERMANENT_ERROR
            if permanent
            else AttemptOutcome.TRANSIENT_ERROR
        )
        mail_id = item.mail.outbox_id
        with Session(self._engine(), expire_on_commit=False) as session:
            row = self._locked_row(session, item)
            self._finish_attempt(session, item, outcome, now, None, str(error))
            if row is None or row.locked_by != self.worker_id:
                session.commit()
                logger.warning(
                    "Mail %s: attempt %d failed (%s) after this worker's lease ran "
                    "out; its new owner decides what comes next",
                    mail_id,
                    item.attempt_number,
                    error,
                    extra={"outbox_id": mail_id},
                )
                return row.status if row is not None else EmailStatus.DEAD.value
            row.last_error = str(error)
            row.locked_by = row.locked_until = None
            if permanent or row.attempts >= self.schedule.max_attempts:
                row.status = EmailStatus.DEAD.value
            else:
                wait = self.schedule.delay(row.attempts)
                if error.retry_after is not None:
                    wait = max(wait, min(error.retry_after, self.schedule.max_seconds))
                row.status = EmailStatus.RETRYING.value
                row.next_attempt_at = now + dt.timedelta(seconds=wait)
            session.add(row)
            session.commit()
            status, attempts, next_at = row.status, row.attempts, row.next_attempt_at

        if status == EmailStatus.DEAD.value:
            reason = "permanent failure" if permanent else f"{attempts} attempts failed"
            logger.error(
                "Mail %s to %s is dead (%s): %s",
                mail_id,
                item.mail.to_address,
                reason,
                error,
                extra={"outbox_id": mail_id},
            )
        else:
            logger.warning(
                "Mail %s attempt %d failed after %.2f s, retrying at %s: %s",
                mail_id,
                item.attempt_number,
                took,
                next_at.isoformat(timespec="seconds"),
                error,
                extra={"outbox_id": mail_id},
            )
        return status

    def _finish_attempt(
        self,
        session: Session,
        item: ClaimedMail,
        outcome: AttemptOutcome,
        now: dt.datetime,
        provider_id: str | None,
        error: str | None = None,
    ) -> None:
        # Only an attempt still open is closed, so a lease-expiry mark stays.
        session.exec(
            update(OutboxAttempt)
            .where(
                OutboxAttempt.id == item.attempt_id,
                OutboxAttempt.outcome == AttemptOutcome.SENDING.value,
            )
            .values(
                outcome=outcome.value,
                finished_at=now,
                provider_message_id=provider_id,
                error=error,
            )
        )

    def _locked_row(self, session: Session, item: ClaimedMail) -> OutboxEmail | None:
        # Called first in its transaction, since SQLite's BEGIN must come first.
        query = select(OutboxEmail).where(OutboxEmail.id == item.mail.outbox_id)
        if is_sqlite(self._engine()):
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        else:
            query = query.with_for_update()
        row = session.exec(query).first()
        if row is None:
            logger.warning(
                "Mail %s was deleted while it was being sent",
                item.mail.outbox_id,
                extra={"outbox_id": item.mail.outbox_id},
            )
        return row

    def release(self, items: list[ClaimedMail]) -> int:
        """Give back claimed mails that were not sent, as if never claimed.

        Args:
            items: Mails this worker claimed and did not start sending.

        Returns:
            How many were given back; a mail another worker took meanwhile is not.
        """
        released = 0
        with Session(self._engine()) as session:
            for item in items:
                result = session.exec(
                    update(OutboxEmail)
                    .where(
                        OutboxEmail.id == item.mail.outbox_id,
                        OutboxEmail.locked_by == self.worker_id,
                        OutboxEmail.status == EmailStatus.SENDING.value,
                    )
                    .values(
                        status=item.previous_status,
                        attempts=item.attempts - 1,
                        locked_by=None,
                        locked_until=None,
                    )
                )
                if result.rowcount:
                    attempt = session.get(OutboxAttempt, item.attempt_id)
                    if attempt is not None:
                        session.delete(attempt)
                    released += 1
            session.commit()
        return released

    # Loops.

    def run_once(self, stop: threading.Event | None = None) -> DeliveryCounts:
        """Deliver every mail that is due now, batch after batch, then return.

        Mail that a failure in this round schedules for later waits for a later
        round, even when its retry is already due.

        Args:
            stop: When set, the worker gives back the mails it has not started
                and returns.

        Returns:
            What was claimed, sent, scheduled for retry, marked dead or given back.
        """
        total = DeliveryCounts()
        started = utcnow()
        while stop is None or not stop.is_set():
            batch = self.claim(due_by=started)
            if not batch:
                break
            total.claimed += len(batch)
            for index, item in enumerate(batch):
                if stop is not None and stop.is_set():
                    total.released += self.release(batch[index:])
                    break
                status = self.deliver(item)
                if status == EmailStatus.SENT.value:
                    total.sent += 1
                elif status == EmailStatus.RETRYING.value:
                    total.retrying += 1
                elif status == EmailStatus.DEAD.value:
                    total.dead += 1
        return total

    def run(self, stop: threading.Event) -> None:
        """Deliver due mail until `stop` is set, sleeping when nothing is due.

        Database errors are logged and the loop goes on after a pause, so an outage
        does not end the worker.
        """
        logger.info(
            "Mail worker %s started: backend %s, batch %d, lease %d s, poll %.1f s",
            self.worker_id,
            self.backend.name,
            self.batch_size,
            self.lease.total_seconds(),
            self.poll_seconds,
        )
        total = DeliveryCounts()
        try:
            while not stop.is_set():
                try:
                    counts = self.run_once(stop)
                except SQLAlchemyError:
                    logger.exception(
                        "Mail worker %s cannot reach the outbox; trying again in "
                        "%.1f s",
                        self.worker_id,
                        self.poll_seconds,
                    )
                    counts = DeliveryCounts()
                total.add(counts)
                stop.wait(self.poll_seconds)
        finally:
            self.backend.close()
            logger.info(
                "Mail worker %s stopped: %d sent, %d retries scheduled, %d dead",
                self.worker_id,
                total.sent,
                total.retrying,
                total.dead,
            )
