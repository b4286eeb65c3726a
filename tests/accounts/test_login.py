"""Login by email or handle, one message for every failure, and the login limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sky_readers.accounts import ratelimit, services
from sky_readers.accounts.errors import (
    INVALID_CREDENTIALS_MESSAGE,
    AuthenticationError,
    LoginThrottledError,
)
from sky_readers.accounts.models import LoginAttempt
from sky_readers.core.types import utcnow
from tests.accounts.helpers import PASSWORD, latest_token, sign_up

ADDRESS = "203.0.113.7"
NEW_PASSWORD = "a brand new passphrase"


def _login(session, username, password=PASSWORD, address=ADDRESS):
    return services.authenticate(
        session, username=username, password=password, client_address=address
    )


def _fail(session, username="ada@example.test", address=ADDRESS):
    with pytest.raises(AuthenticationError):
        _login(session, username, "wrong password!", address)


@pytest.mark.parametrize(
    "username",
    ["ada@example.test", " ADA@Example.Test ", "ada_lovelace", "Ada_Lovelace"],
)
def test_login_by_email_or_handle(session, username):
    user = sign_up(session)
    session.commit()
    assert _login(session, username).id == user.id


def test_login_unconfirmed_user_allowed(session):
    user = sign_up(session)
    session.commit()
    assert _login(session, user.email).email_confirmed_at is None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ada@example.test", "wrong password!"),
        ("nobody@example.test", PASSWORD),
        ("nobody_here", PASSWORD),
        ("ada@example.test", ""),
        ("", PASSWORD),
        ("ada@example.test", "€" * 25),
    ],
)
def test_login_failures_share_one_message(session, username, password):
    sign_up(session)
    session.commit()
    with pytest.raises(AuthenticationError) as caught:
        _login(session, username, password)
    assert str(caught.value) == INVALID_CREDENTIALS_MESSAGE


def test_login_name_with_nul_recorded(session):
    sign_up(session)
    session.commit()
    with pytest.raises(AuthenticationError):
        _login(session, "nobody\x00@example.test", "wrong password!")
    [attempt] = session.exec(select(LoginAttempt)).all()
    assert attempt.account_key == "nobody@example.test"


def test_login_inactive_user_rejected(session):
    user = sign_up(session)
    user.is_active = False
    session.add(user)
    session.commit()
    with pytest.raises(AuthenticationError):
        _login(session, user.email)


def test_failed_login_recorded_despite_rollback(session):
    user = sign_up(session)
    session.commit()
    _fail(session)
    _fail(session, "nobody@example.test")
    session.rollback()
    attempts = session.exec(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(a.account_key, a.succeeded) for a in attempts] == [
        (f"user:{user.id}", False),
        ("nobody@example.test", False),
    ]


def test_five_failures_lock_account_with_wait(session):
    sign_up(session)
    session.commit()
    for _ in range(5):
        _fail(session)

    with pytest.raises(LoginThrottledError) as caught:
        _login(session, "ada@example.test")
    assert 14 * 60 < caught.value.retry_after_seconds <= 15 * 60
    assert "Wait 15 minutes" in str(caught.value)


def test_account_lock_shared_by_handle_and_email(session):
    sign_up(session)
    session.commit()
    for number in range(3):
        _fail(session, "ada@example.test", address=f"198.51.100.{number}")
    for number in range(2):
        _fail(session, "ADA_Lovelace", address=f"198.51.100.{10 + number}")

    for username in ("ada@example.test", "ada_lovelace"):
        with pytest.raises(LoginThrottledError):
            _login(session, username, address="192.0.2.1")


def test_account_lock_spares_other_accounts(session):
    sign_up(session)
    other = sign_up(session, name="Grace Hopper", email="grace@example.test")
    session.commit()
    for _ in range(5):
        _fail(session, "ada@example.test", address="192.0.2.1")
    assert _login(session, "grace_hopper", address="192.0.2.2").id == other.id


def test_four_failures_then_success_resets_account_count(session):
    sign_up(session)
    session.commit()
    for _ in range(4):
        _fail(session)
    _login(session, "ada@example.test")
    for _ in range(4):
        _fail(session)
    assert _login(session, "ada@example.test").email == "ada@example.test"


def _reset_password_by_mail(session, password: str) -> None:
    services.request_password_reset(session, "ada@example.test")
    services.reset_password(
        session,
        token=latest_token(session, "password_reset"),
        password=password,
        confirm_password=password,
    )
    session.commit()


def test_password_reset_lifts_account_lock(session):
    sign_up(session)
    session.commit()
    for _ in range(5):
        _fail(session)
    with pytest.raises(LoginThrottledError):
        _login(session, "ada@example.test")

    _reset_password_by_mail(session, NEW_PASSWORD)
    user = _login(session, "ada_lovelace", NEW_PASSWORD)
    assert user.email == "ada@example.test"


def test_password_reset_keeps_address_lock(session):
    sign_up(session)
    session.commit()
    for number in range(20):
        _fail(session, f"guess{number}@example.test")

    _reset_password_by_mail(session, NEW_PASSWORD)
    with pytest.raises(LoginThrottledError):
        _login(session, "ada@example.test", NEW_PASSWORD)


def test_twenty_failures_lock_address(session):
    sign_up(session)
    session.commit()
    for number in range(20):
        _fail(session, f"guess{number}@example.test")

    with pytest.raises(LoginThrottledError):
        _login(session, "ada@example.test")
    assert _login(session, "ada@example.test", address="192.0.2.99").id


def test_lock_ends_after_window(session):
    user = sign_up(session)
    session.commit()
    for _ in range(5):
        _fail(session)
    with pytest.raises(LoginThrottledError):
        _login(session, "ada@example.test")

    old = utcnow() - dt.timedelta(minutes=15, seconds=1)
    for attempt in session.exec(select(LoginAttempt)).all():
        assert attempt.account_key == f"user:{user.id}"
        attempt.attempted_at = old
        session.add(attempt)
    session.commit()
    assert _login(session, "ada@example.test").email == "ada@example.test"


def test_wait_counts_from_oldest_counted_failure(session):
    now = utcnow()
    for minutes_ago in (14, 10, 5, 3, 1):
        ratelimit.record_login_attempt(
            session,
            account_key="ada@example.test",
            client_address=ADDRESS,
            succeeded=False,
            now=now - dt.timedelta(minutes=minutes_ago),
        )
    with pytest.raises(LoginThrottledError) as caught:
        ratelimit.check_login_allowed(
            session, account_key="ada@example.test", client_address="x", now=now
        )
    assert caught.value.retry_after_seconds == 60


def test_prune_keeps_recent_attempts(session):
    now = utcnow()
    for age in (dt.timedelta(days=2), dt.timedelta(minutes=1)):
        ratelimit.record_login_attempt(
            session,
            account_key="k",
            client_address=ADDRESS,
            succeeded=False,
            now=now - age,
        )
    assert ratelimit.prune_login_attempts(session, older_than=dt.timedelta(days=1)) == 1
    assert len(session.exec(select(LoginAttempt)).all()) == 1


def test_recording_attempts_prunes_old_ones(session, monkeypatch):
    now = utcnow()
    # Keep pruning off while the old attempt is recorded.
    monkeypatch.setattr(ratelimit, "PRUNE_EVERY_ATTEMPTS", 10**12)
    for age in (dt.timedelta(days=2), dt.timedelta(hours=1)):
        ratelimit.record_login_attempt(
            session,
            account_key="k",
            client_address=ADDRESS,
            succeeded=False,
            now=now - age,
        )
    assert len(session.exec(select(LoginAttempt)).all()) == 2

    monkeypatch.setattr(ratelimit, "PRUNE_EVERY_ATTEMPTS", 1)
    _fail(session, "nobody@example.test")
    ages = sorted(now - a.attempted_at for a in session.exec(select(LoginAttempt)))
    assert len(ages) == 2
    assert ages[-1] < dt.timedelta(days=1)


def test_rehash_on_login_when_cost_changes(session, monkeypatch):
    user = sign_up(session)
    session.commit()
    from sky_readers.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "bcrypt_rounds", 5)
    _login(session, user.email)
    assert user.password_hash.startswith("$2b$05$")
