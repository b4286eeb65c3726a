"""Browser sessions, password change and password reset."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sky_readers.accounts import services, sessions
from sky_readers.accounts.email_tokens import TokenState
from sky_readers.accounts.models import AuthSession, EmailToken, TokenPurpose
from sky_readers.accounts.passwords import verify_password
from sky_readers.accounts.tokens import hash_secret
from sky_readers.core.errors import ValidationError
from sky_readers.core.types import utcnow
from tests.accounts.helpers import PASSWORD, latest_token, mails, sign_up

NEW_PASSWORD = "a brand new passphrase"


def test_session_found_by_cookie_value(session):
    user = sign_up(session)
    new = sessions.create_session(session, user, client_address="192.0.2.1")
    record, found_user = sessions.find_session(session, new.session_id)

    assert found_user.id == user.id
    assert record.id_hash == hash_secret(new.session_id)
    stored = session.exec(select(AuthSession)).one()
    assert new.session_id not in (stored.id_hash, stored.client_address)


def test_session_revoked_by_logout(session):
    user = sign_up(session)
    new = sessions.create_session(session, user)
    assert sessions.revoke_session(session, new.session_id)

    assert sessions.find_session(session, new.session_id) is None
    assert not sessions.revoke_session(session, new.session_id)


def test_session_expires(session):
    user = sign_up(session)
    new = sessions.create_session(session, user)
    later = new.record.expires_at + dt.timedelta(seconds=1)
    assert sessions.find_session(session, new.session_id, now=later) is None


@pytest.mark.parametrize("value", [None, "", "unknown-session-id"])
def test_unknown_session_ignored(session, value):
    assert sessions.find_session(session, value) is None


def test_session_of_inactive_user_ignored(session):
    user = sign_up(session)
    new = sessions.create_session(session, user)
    user.is_active = False
    session.add(user)
    assert sessions.find_session(session, new.session_id) is None


def test_session_last_seen_updated_after_a_minute(session):
    user = sign_up(session)
    new = sessions.create_session(session, user)
    later = new.record.last_seen_at + dt.timedelta(minutes=2)
    record, _ = sessions.find_session(session, new.session_id, now=later)
    assert record.last_seen_at == later


def test_prune_deletes_long_ended_sessions(session):
    user = sign_up(session)
    long_ago = utcnow() - dt.timedelta(days=45)
    expired = sessions.create_session(session, user, now=long_ago)
    revoked = sessions.create_session(session, user)
    revoked.record.revoked_at = utcnow() - dt.timedelta(days=31)
    recently_revoked = sessions.create_session(session, user)
    sessions.revoke_session(session, recently_revoked.session_id)
    live = sessions.create_session(session, user)
    session.flush()

    assert sessions.prune_ended_sessions(session) == 2
    remaining = {record.id for record in session.exec(select(AuthSession)).all()}
    assert remaining == {recently_revoked.record.id, live.record.id}
    assert expired.record.id not in remaining


def test_new_session_now_and_then_prunes(session, monkeypatch):
    user = sign_up(session)
    sessions.create_session(session, user, now=utcnow() - dt.timedelta(days=45))
    monkeypatch.setattr(sessions, "PRUNE_EVERY_SESSIONS", 1)
    live = sessions.create_session(session, user)
    [record] = session.exec(select(AuthSession)).all()
    assert record.id == live.record.id


def test_change_password_ends_other_sessions(session):
    user = sign_up(session)
    current = sessions.create_session(session, user)
    other = sessions.create_session(session, user)
    services.change_password(
        session,
        user,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        confirm_password=NEW_PASSWORD,
        keep_session_id=current.session_id,
    )

    assert verify_password(NEW_PASSWORD, user.password_hash)
    assert user.password_changed_at is not None
    assert sessions.find_session(session, current.session_id) is not None
    assert sessions.find_session(session, other.session_id) is None
    assert mails(session)[-1].kind == "password_changed"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "fields"),
    [
        ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, {"current_password"}),
        ("", NEW_PASSWORD, NEW_PASSWORD, {"current_password"}),
        (PASSWORD, "short", "short", {"new_password"}),
        (PASSWORD, NEW_PASSWORD, "different one!", {"confirm_password"}),
        (PASSWORD, PASSWORD, PASSWORD, {"new_password"}),
        (PASSWORD, "€" * 25, "€" * 25, {"new_password"}),
    ],
)
def test_change_password_bad_input_rejected(session, current, new, confirm, fields):
    user = sign_up(session)
    before = user.password_hash
    with pytest.raises(ValidationError) as caught:
        services.change_password(
            session,
            user,
            current_password=current,
            new_password=new,
            confirm_password=confirm,
        )
    assert set(caught.value.errors) == fields
    assert user.password_hash == before


@pytest.mark.parametrize(
    ("current", "message"),
    [
        ("", "Enter your current password."),
        ("wrong!", "The current password is wrong."),
    ],
)
def test_change_password_current_message(session, current, message):
    user = sign_up(session)
    with pytest.raises(ValidationError) as caught:
        services.change_password(
            session,
            user,
            current_password=current,
            new_password=NEW_PASSWORD,
            confirm_password=NEW_PASSWORD,
        )
    assert caught.value.errors["current_password"] == message


def test_password_reset_sets_password_and_ends_sessions(session):
    user = sign_up(session)
    live = sessions.create_session(session, user)
    services.request_password_reset(session, " ADA@example.test ")
    token = latest_token(session, "password_reset")
    record = session.exec(
        select(EmailToken).where(EmailToken.purpose == TokenPurpose.RESET_PASSWORD)
    ).one()
    assert record.expires_at - record.created_at == dt.timedelta(hours=1)

    services.reset_password(
        session, token=token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
    )
    assert verify_password(NEW_PASSWORD, user.password_hash)
    assert sessions.find_session(session, live.session_id) is None
    assert user.email_confirmed_at is not None


def test_password_reset_link_single_use(session):
    sign_up(session)
    services.request_password_reset(session, "ada@example.test")
    token = latest_token(session, "password_reset")
    services.reset_password(
        session, token=token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
    )
    assert services.check_reset_token(session, token) is TokenState.USED
    with pytest.raises(ValidationError, match="already used"):
        services.reset_password(
            session,
            token=token,
            password="yet another pass",
            confirm_password="yet another pass",
        )


def test_password_reset_link_expires_after_an_hour(session):
    sign_up(session)
    services.request_password_reset(session, "ada@example.test")
    token = latest_token(session, "password_reset")
    record = session.exec(
        select(EmailToken).where(EmailToken.purpose == "reset_password")
    ).one()
    record.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.add(record)
    session.flush()
    with pytest.raises(ValidationError, match="expired"):
        services.reset_password(
            session, token=token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
        )


def test_password_reset_bad_password_keeps_link(session):
    sign_up(session)
    services.request_password_reset(session, "ada@example.test")
    token = latest_token(session, "password_reset")
    with pytest.raises(ValidationError) as caught:
        services.reset_password(
            session, token=token, password="short", confirm_password="short"
        )
    assert set(caught.value.errors) == {"password"}
    assert services.check_reset_token(session, token) is TokenState.VALID


@pytest.mark.parametrize("token", ["", "forged-token", None])
def test_password_reset_invalid_link_rejected(session, token):
    sign_up(session)
    with pytest.raises(ValidationError) as caught:
        services.reset_password(
            session, token=token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
        )
    assert set(caught.value.errors) == {"token"}


def test_password_reset_unknown_address_sends_nothing(session):
    services.request_password_reset(session, "nobody@example.test")
    assert mails(session) == []


def test_password_reset_malformed_address_rejected(session):
    with pytest.raises(ValidationError) as caught:
        services.request_password_reset(session, "not an address")
    assert set(caught.value.errors) == {"email"}


def test_admin_created_confirmed(session):
    admin, created = services.create_or_promote_admin(
        session, email="Boss@Example.test", name="The Boss", password=PASSWORD
    )
    assert created
    assert admin.role == "admin"
    assert admin.email == "boss@example.test"
    assert admin.email_confirmed_at is not None
    assert services.count_admins(session) == 1


def test_existing_user_promoted_to_admin(session):
    user = sign_up(session)
    before = user.password_hash
    admin, created = services.create_or_promote_admin(
        session, email="ADA@example.test", name="ignored", password=None
    )
    assert not created
    assert admin.id == user.id
    assert admin.role == "admin"
    assert admin.password_hash == before
    assert admin.name == "Ada Lovelace"


def test_admin_with_bad_fields_rejected(session):
    with pytest.raises(ValidationError) as caught:
        services.create_or_promote_admin(
            session, email="boss@example.test", name="", password="short"
        )
    assert set(caught.value.errors) == {"name", "password"}
