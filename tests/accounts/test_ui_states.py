"""Account page states: the session cookie from the websocket headers and the guards."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import reflex as rx
from sqlmodel import Session, select

from sky_readers.accounts import services, sessions
from sky_readers.accounts.models import EmailToken
from sky_readers.core.db import session_scope
from sky_readers.core.settings import get_settings
from sky_readers.core.signed_messages import sign_messages
from sky_readers.core.types import utcnow
from sky_readers.ui.components.layout import page_on_load
from sky_readers.ui.states.account import ConfirmState, LoginState, SignupState
from sky_readers.ui.states.auth import AuthState, admin_user, parse_cookie_header
from sky_readers.ui.states.page_load import handlers_of
from tests.accounts.helpers import (
    PASSWORD,
    latest_token,
    mails,
    redirect_target,
    with_request,
)


def test_parse_cookie_header_picks_named_cookie():
    assert parse_cookie_header("a=1; sky_session=abc; b=2", "sky_session") == "abc"
    assert parse_cookie_header("a=1", "sky_session") is None
    assert parse_cookie_header("", "sky_session") is None
    assert parse_cookie_header("sky_session=", "sky_session") is None


def test_load_user_from_cookie(shopper_cookie):
    state = with_request(AuthState(), "/account", shopper_cookie)
    state.load_user()
    assert state.logged_in
    assert state.user_name == "Ada Lovelace"
    assert state.user_email == "ada@example.test"
    assert not state.email_confirmed
    assert not state.is_admin


def test_load_user_without_cookie(engine):
    state = with_request(AuthState(), "/", "")
    state.load_user()
    assert not state.logged_in
    assert state.user_name == ""


def test_require_login_redirects_with_next(engine):
    state = with_request(AuthState(), "/account/password?x=1")
    target = redirect_target(state.require_login())
    assert urlsplit(target).path == "/login"
    assert parse_qs(urlsplit(target).query)["next"] == ["/account/password?x=1"]


def test_require_login_passes_with_session(shopper_cookie):
    state = with_request(AuthState(), "/account", shopper_cookie)
    assert state.require_login() is None


def test_require_login_after_logout_redirects(shopper_cookie):
    session_id = parse_cookie_header(shopper_cookie, get_settings().session_cookie_name)
    with session_scope() as session:
        sessions.revoke_session(session, session_id)
    state = with_request(AuthState(), "/account", shopper_cookie)
    assert redirect_target(state.require_login()).startswith("/login?")
    assert not state.logged_in


def test_require_admin_sends_shopper_to_login(shopper_cookie):
    state = with_request(AuthState(), "/admin", shopper_cookie)
    target = redirect_target(state.require_admin())
    query = parse_qs(urlsplit(target).query)
    assert urlsplit(target).path == "/login"
    assert query["error"] == ["admin"]
    assert query["next"] == ["/admin"]


def test_require_admin_passes_admin_and_checks_every_event(engine, shopper_cookie):
    with session_scope() as session:
        services.create_or_promote_admin(
            session, email="ada@example.test", name="Ada", password=None
        )
    state = with_request(AuthState(), "/admin", shopper_cookie)
    assert state.require_admin() is None
    assert state.is_admin
    assert admin_user(state).email == "ada@example.test"

    with session_scope() as session:
        user = services.find_user_by_email(session, "ada@example.test")
        user.role = "shopper"
    # A later admin event of the same tab sees the demotion at once.
    assert admin_user(state) is None


async def test_signup_state_shows_field_errors(engine):
    state = with_request(SignupState(), "/signup")
    result = await state.submit(
        {"name": "", "email": "bad", "password": "€" * 25, "confirm_password": "x"}
    )
    assert result is None
    assert state.name_error == "Enter your name."
    assert "not a valid email address" in state.email_error
    assert "75 bytes" in state.password_error
    assert "do not match" in state.confirm_password_error


async def test_signup_state_redirects_to_check_email(engine):
    state = with_request(SignupState(), "/signup")
    target = redirect_target(
        await state.submit(
            {
                "name": "Ada",
                "email": "Ada@Example.test",
                "password": PASSWORD,
                "confirm_password": PASSWORD,
            }
        )
    )
    assert target == "/check-email?email=ada%40example.test"
    with Session(engine) as session:
        assert [mail.kind for mail in mails(session)] == ["signup_confirmation"]


@pytest.mark.parametrize(
    ("query", "error", "next_path"),
    [
        ("error=invalid&next=/cart", "do not match an account", "/cart"),
        ("error=throttled&wait=600&next=//evil.test", "Wait 10 minutes", "/account"),
        ("error=throttled&wait=abc", "Wait 1 minute", "/account"),
        ("error=<script>&next=https://evil.test", "", "/account"),
    ],
)
def test_login_state_reads_error_codes(engine, query, error, next_path):
    state = with_request(LoginState(), f"/login?{query}")
    state.load()
    assert error in state.error
    if not error:
        assert state.error == ""
    assert state.next_path == next_path


def test_signup_state_shows_signed_messages_of_form_post(engine):
    errors = sign_messages({"name": "Enter your name.", "email": "Bad address."})
    query = urlencode({"name": " ", "email": "ada@", "errors": errors})
    state = with_request(SignupState(), f"/signup?{query}")
    state.load()
    assert state.name_error == "Enter your name."
    assert state.email_error == "Bad address."
    assert state.password_error == ""
    assert "not saved" in state.form_error
    assert state.email_value == "ada@"


def test_signup_state_ignores_forged_messages(engine):
    body = sign_messages({"name": "Call +1 555 0100 to claim a prize"}).split(".")[0]
    query = urlencode({"name": "x", "errors": f"{body}.forged-signature"})
    state = with_request(SignupState(), f"/signup?{query}")
    state.load()
    assert state.name_error == ""
    assert state.form_error == ""
    assert state.name_value == ""


def test_signup_state_shows_conflict_message(engine):
    query = urlencode({"errors": sign_messages({"form": "Send the form again."})})
    state = with_request(SignupState(), f"/signup?{query}")
    state.load()
    assert state.form_error == "Send the form again."


def _on_load_names(on_load) -> list[str]:
    return [handler.fn.__name__ for handler in handlers_of(on_load)]


def test_every_page_looks_up_the_user():
    assert _on_load_names(page_on_load()) == [
        "load_user",
        "load_menu",
        "load_badge",
        "load_ids",
    ]
    assert _on_load_names(page_on_load(SignupState.load)) == [
        "load_user",
        "load",
        "load_menu",
        "load_badge",
        "load_ids",
    ]


def test_guarded_page_looks_up_the_user_once():
    assert _on_load_names(page_on_load(AuthState.require_login)) == [
        "require_login",
        "load_menu",
        "load_badge",
        "load_ids",
    ]
    assert _on_load_names(page_on_load(AuthState.require_admin)) == [
        "require_admin",
        "load_menu",
        "load_badge",
        "load_ids",
    ]


def _expire_tokens(engine) -> None:
    with Session(engine) as session:
        for record in session.exec(select(EmailToken)).all():
            record.created_at = utcnow() - dt.timedelta(hours=25)
            record.expires_at = utcnow() - dt.timedelta(hours=1)
            session.add(record)
        session.commit()


async def _open_confirm_link(token: str, cookie: str = "") -> ConfirmState:
    # ConfirmState reaches AuthState, so it needs the whole state tree of a tab.
    root = with_request(rx.State(), f"/confirm?{urlencode({'token': token})}", cookie)
    state = root.get_substate(ConfirmState.get_full_name().split("."))
    await state.load()
    return state


@pytest.mark.parametrize(
    ("token", "outcome"),
    [("", "invalid"), ("forged-token", "invalid"), ("x" * 500, "invalid")],
)
async def test_confirm_page_bad_link(engine, token, outcome):
    state = await _open_confirm_link(token)
    assert state.outcome == outcome


async def test_confirm_page_confirms_then_reports_confirmed(engine, shopper_cookie):
    with Session(engine) as session:
        token = latest_token(session, "signup_confirmation")

    first = await _open_confirm_link(token, shopper_cookie)
    auth = await first.get_state(AuthState)
    second = await _open_confirm_link(token, shopper_cookie)

    assert first.outcome == "confirmed"
    assert auth.email_confirmed
    assert second.outcome == "already_confirmed"


async def test_confirm_page_expired_link_sends_new_one(engine, shopper_cookie):
    with Session(engine) as session:
        token = latest_token(session, "signup_confirmation")
    _expire_tokens(engine)

    state = await _open_confirm_link(token)
    assert state.outcome == "expired"
    state.resend()

    assert "new link is on its way" in state.resend_message
    with Session(engine) as session:
        new_token = latest_token(session, "signup_confirmation")
    assert new_token != token
    assert (await _open_confirm_link(new_token)).outcome == "confirmed"


def test_banner_resend_waits_a_minute(engine, shopper_cookie):
    state = with_request(AuthState(), "/", shopper_cookie)
    state.load_user()
    state.resend_confirmation()
    assert "less than a minute ago" in state.resend_message

    with Session(engine) as session:
        record = session.exec(select(EmailToken)).one()
        record.created_at = utcnow() - dt.timedelta(minutes=2)
        session.add(record)
        session.commit()
    state.resend_confirmation()
    assert "We sent a new link to ada@example.test" in state.resend_message
    with Session(engine) as session:
        assert len(mails(session, "signup_confirmation")) == 2
