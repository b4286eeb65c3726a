"""State of the admin outbox page: filters from the address, retry, guards."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlmodel import Session

from sky_readers.accounts import services as accounts
from sky_readers.accounts import sessions
from sky_readers.core.settings import get_settings
from sky_readers.outbox.errors import PermanentDeliveryError
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from sky_readers.ui.states.admin_outbox import AdminOutboxState
from tests.outbox.fixtures import queue_mail
from tests.outbox.test_worker import ScriptedBackend


def _state(path: str, cookie: str = "") -> AdminOutboxState:
    headers = {"origin": "http://127.0.0.1:3000"}
    if cookie:
        headers["cookie"] = f"{get_settings().session_cookie_name}={cookie}"
    state = AdminOutboxState()
    state.router = RouterData.from_router_data({"headers": headers, "asPath": path})
    return state


@pytest.fixture
def admin_cookie(engine) -> str:
    """Session id of a logged-in admin."""
    with Session(engine) as session:
        admin, _new = accounts.create_or_promote_admin(
            session,
            email="olive@example.test",
            name="Olive",
            password="quiet library afternoon",
        )
        new = sessions.create_session(session, admin)
        session.commit()
    return new.session_id


def _dead_mail(engine, session) -> int:
    (outbox_id,) = queue_mail(session, prefix="dead")
    backend = ScriptedBackend(PermanentDeliveryError("550 5.1.1 no such user"))
    MailWorker(backend, engine=engine).run_once()
    return outbox_id


def test_load_filters_by_status_in_address(engine, session, admin_cookie):
    dead_id = _dead_mail(engine, session)
    queue_mail(session, 2, prefix="waiting")
    state = _state("/admin/outbox?status=dead", admin_cookie)

    assert state.load() is None

    assert state.status_filter == "dead"
    assert state.notice == ""
    assert [row.id for row in state.mails] == [dead_id]
    assert state.mails[0].can_retry
    assert state.mails[0].attempt_log[0].outcome == "permanent_error"
    assert state.counts["dead"] == 1
    assert state.counts["pending"] == 2


def test_unknown_status_in_address_shows_notice(engine, session, admin_cookie):
    queue_mail(session, 3)
    state = _state("/admin/outbox?status=<b>lost</b>", admin_cookie)

    state.load()

    assert state.status_filter == "all"
    assert state.total == 3
    assert "Unknown status '<b>lost</b>'" in state.notice
    assert "pending, retrying, dead, sent" in state.notice


def test_retry_requeues_dead_mail(engine, session, admin_cookie):
    dead_id = _dead_mail(engine, session)
    state = _state("/admin/outbox?status=dead", admin_cookie)
    state.load()

    state.retry(dead_id)

    assert state.error == ""
    assert state.mails == []
    session.expire_all()
    assert session.get(OutboxEmail, dead_id).status == EmailStatus.PENDING.value


def test_retry_of_mail_not_dead_shows_error(engine, session, admin_cookie):
    (outbox_id,) = queue_mail(session)
    state = _state("/admin/outbox", admin_cookie)
    state.load()

    state.retry(outbox_id)
    assert f"mail {outbox_id} is pending" in state.error

    state.retry(424242)
    assert "outbox mail 424242 not found" in state.error


def test_events_need_an_admin(engine, session):
    dead_id = _dead_mail(engine, session)
    state = _state("/admin/outbox")

    assert state.load() is not None
    assert state.retry(dead_id) is not None
    assert state.mails == []
    session.expire_all()
    assert session.get(OutboxEmail, dead_id).status == EmailStatus.DEAD.value
