"""Confirmation links: single use, 24-hour expiry, replacement by newer links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sky_readers.accounts import services
from sky_readers.accounts.errors import EmailNotConfirmedError
from sky_readers.accounts.models import EmailToken
from sky_readers.core.types import utcnow
from tests.accounts.helpers import latest_token, mails, sign_up

Outcome = services.ConfirmOutcome


def _expire_all_tokens(session) -> None:
    for record in session.exec(select(EmailToken)).all():
        record.created_at = utcnow() - dt.timedelta(hours=25)
        record.expires_at = utcnow() - dt.timedelta(hours=1)
        session.add(record)
    session.flush()


def test_confirm_sets_confirmation_time(session):
    user = sign_up(session)
    outcome = services.confirm_email(
        session, latest_token(session, "signup_confirmation")
    )

    assert outcome is Outcome.CONFIRMED
    assert user.email_confirmed_at is not None


def test_confirm_reused_link_reports_already_confirmed(session):
    sign_up(session)
    token = latest_token(session, "signup_confirmation")
    services.confirm_email(session, token)

    assert services.confirm_email(session, token) is Outcome.ALREADY_CONFIRMED


def test_confirm_expired_link_reports_expired(session):
    user = sign_up(session)
    token = latest_token(session, "signup_confirmation")
    _expire_all_tokens(session)

    assert services.confirm_email(session, token) is Outcome.EXPIRED
    assert user.email_confirmed_at is None


@pytest.mark.parametrize("token", ["", None, "not-a-token", "x" * 500, "' OR 1=1 --"])
def test_confirm_invalid_link_reports_invalid(session, token):
    sign_up(session)
    assert services.confirm_email(session, token) is Outcome.INVALID


def test_new_link_voids_old_one(session):
    user = sign_up(session)
    old = latest_token(session, "signup_confirmation")
    assert services.send_confirmation(session, user)
    new = latest_token(session, "signup_confirmation")

    assert services.confirm_email(session, old) is Outcome.INVALID
    assert services.confirm_email(session, new) is Outcome.CONFIRMED


def test_expired_link_can_ask_for_new_one(session):
    sign_up(session)
    old = latest_token(session, "signup_confirmation")
    _expire_all_tokens(session)

    assert services.resend_confirmation_for_token(session, old)
    new = latest_token(session, "signup_confirmation")
    assert new != old
    assert services.confirm_email(session, new) is Outcome.CONFIRMED


def test_resend_for_valid_or_unknown_token_sends_nothing(session):
    sign_up(session)
    token = latest_token(session, "signup_confirmation")

    assert not services.resend_confirmation_for_token(session, token)
    assert not services.resend_confirmation_for_token(session, "unknown")
    assert len(mails(session)) == 1


def test_resend_waits_a_minute_between_links(session, monkeypatch):
    user = sign_up(session)
    assert (
        services.resend_confirmation(session, user) is services.ResendOutcome.TOO_SOON
    )
    assert len(mails(session)) == 1

    monkeypatch.setattr(services, "RESEND_INTERVAL", dt.timedelta(0))
    assert services.resend_confirmation(session, user) is services.ResendOutcome.SENT
    assert len(mails(session)) == 2


def test_resend_after_confirmation_reports_confirmed(session):
    user = sign_up(session)
    services.confirm_email(session, latest_token(session, "signup_confirmation"))
    outcome = services.resend_confirmation(session, user)
    assert outcome is services.ResendOutcome.ALREADY_CONFIRMED


def test_resend_by_unknown_email_sends_nothing(session):
    services.request_confirmation_by_email(session, "nobody@example.test")
    assert mails(session) == []


def test_unconfirmed_user_cannot_place_order(session):
    user = sign_up(session)
    with pytest.raises(EmailNotConfirmedError):
        services.assert_can_place_order(user)

    services.confirm_email(session, latest_token(session, "signup_confirmation"))
    services.assert_can_place_order(user)
