"""`users create-admin`: password from standard input, the sign-up rules, promotion."""

from __future__ import annotations

import io

import pytest
from sqlmodel import Session, select

from sky_readers.accounts.models import User
from sky_readers.accounts.passwords import verify_password
from sky_readers.cli import users
from sky_readers.cli.main import main
from tests.accounts.helpers import PASSWORD, sign_up


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(monkeypatch, stdin: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", "create-admin", *args])


def _users(engine) -> list[User]:
    with Session(engine) as session:
        return list(session.exec(select(User)).all())


def test_create_admin_from_stdin(engine, monkeypatch, capsys):
    code = _run(
        monkeypatch, PASSWORD + "\n", "--email", "Boss@Example.test", "--name", "Boss"
    )
    [admin] = _users(engine)

    assert code == 0
    assert admin.email == "boss@example.test"
    assert admin.role == "admin"
    assert verify_password(PASSWORD, admin.password_hash)
    assert "Created admin boss@example.test" in capsys.readouterr().out


def test_create_admin_weak_password_rejected(engine, monkeypatch, capsys):
    code = _run(monkeypatch, "short\n", "--email", "boss@example.test", "--name", "B")
    assert code == 1
    assert "use at least 10" in capsys.readouterr().err
    assert _users(engine) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-address", "--name", "Boss"], "not a valid email"),
        (["--email", "boss@example.test", "--name", "  "], "Enter your name"),
        (["--email", "boss@example.test", "--name", "n" * 101], "at most 100"),
    ],
)
def test_create_admin_bad_fields_rejected(engine, monkeypatch, capsys, args, message):
    assert _run(monkeypatch, PASSWORD + "\n", *args) == 1
    assert message in capsys.readouterr().err
    assert _users(engine) == []


def test_create_admin_empty_stdin_rejected(engine, monkeypatch, capsys):
    assert _run(monkeypatch, "", "--email", "boss@example.test", "--name", "B") == 1
    assert "no password on standard input" in capsys.readouterr().err


def test_create_admin_promotes_existing_user(engine, monkeypatch, capsys):
    with Session(engine) as session:
        sign_up(session)
        session.commit()
    code = _run(monkeypatch, "", "--email", "ADA@example.test", "--name", "Ignored")
    [admin] = _users(engine)

    assert code == 0
    assert admin.role == "admin"
    assert admin.name == "Ada Lovelace"
    assert verify_password(PASSWORD, admin.password_hash)
    assert "is now an admin" in capsys.readouterr().out


def test_create_admin_reads_password_from_prompt(engine, monkeypatch):
    prompts = []

    def answer(prompt):
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr(users.getpass, "getpass", answer)
    monkeypatch.setattr("sys.stdin", _Terminal())
    code = main(["users", "create-admin", "--email", "b@example.test", "--name", "B"])
    [admin] = _users(engine)

    assert code == 0
    assert prompts == ["Password: ", "Repeat the password: "]
    assert admin.role == "admin"
    assert verify_password(PASSWORD, admin.password_hash)


def test_create_admin_sets_password_of_existing_user(engine, monkeypatch):
    with Session(engine) as session:
        sign_up(session)
        session.commit()
    new_password = "a brand new admin passphrase"
    code = _run(
        monkeypatch,
        new_password + "\n",
        "--email",
        "ada@example.test",
        "--name",
        "Ada",
        "--set-password",
    )
    [admin] = _users(engine)

    assert code == 0
    assert admin.role == "admin"
    assert verify_password(new_password, admin.password_hash)


def test_create_admin_prompts_twice_on_terminal(engine, monkeypatch):
    answers = iter(["first long password", "second long password"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin", _Terminal())
    code = main(["users", "create-admin", "--email", "b@example.test", "--name", "B"])
    assert code == 1
    assert _users(engine) == []


def test_create_admin_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        main(["users", "create-admin", "--help"])
    out = capsys.readouterr().out
    assert "--email" in out
    assert "--set-password" in out
