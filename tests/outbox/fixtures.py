"""Servers and helpers of the outbox tests: an SMTP sink, the fake ACS, queued mail."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import subprocess
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import Session

from sky_readers.outbox.compose import enqueue_email
from sky_readers.outbox.worker import RetrySchedule

# Backoff that makes a retried mail due again at once.
FAST_RETRIES = RetrySchedule(
    max_attempts=3, base_seconds=0.001, multiplier=1, max_seconds=0.001, jitter=0
)


def free_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class SinkHandler:
    """aiosmtpd handler that keeps every message and can reject recipients.

    Recipients whose local part is "reject" get 550, "busy" get 451.
    """

    # Seconds each message waits before it is accepted, as on a slow server.
    delay_seconds: float = 0.0
    messages: list[EmailMessage] = dataclasses.field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        local = address.partition("@")[0]
        if local == "reject":
            return "550 5.1.1 No such user here"
        if local == "busy":
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that stores what it receives."""

    def __init__(
        self,
        *,
        tls_context=None,
        implicit_tls_context=None,
        credentials: tuple[str, str] | None = None,
        delay_seconds: float = 0.0,
    ):
        """Prepare a sink; STARTTLS, implicit TLS and AUTH LOGIN/PLAIN when given.

        Args:
            tls_context: Server TLS context offered with STARTTLS.
            implicit_tls_context: Server TLS context used from the first byte.
            credentials: The one user name and password the sink accepts.
            delay_seconds: Seconds each message waits before it is accepted.
        """
        self.handler = SinkHandler(delay_seconds=delay_seconds)
        self.port = free_port()
        options = {}
        if tls_context is not None:
            options["tls_context"] = tls_context
            options["require_starttls"] = True
        if implicit_tls_context is not None:
            options["ssl_context"] = implicit_tls_context
        if credentials is not None:
            options["authenticator"] = _Authenticator(*credentials)
            # aiosmtpd 1.4.6 counts only STARTTLS as TLS, so with implicit TLS it
            # would hide AUTH although the connection is encrypted.
            options["auth_require_tls"] = implicit_tls_context is None
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **options
        )

    @property
    def messages(self) -> list[EmailMessage]:
        """Messages received so far."""
        with self.handler.lock:
            return list(self.handler.messages)

    def __enter__(self) -> SmtpSink:
        """Start listening."""
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        """Stop listening."""
        self.controller.stop()


class _Authenticator:
    def __init__(self, username: str, password: str) -> None:
        self.username = username.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key; return both paths."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def queue_mail(
    session: Session,
    count: int = 1,
    *,
    to_address: str = "reader{n}@example.test",
    name: str = "Reader {n}",
    prefix: str = "test",
) -> list[int]:
    """Queue `count` confirmation mails and commit; return their outbox ids."""
    ids = []
    for n in range(count):
        email = enqueue_email(
            session,
            kind="signup_confirmation",
            to_address=to_address.format(n=n),
            template="signup_confirmation",
            context={
                "name": name.format(n=n),
                "confirm_url": f"http://localhost:3000/confirm-email?token=tok{n}",
                "lifetime_hours": 24,
            },
            dedupe_key=f"{prefix}:{n}",
        )
        ids.append(email.id)
    session.commit()
    return ids
