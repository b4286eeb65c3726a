"""Admin outbox routes: list by state with attempts, counts, retry; admins only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sky_readers.accounts.services import create_or_promote_admin, register_user
from sky_readers.accounts.tokens import issue_access_token
from sky_readers.api.app import create_api
from sky_readers.outbox.errors import PermanentDeliveryError
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from tests.outbox.fixtures import queue_mail
from tests.outbox.test_worker import ScriptedBackend

PASSWORD = "correct horse battery"


@pytest.fixture
def client(engine) -> Iterator[TestClient]:
    """API client on the test database."""
    with TestClient(create_api()) as test_client:
        yield test_client


def _bearer(user_id: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(user_id).token}"}


@pytest.fixture
def admin_headers(session) -> dict[str, str]:
    """Authorization header of a new admin."""
    admin, _new = create_or_promote_admin(
        session, email="admin@example.test", name="Ada Admin", password=PASSWORD
    )
    session.commit()
    return _bearer(admin.id)


def _dead_mail(engine, session) -> int:
    (outbox_id,) = queue_mail(session, prefix="dead")
    backend = ScriptedBackend(PermanentDeliveryError("550 5.1.1 mailbox unavailable"))
    MailWorker(backend, engine=engine).run_once()
    return outbox_id


def test_admin_lists_outbox_by_state(engine, session, client, admin_headers):
    dead_id = _dead_mail(engine, session)
    pending_ids = queue_mail(session, 2, prefix="waiting")

    response = client.get("/api/admin/outbox?status=dead", headers=admin_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (mail,) = body["data"]
    assert mail["id"] == dead_id
    assert mail["status"] == "dead"
    (attempt,) = mail["attempt_log"]
    assert attempt["outcome"] == "permanent_error"
    assert attempt["error"] == "550 5.1.1 mailbox unavailable"
    assert "text_body" not in mail
    assert body["counts"]["dead"] == 1
    # Signing up queued mail too, so count pending from the list itself.
    pending = client.get("/api/admin/outbox?status=pending", headers=admin_headers)
    assert {m["id"] for m in pending.json()["data"]} >= set(pending_ids)


def test_admin_retries_dead_mail(engine, session, client, admin_headers):
    dead_id = _dead_mail(engine, session)

    response = client.post(f"/api/admin/outbox/{dead_id}/retry", headers=admin_headers)

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["attempts"] == 0
    session.expire_all()
    assert session.get(OutboxEmail, dead_id).status == EmailStatus.PENDING.value
    again = client.post(f"/api/admin/outbox/{dead_id}/retry", headers=admin_headers)
    assert again.status_code == 422
    assert "only dead mail" in again.json()["errors"]["status"]


def test_admin_counts_and_unknown_mail(engine, session, client, admin_headers):
    _dead_mail(engine, session)
    counts = client.get("/api/admin/outbox/counts", headers=admin_headers)
    assert counts.status_code == 200
    assert counts.json()["dead"] == 1
    missing = client.post("/api/admin/outbox/4242/retry", headers=admin_headers)
    assert missing.status_code == 404
    assert "4242" in missing.json()["detail"]


def test_bad_status_filter_names_the_field(client, admin_headers):
    response = client.get("/api/admin/outbox?status=lost", headers=admin_headers)
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_outbox_routes_need_an_admin(session, client):
    result = register_user(
        session,
        name="Sam Shopper",
        email="sam@example.test",
        password=PASSWORD,
        confirm_password=PASSWORD,
    )
    session.commit()
    anonymous = client.get("/api/admin/outbox")
    shopper = client.get("/api/admin/outbox", headers=_bearer(result.user.id))
    retry = client.post("/api/admin/outbox/1/retry", headers=_bearer(result.user.id))
    assert anonymous.status_code == 401
    assert shopper.status_code == 403
    assert retry.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", "/api/admin/outbox/99999999999999999999999", "outbox_id"),
        ("post", "/api/admin/outbox/99999999999999999999999/retry", "outbox_id"),
        ("post", "/api/admin/outbox/9223372036854775807/retry", "outbox_id"),
        ("post", "/api/admin/outbox/0/retry", "outbox_id"),
        ("post", "/api/admin/outbox/abc/retry", "outbox_id"),
        ("get", "/api/admin/outbox?offset=9223372036854775808", "offset"),
        ("get", "/api/admin/outbox?offset=-1", "offset"),
        ("get", "/api/admin/outbox?limit=abc", "limit"),
        ("get", "/api/admin/outbox?limit=201", "limit"),
    ],
)
def test_out_of_range_input_names_the_field(
    engine, client, admin_headers, method, path, field
):
    response = getattr(client, method)(path, headers=admin_headers)
    assert response.status_code == 422
    assert field in response.json()["errors"]
