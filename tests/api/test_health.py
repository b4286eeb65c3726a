"""Readiness endpoint, request ids and the access log line of each request."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from sky_readers.api.app import create_api
from sky_readers.core import health
from sky_readers.core.logging import JsonFormatter, RequestIdFilter, request_id_var
from sky_readers.core.settings import get_settings

LOCAL_REDIS = "redis://127.0.0.1:6379/0"
ACS_KEY = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs="


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def client(engine):
    with TestClient(create_api()) as test_client:
        yield test_client


@pytest.fixture
def use_settings(monkeypatch):
    """Make the readiness checks read a copy of the settings with some changes."""

    def apply(**changes):
        settings = get_settings().model_copy(update=changes)
        monkeypatch.setattr(health, "get_settings", lambda: settings)
        return settings

    return apply


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_ready_with_database_and_console_mail(client, use_settings):
    use_settings(reflex_redis_url=SecretStr(""))

    response = client.get("/api/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {
        "ok": True,
        "backend": "memory",
        "detail": "not configured",
        "extra": {},
    }
    assert body["checks"]["mail"]["backend"] == "console"


@pytest.mark.skipif(not _redis_is_up(), reason="no Redis server on 127.0.0.1:6379")
def test_ready_pings_redis(client, use_settings):
    use_settings(reflex_redis_url=SecretStr(LOCAL_REDIS))

    body = client.get("/api/ready").json()

    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["redis"]["backend"] == "redis"


def test_unreachable_redis_is_not_ready(client, use_settings):
    url = f"redis://:hunter2-password@127.0.0.1:{_closed_port()}/0"
    use_settings(reflex_redis_url=SecretStr(url))

    response = client.get("/api/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"] == "ConnectionError"
    assert "hunter2" not in response.text


def test_production_without_redis_is_not_ready(client, use_settings):
    use_settings(app_env="production", reflex_redis_url=SecretStr(""))

    response = client.get("/api/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_incomplete_mail_settings_not_ready(client, use_settings):
    use_settings(
        email_backend="acs",
        acs_connection_string=SecretStr(""),
        acs_endpoint="https://mail.example.com",
        acs_access_key=SecretStr(""),
    )

    response = client.get("/api/ready")

    assert response.status_code == 503
    mail = response.json()["checks"]["mail"]
    assert mail["ok"] is False
    assert mail["backend"] == "acs"
    assert mail["detail"]


def test_ready_hides_mail_secrets(client, use_settings):
    use_settings(
        email_backend="acs",
        acs_connection_string=SecretStr(
            f"endpoint=https://mail.example.com/;accesskey={ACS_KEY}"
        ),
    )

    response = client.get("/api/ready")

    assert response.json()["checks"]["mail"]["ok"] is True
    assert ACS_KEY not in response.text
    assert "accesskey" not in response.text.lower()


def test_response_carries_new_request_id(client):
    first = client.get("/api/categories")
    second = client.get("/api/categories")

    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_plain_incoming_request_id_is_kept(client):
    response = client.get("/api/categories", headers={"X-Request-ID": "edge-42.a"})

    assert response.headers["x-request-id"] == "edge-42.a"


@pytest.mark.parametrize(
    "sent", [b"bad id with spaces", b"x" * 101, "a\u00e9b".encode(), b"a\nb"]
)
def test_unsafe_incoming_request_id_is_replaced(client, sent):
    response = client.get("/api/categories", headers={"X-Request-ID": sent})

    assert response.headers["x-request-id"].encode() != sent
    assert len(response.headers["x-request-id"]) == 32


def test_access_line_has_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="sky_readers.access")

    response = client.get("/api/books/424242", headers={"X-Request-ID": "trace-7"})

    assert response.status_code == 404
    lines = [r for r in caplog.records if r.name == "sky_readers.access"]
    assert len(lines) == 1
    assert lines[0].getMessage().startswith("GET /api/books/424242 404 in ")
    assert lines[0].status == 404
    assert lines[0].request_id == "trace-7"


def test_access_line_escapes_control_characters(client, caplog):
    caplog.set_level(logging.INFO, logger="sky_readers.access")

    client.get("/api/categories/a%00b%0Afake%20line")

    lines = [r for r in caplog.records if r.name == "sky_readers.access"]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert message.isprintable()
    assert "/api/categories/a\\x00b\\nfake line " in message
    assert lines[0].path == "/api/categories/a\\x00b\\nfake line"


def test_filter_adds_current_request_id():
    record = logging.LogRecord("sky_readers", logging.INFO, "", 0, "hi", (), None)
    token = request_id_var.set("trace-8")
    try:
        assert RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)

    assert record.request_id == "trace-8"


def test_json_line_carries_request_id_and_fields():
    record = logging.LogRecord(
        "sky_readers.access", logging.INFO, "", 0, "hi", (), None
    )
    record.request_id = "trace-9"
    record.status = 201

    line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] == "trace-9"
    assert line["status"] == 201
    assert line["message"] == "hi"
    assert line["level"] == "INFO"
    assert line["pid"] == record.process


def test_startup_summary_names_backends(caplog, use_settings):
    settings = use_settings(reflex_redis_url=SecretStr(LOCAL_REDIS))
    caplog.set_level(logging.INFO, logger="sky_readers.core.health")

    health.log_startup(settings)

    message = caplog.records[-1].getMessage()
    assert "environment development" in message
    assert "page state redis" in message
    assert "mail console" in message
    assert "database sqlite" in message
    assert "6379" not in message
