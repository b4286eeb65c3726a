"""ACS backend through the azure-communication-email SDK against the fake ACS API."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
import logging
import time

import httpx
import pytest

from sky_readers.core.settings import Settings
from sky_readers.devtools.fake_acs import FakeAcsServer
from sky_readers.outbox.backends.acs import AcsBackend, parse_connection_string
from sky_readers.outbox.backends.base import OutgoingEmail
from sky_readers.outbox.errors import (
    EmailConfigurationError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from sky_readers.outbox.models import AttemptOutcome, EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker, RetrySchedule
from tests.outbox.fixtures import FAST_RETRIES, free_port, queue_mail

OPERATION_ID = "5d0c1f7e-2b8a-4c1e-9a77-0e9f3c2d1a00"


def _mail(operation_id: str = OPERATION_ID, attempt_number: int = 1) -> OutgoingEmail:
    return OutgoingEmail(
        outbox_id=1,
        operation_id=operation_id,
        attempt_number=attempt_number,
        sender_address="DoNotReply@shop.test",
        sender_name="Sky Readers Haven",
        to_address="reader@example.test",
        subject="Your order has shipped",
        text_body="Track it at http://localhost:3000/orders/1",
        html_body="<p>Track it</p>",
    )


def test_acs_sends_signed_request_and_polls(fake_acs, acs_backend):
    fake_acs.set_running_polls(2)

    operation_id = acs_backend.send(_mail())

    assert operation_id == OPERATION_ID
    (delivery,) = fake_acs.deliveries()
    assert delivery.operation_id == OPERATION_ID
    assert delivery.to == ["reader@example.test"]
    assert delivery.subject == "Your order has shipped"
    message = fake_acs.state.operations[OPERATION_ID].message
    assert message["senderAddress"] == "DoNotReply@shop.test"
    assert message["content"]["plainText"].startswith("Track it")
    assert fake_acs.state.requests == {"POST": 1, "GET": 3}
    assert fake_acs.state.answers["401"] == 0


def test_acs_wrong_key_is_rejected_by_signature_check(fake_acs):
    backend = AcsBackend(
        endpoint=fake_acs.endpoint,
        access_key="d3Jvbmcta2V5LXdyb25nLWtleQ==",
        request_timeout=2,
    )
    with pytest.raises(PermanentDeliveryError, match="401"):
        backend.send(_mail())
    assert fake_acs.deliveries() == []
    assert fake_acs.state.answers["401"] == 1


@pytest.mark.parametrize("kind", ["500", "503"])
def test_acs_server_error_is_transient_with_one_post(fake_acs, acs_backend, kind):
    fake_acs.fail_next(kind)
    with pytest.raises(TransientDeliveryError, match=kind):
        acs_backend.send(_mail())
    # The SDK's retries are off, so the worker alone decides about a resend.
    assert fake_acs.state.requests["POST"] == 1


def test_acs_throttling_carries_retry_after(fake_acs, acs_backend):
    fake_acs.fail_next("429", retry_after=7)
    with pytest.raises(TransientDeliveryError, match="429") as caught:
        acs_backend.send(_mail())
    assert caught.value.retry_after == 7
    assert fake_acs.state.requests["POST"] == 1


def test_acs_timeout_then_retry_does_not_post_again(fake_acs, acs_backend):
    fake_acs.fail_next("timeout")
    started = time.monotonic()
    with pytest.raises(TransientDeliveryError, match="in time"):
        acs_backend.send(_mail())
    assert time.monotonic() - started < 1.4

    # The stalled request had queued the mail, so the retry finds the operation
    # by its id and posts nothing.
    assert acs_backend.send(_mail(attempt_number=2)) == OPERATION_ID
    assert fake_acs.deliveries_per_operation() == {OPERATION_ID: 1}
    assert fake_acs.state.requests["POST"] == 1
    assert fake_acs.state.repeated_posts == 0


def test_acs_retry_posts_when_operation_unknown(fake_acs, acs_backend):
    fake_acs.fail_next("500")
    with pytest.raises(TransientDeliveryError, match="500"):
        acs_backend.send(_mail())

    assert acs_backend.send(_mail(attempt_number=2)) == OPERATION_ID
    assert fake_acs.deliveries_per_operation() == {OPERATION_ID: 1}
    assert fake_acs.state.requests["POST"] == 2
    assert fake_acs.state.answers["404"] == 1


def test_acs_retry_of_running_operation_polls_it(fake_acs, acs_backend):
    fake_acs.set_running_polls(1)
    fake_acs.fail_next("500", count=3, polls=True)
    with pytest.raises(TransientDeliveryError, match="status poll"):
        acs_backend.send(_mail())

    assert acs_backend.send(_mail(attempt_number=2)) == OPERATION_ID
    assert fake_acs.state.requests["POST"] == 1
    assert fake_acs.deliveries_per_operation() == {OPERATION_ID: 1}


def test_fake_acs_counts_repeated_post(fake_acs, acs_backend):
    acs_backend.send(_mail())
    # A first attempt never reads the status first, so this posts again.
    acs_backend.send(_mail())
    assert fake_acs.deliveries_per_operation() == {OPERATION_ID: 2}
    assert fake_acs.state.repeated_posts == 1


def test_acs_failed_operation_is_transient(fake_acs, acs_backend):
    fake_acs.fail_next("failed")
    with pytest.raises(TransientDeliveryError, match="ended Failed"):
        acs_backend.send(_mail())
    assert fake_acs.deliveries() == []
    # A retry finds the failed operation and posts a new try under the same id.
    acs_backend.send(_mail(attempt_number=2))
    assert fake_acs.deliveries_per_operation() == {OPERATION_ID: 1}
    assert fake_acs.state.requests["POST"] == 2


def test_acs_bad_request_is_permanent(fake_acs, acs_backend):
    fake_acs.fail_next("400")
    with pytest.raises(PermanentDeliveryError, match="InvalidSenderUserName"):
        acs_backend.send(_mail())


def test_acs_failed_status_read_is_read_again(fake_acs, acs_backend):
    fake_acs.fail_next("500", polls=True)
    fake_acs.fail_next("timeout", polls=True)
    assert acs_backend.send(_mail()) == OPERATION_ID
    assert fake_acs.state.requests == {"POST": 1, "GET": 3}


def test_acs_throttled_status_read_waits_retry_after(fake_acs, acs_backend):
    fake_acs.fail_next("429", retry_after=1, polls=True)
    started = time.monotonic()
    assert acs_backend.send(_mail()) == OPERATION_ID
    assert time.monotonic() - started >= 0.9
    assert fake_acs.state.requests == {"POST": 1, "GET": 2}


def test_acs_status_reads_that_keep_failing_are_transient(fake_acs, acs_backend):
    fake_acs.fail_next("503", count=3, polls=True)
    with pytest.raises(TransientDeliveryError, match="status poll.*503"):
        acs_backend.send(_mail())
    assert fake_acs.state.requests == {"POST": 1, "GET": 3}


def test_acs_operation_still_running_after_poll_timeout(fake_acs):
    fake_acs.set_running_polls(1000)
    backend = AcsBackend(
        endpoint=fake_acs.endpoint,
        access_key=fake_acs.access_key,
        poll_interval=0.05,
        poll_timeout=0.5,
    )
    with pytest.raises(TransientDeliveryError, match="still Running"):
        backend.send(_mail())


def test_acs_nothing_listening_is_transient():
    backend = AcsBackend(
        endpoint=f"http://127.0.0.1:{free_port()}",
        access_key="a2V5",
        request_timeout=1,
    )
    with pytest.raises(TransientDeliveryError, match="cannot reach ACS"):
        backend.send(_mail())


def test_connection_string_keeps_http_endpoint():
    endpoint, key = parse_connection_string(
        "endpoint=http://127.0.0.1:8089/;accesskey=a2V5PQ=="
    )
    assert endpoint == "http://127.0.0.1:8089"
    assert key == "a2V5PQ=="
    endpoint, _key = parse_connection_string(
        "Endpoint=shop.communication.azure.com;AccessKey=a2V5"
    )
    assert endpoint == "https://shop.communication.azure.com"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"acs_connection_string": "endpoint=http://x/"}, "accesskey"),
        ({"acs_endpoint": "http://127.0.0.1:1"}, "ACS_CONNECTION_STRING"),
        (
            {"acs_endpoint": "http://127.0.0.1:1", "acs_access_key": "not base64!"},
            "base64",
        ),
    ],
)
def test_acs_settings_errors_name_the_setting(settings, message):
    with pytest.raises(EmailConfigurationError, match=message):
        AcsBackend.from_settings(Settings(email_backend="acs", **settings))


def test_acs_backend_from_connection_string_sends(fake_acs):
    settings = Settings(
        email_backend="acs",
        acs_connection_string=fake_acs.connection_string,
        acs_poll_interval_seconds=0.05,
    )
    backend = AcsBackend.from_settings(settings)
    assert backend.send(_mail()) == OPERATION_ID


def test_worker_retries_throttled_mail_after_retry_after(engine, session, fake_acs):
    (outbox_id,) = queue_mail(session)
    backend = AcsBackend(
        endpoint=fake_acs.endpoint, access_key=fake_acs.access_key, poll_interval=0.02
    )
    schedule = RetrySchedule(base_seconds=0.01, max_seconds=60, jitter=0)
    worker = MailWorker(backend, engine=engine, schedule=schedule)
    fake_acs.fail_next("429", retry_after=1)

    worker.run_once()
    session.expire_all()
    mail = session.get(OutboxEmail, outbox_id)
    assert mail.status == EmailStatus.RETRYING.value
    assert "429" in mail.last_error
    assert worker.run_once().claimed == 0

    time.sleep(1.1)
    worker.run_once()
    session.expire_all()
    mail = session.get(OutboxEmail, outbox_id)
    assert mail.status == EmailStatus.SENT.value
    assert fake_acs.deliveries_per_operation() == {mail.operation_id: 1}


def test_worker_every_acs_failure_kind_ends_sent_once(engine, session, fake_acs):
    ids = queue_mail(session, 5)
    backend = AcsBackend(
        endpoint=fake_acs.endpoint,
        access_key=fake_acs.access_key,
        request_timeout=0.5,
        poll_interval=0.02,
    )
    schedule = RetrySchedule(
        max_attempts=8, base_seconds=0.001, multiplier=1, max_seconds=0.001
    )
    worker = MailWorker(backend, engine=engine, schedule=schedule)
    for kind in ("429", "500", "503", "timeout", "failed"):
        fake_acs.fail_next(kind, retry_after=0 if kind == "429" else None)

    assert worker.run_once().retrying == 5
    # Three failed status reads end one more try.
    fake_acs.fail_next("500", count=3, polls=True)
    for _ in range(3):
        time.sleep(0.01)
        worker.run_once()

    session.expire_all()
    mails = [session.get(OutboxEmail, i) for i in ids]
    assert [m.status for m in mails] == ["sent"] * 5
    deliveries = fake_acs.deliveries_per_operation()
    assert deliveries == {m.operation_id: 1 for m in mails}
    assert sum(m.attempts for m in mails) == 5 + 5 + 1
    from sky_readers.outbox.services import get_outbox_email

    errors = " | ".join(
        attempt.error or ""
        for outbox_id in ids
        for attempt in get_outbox_email(session, outbox_id).attempt_log
    )
    for expected in ("429", "500", "503", "in time", "ended Failed", "status poll"):
        assert expected in errors


def test_worker_marks_permanent_acs_failure_dead(engine, session, fake_acs):
    (outbox_id,) = queue_mail(session)
    backend = AcsBackend(endpoint=fake_acs.endpoint, access_key=fake_acs.access_key)
    fake_acs.fail_next("400")
    MailWorker(backend, engine=engine, schedule=FAST_RETRIES).run_once()
    session.expire_all()
    mail = session.get(OutboxEmail, outbox_id)
    assert mail.status == EmailStatus.DEAD.value
    assert mail.attempts == 1
    from sky_readers.outbox.services import get_outbox_email

    (attempt,) = get_outbox_email(session, outbox_id).attempt_log
    assert attempt.outcome == AttemptOutcome.PERMANENT_ERROR.value
    assert "InvalidSenderUserName" in attempt.error


def test_fake_acs_rejects_unsigned_request():
    import httpx

    with FakeAcsServer() as fake:
        response = httpx.post(
            f"{fake.endpoint}/emails:send?api-version=2025-09-01", json={}
        )
    assert response.status_code == 401
    assert "Authentication failed" in response.json()["error"]["message"]


def test_acs_worker_logs_no_key_or_token(engine, session, fake_acs, caplog):
    (outbox_id,) = queue_mail(session)
    backend = AcsBackend(
        endpoint=fake_acs.endpoint, access_key=fake_acs.access_key, poll_interval=0.02
    )
    fake_acs.fail_next("500")
    worker = MailWorker(backend, engine=engine, schedule=FAST_RETRIES)

    # Every logger at DEBUG, so azure-core's request and response log is captured.
    with caplog.at_level(logging.DEBUG):
        worker.run_once()
        time.sleep(0.01)
        worker.run_once()

    session.expire_all()
    assert session.get(OutboxEmail, outbox_id).status == EmailStatus.SENT.value
    assert f"Sent mail {outbox_id}" in caplog.text
    assert f"Mail {outbox_id} attempt 1 failed" in caplog.text
    assert "Request URL" in caplog.text
    assert fake_acs.access_key not in caplog.text
    assert "tok0" not in caplog.text


def _signed_headers(
    key: str, method: str, url: str, body: bytes, date: str | None = None
) -> dict[str, str]:
    # HMAC-SHA256 over "VERB\npath?query\ndate;host;content-hash", as ACS expects.
    parts = httpx.URL(url)
    host = f"{parts.host}:{parts.port}"
    date = date or email.utils.formatdate(usegmt=True)
    content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    path = parts.raw_path.decode()
    string_to_sign = f"{method}\n{path}\n{date};{host};{content_hash}"
    digest = hmac.new(base64.b64decode(key), string_to_sign.encode(), hashlib.sha256)
    signature = base64.b64encode(digest.digest()).decode()
    return {
        "x-ms-date": date,
        "x-ms-content-sha256": content_hash,
        "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;"
        f"x-ms-content-sha256&Signature={signature}",
        "Content-Type": "application/json",
    }


def test_fake_acs_checks_hash_date_and_signature(fake_acs):
    url = f"{fake_acs.endpoint}/emails:send?api-version=2025-09-01"
    body = json.dumps(
        {
            "senderAddress": "shop@example.test",
            "recipients": {"to": [{"address": "a@example.test"}]},
            "content": {"subject": "Hi", "plainText": "Hello"},
        }
    ).encode()
    key = fake_acs.access_key
    signed = _signed_headers(key, "POST", url, body)

    accepted = httpx.post(url, content=body, headers=signed)
    tampered = httpx.post(url, content=body + b" ", headers=signed)
    stale_date = email.utils.formatdate(time.time() - 3600, usegmt=True)
    stale = httpx.post(
        url, content=body, headers=_signed_headers(key, "POST", url, body, stale_date)
    )
    other_key = base64.b64encode(b"another key, 32 bytes long......").decode()
    wrong_key = httpx.post(
        url, content=body, headers=_signed_headers(other_key, "POST", url, body)
    )

    assert accepted.status_code == 202
    assert accepted.headers["Operation-Location"].startswith(
        f"{fake_acs.endpoint}/emails/operations/"
    )
    assert tampered.status_code == 401
    assert "content-sha256" in tampered.json()["error"]["message"]
    assert stale.status_code == 401
    assert "15 minutes" in stale.json()["error"]["message"]
    assert wrong_key.status_code == 401
    assert "signature does not match" in wrong_key.json()["error"]["message"]
    assert len(fake_acs.deliveries()) == 1

    poll_url = accepted.headers["Operation-Location"]
    poll = httpx.get(poll_url, headers=_signed_headers(key, "GET", poll_url, b""))
    assert poll.status_code == 200
    assert poll.json()["status"] == "Succeeded"
