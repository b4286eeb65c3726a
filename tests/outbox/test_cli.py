"""The `mail` commands: worker --once, list, retry."""

from __future__ import annotations

from sky_readers.cli.main import main
from sky_readers.outbox.errors import PermanentDeliveryError
from sky_readers.outbox.models import EmailStatus, OutboxEmail
from sky_readers.outbox.worker import MailWorker
from tests.outbox.fixtures import queue_mail
from tests.outbox.test_worker import ScriptedBackend


def test_worker_once_delivers_due_mail(engine, session, capsys):
    ids = queue_mail(session, 2)
    assert main(["mail", "worker", "--once", "--batch", "1"]) == 0
    assert capsys.readouterr().out.startswith("2 sent, 0 to retry later, 0 dead")
    session.expire_all()
    assert {session.get(OutboxEmail, i).status for i in ids} == {"sent"}


def test_list_shows_counts_and_attempts(engine, session, capsys):
    (outbox_id,) = queue_mail(session)
    MailWorker(
        ScriptedBackend(PermanentDeliveryError("550 no such user")), engine=engine
    ).run_once()
    assert main(["mail", "list", "--attempts"]) == 0
    out = capsys.readouterr().out
    assert "dead: 1" in out
    assert f"{outbox_id:>6}  dead" in out
    assert "last error: 550 no such user" in out
    assert "#1" in out
    assert "permanent_error" in out


def test_retry_requeues_dead_mail(engine, session, capsys):
    (outbox_id,) = queue_mail(session)
    MailWorker(ScriptedBackend(PermanentDeliveryError("550")), engine=engine).run_once()
    assert main(["mail", "retry", str(outbox_id)]) == 0
    assert "queued again" in capsys.readouterr().out
    session.expire_all()
    assert session.get(OutboxEmail, outbox_id).status == EmailStatus.PENDING.value


def test_retry_of_sent_mail_is_a_clear_error(engine, session, capsys):
    (outbox_id,) = queue_mail(session)
    MailWorker(ScriptedBackend(), engine=engine).run_once()
    assert main(["mail", "retry", str(outbox_id)]) == 1
    err = capsys.readouterr().err
    assert f"only dead mail can be retried; mail {outbox_id} is sent" in err


def test_retry_of_huge_id_is_a_clear_error(engine, capsys):
    assert main(["mail", "retry", "99999999999999999999"]) == 1
    assert "outbox mail 99999999999999999999 not found" in capsys.readouterr().err


def test_worker_bad_backend_settings(engine, monkeypatch, capsys):
    from sky_readers.core.settings import Settings

    monkeypatch.setattr(
        "sky_readers.outbox.backends.get_settings",
        lambda: Settings(email_backend="smtp", smtp_username="shop"),
    )
    assert main(["mail", "worker", "--once"]) == 1
    assert "SMTP_SECURITY" in capsys.readouterr().err
