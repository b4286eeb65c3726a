"""SMTP backend against an aiosmtpd server on 127.0.0.1: plain, STARTTLS, login."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from sky_readers.outbox.backends.base import OutgoingEmail
from sky_readers.outbox.backends.smtp import SmtpBackend
from sky_readers.outbox.errors import (
    EmailConfigurationError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from tests.outbox.fixtures import SmtpSink, free_port, make_certificate, queue_mail


def _mail(to_address: str = "reader@example.test") -> OutgoingEmail:
    return OutgoingEmail(
        outbox_id=5,
        operation_id="0b7f2c1e-8f0e-4a55-9d55-5f1c7a1d2b3c",
        sender_address="shop@sky-readers.test",
        sender_name="Sky Readers Haven",
        to_address=to_address,
        subject="Confirm your address",
        text_body="Open http://localhost:3000/confirm-email?token=abc\n",
        html_body='<p><a href="http://localhost:3000/confirm-email?token=abc">Go</a></p>',
    )


def test_smtp_delivers_multipart_message(smtp_sink):
    backend = SmtpBackend(host="127.0.0.1", port=smtp_sink.port, timeout=5)

    message_id = backend.send(_mail())

    (message,) = smtp_sink.messages
    assert message_id == "<0b7f2c1e-8f0e-4a55-9d55-5f1c7a1d2b3c@sky-readers.test>"
    assert message["Message-ID"] == message_id
    assert message["To"] == "reader@example.test"
    assert message["From"] == "Sky Readers Haven <shop@sky-readers.test>"
    assert message["Subject"] == "Confirm your address"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "token=abc" in text
    assert '<a href="http://localhost:3000/confirm-email?token=abc">' in html
    assert smtp_sink.handler.envelopes == [
        ("shop@sky-readers.test", ["reader@example.test"])
    ]


def _server_tls(folder) -> tuple[ssl.SSLContext, str]:
    """Return a server TLS context for 127.0.0.1 and the certificate to trust."""
    cert, key = make_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, str(cert)


def _login_backend(port: int, security: str, ca_file: str) -> SmtpBackend:
    return SmtpBackend(
        host="127.0.0.1",
        port=port,
        security=security,
        username="shop",
        password="s3cret",
        ca_file=ca_file,
        timeout=5,
    )


def test_smtp_starttls_with_login(tmp_path):
    context, cert = _server_tls(tmp_path)
    with SmtpSink(tls_context=context, credentials=("shop", "s3cret")) as sink:
        backend = _login_backend(sink.port, "starttls", cert)
        backend.send(_mail())
        assert len(sink.messages) == 1

        wrong = SmtpBackend(
            host="127.0.0.1",
            port=sink.port,
            security="starttls",
            username="shop",
            password="wrong",
            ca_file=cert,
            timeout=5,
        )
        with pytest.raises(TransientDeliveryError, match="rejected the login"):
            wrong.send(_mail())

        untrusted = SmtpBackend(
            host="127.0.0.1", port=sink.port, security="starttls", timeout=5
        )
        with pytest.raises(TransientDeliveryError, match="TLS"):
            untrusted.send(_mail())
    assert len(sink.messages) == 1


def test_smtp_implicit_tls_with_login(tmp_path):
    context, cert = _server_tls(tmp_path)
    with SmtpSink(implicit_tls_context=context, credentials=("shop", "s3cret")) as sink:
        backend = _login_backend(sink.port, "ssl", cert)
        message_id = backend.send(_mail())

        plain = SmtpBackend(host="127.0.0.1", port=sink.port, timeout=2)
        with pytest.raises(TransientDeliveryError):
            plain.send(_mail())

    (message,) = sink.messages
    assert message["Message-ID"] == message_id
    assert message["To"] == "reader@example.test"


def test_smtp_rejected_recipient_is_permanent(smtp_sink):
    backend = SmtpBackend(host="127.0.0.1", port=smtp_sink.port, timeout=5)
    with pytest.raises(PermanentDeliveryError, match="550"):
        backend.send(_mail("reject@example.test"))
    assert smtp_sink.messages == []


def test_smtp_busy_recipient_is_transient(smtp_sink):
    backend = SmtpBackend(host="127.0.0.1", port=smtp_sink.port, timeout=5)
    with pytest.raises(TransientDeliveryError, match="451"):
        backend.send(_mail("busy@example.test"))


def test_smtp_no_server_is_transient():
    backend = SmtpBackend(host="127.0.0.1", port=free_port(), timeout=2)
    with pytest.raises(TransientDeliveryError, match="cannot deliver"):
        backend.send(_mail())


def test_smtp_silent_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()))
    thread.start()
    try:
        backend = SmtpBackend(
            host="127.0.0.1", port=listener.getsockname()[1], timeout=0.5
        )
        with pytest.raises(TransientDeliveryError, match="timed out"):
            backend.send(_mail())
    finally:
        thread.join(5)
        for connection, _address in accepted:
            connection.close()
        listener.close()


def test_smtp_login_without_tls_is_rejected():
    with pytest.raises(EmailConfigurationError, match="SMTP_SECURITY"):
        SmtpBackend(host="127.0.0.1", port=25, username="shop", password="x")


def test_worker_delivers_through_smtp(engine, session, smtp_sink):
    ids = queue_mail(session, 3, name="<script>alert(1)</script> {n}")
    worker = MailWorker(
        SmtpBackend(host="127.0.0.1", port=smtp_sink.port, timeout=5), engine=engine
    )

    counts = worker.run_once()

    assert counts.sent == 3
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        f"reader{n}@example.test" for n in range(3)
    ]
    html = smtp_sink.messages[0].get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    session.expire_all()
    for outbox_id in ids:
        assert session.get(OutboxEmail, outbox_id).status == EmailStatus.SENT.value
