"""The worker inside the web app: a Reflex lifespan task that delivers and stops."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from sky_readers.core.settings import PROJECT_ROOT, Settings, get_settings
from sky_readers.outbox import app_worker
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from tests.outbox.fixtures import queue_mail


async def test_lifespan_task_delivers_and_stops(engine, session):
    (outbox_id,) = queue_mail(session)
    folder = get_settings().email_file_dir

    async with app_worker.mail_worker_lifespan():
        deadline = time.monotonic() + 10
        while True:
            session.expire_all()
            if session.get(OutboxEmail, outbox_id).status == EmailStatus.SENT.value:
                break
            assert time.monotonic() < deadline, "mail not sent within 10 s"
            time.sleep(0.05)

    assert not [t for t in threading.enumerate() if t.name == "mail-worker"]
    assert any(folder.glob(f"*-{outbox_id}-*.eml"))


async def test_lifespan_task_without_valid_backend_keeps_mail(
    engine, session, monkeypatch, caplog
):
    (outbox_id,) = queue_mail(session)
    broken = Settings(email_backend="acs")
    monkeypatch.setattr("sky_readers.outbox.backends.get_settings", lambda: broken)

    async with app_worker.mail_worker_lifespan():
        pass

    assert "Mail worker not started" in caplog.text
    assert "ACS_CONNECTION_STRING" in caplog.text
    session.expire_all()
    assert session.get(OutboxEmail, outbox_id).status == EmailStatus.PENDING.value


def _reflex_lifespan_host():
    # The lifespan part of rx.App; a second rx.App in one process is not allowed.
    from reflex.app_mixins.lifespan import LifespanMixin

    return LifespanMixin()


def test_register_adds_lifespan_task_to_reflex_app():
    app = _reflex_lifespan_host()
    assert app_worker.register_mail_worker(app) is True
    assert app_worker.mail_worker_lifespan in app.get_lifespan_tasks()


def test_register_skips_when_switched_off(monkeypatch):
    monkeypatch.setattr(
        app_worker, "get_settings", lambda: Settings(mail_worker_in_app=False)
    )
    app = _reflex_lifespan_host()
    assert app_worker.register_mail_worker(app) is False
    assert app.get_lifespan_tasks() == ()


def test_store_app_registers_mail_worker(tmp_path):
    # The app module builds an rx.App, which one process may do only once.
    check = (
        "import sky_readers.sky_readers as store\n"
        "from sky_readers.outbox.app_worker import mail_worker_lifespan\n"
        "print(mail_worker_lifespan in store.app.get_lifespan_tasks())\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "MAIL_WORKER_IN_APP": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
