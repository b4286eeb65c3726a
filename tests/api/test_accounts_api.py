"""Account routes over HTTP: forms and JSON, cookies, tokens, CSRF and admin checks."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sky_readers.accounts import services
from sky_readers.accounts.errors import SignupConflictError
from sky_readers.accounts.models import AuthSession, User
from sky_readers.api.app import create_api
from sky_readers.api.deps import AdminCaller, require_admin
from sky_readers.core.settings import get_settings
from sky_readers.core.signed_messages import read_messages
from sky_readers.core.types import utcnow
from tests.accounts.helpers import PASSWORD, latest_token, mails

JSON = {"Accept": "application/json"}
BASE = "http://testserver"
SIGNUP = {
    "name": "Ada Lovelace",
    "email": "Ada@Example.test",
    "password": PASSWORD,
    "confirm_password": PASSWORD,
}


def _api_with_admin_route():
    api = create_api()

    @api.get("/api/admin/ping")
    def admin_ping(caller: AdminCaller):
        return {"admin": caller.user.email}

    @api.get("/api/admin/ping-dependency", dependencies=[Depends(require_admin)])
    def admin_ping_dependency():
        return {"ok": True}

    return api


@pytest.fixture
def client(engine):
    with TestClient(_api_with_admin_route(), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _signup(client, **changes):
    return client.post("/signup", json={**SIGNUP, **changes}, headers=JSON)


def _login_json(client, username="ada@example.test", password=PASSWORD):
    return client.post(
        "/login", data={"username": username, "password": password}, headers=JSON
    )


def _bearer(client) -> dict[str, str]:
    token = _login_json(client).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _confirm_all(db):
    for user in db.exec(select(User)).all():
        user.email_confirmed_at = utcnow()
        db.add(user)
    db.commit()


# Sign-up.


def test_signup_json_created(client, db):
    response = _signup(client)
    assert response.status_code == 201
    assert response.json()["email"] == "ada@example.test"
    assert "Check your email" in response.json()["detail"]
    assert [mail.kind for mail in mails(db)] == ["signup_confirmation"]


def test_signup_form_redirects_to_check_email(client, db):
    response = client.post("/signup", data=SIGNUP, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/check-email?email=ada%40example.test"
    assert db.exec(select(User)).one().email == "ada@example.test"


def test_signup_existing_address_looks_the_same(client, db):
    first = _signup(client)
    second = _signup(client, email="ADA@example.test", name="Other")
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    kinds = [mail.kind for mail in mails(db)]
    assert kinds == ["signup_confirmation", "signup_existing_account"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"name": "n" * 101}, {"name"}),
        ({"email": "not-an-address"}, {"email"}),
        ({"email": ""}, {"email"}),
        ({"password": "short", "confirm_password": "short"}, {"password"}),
        ({"confirm_password": "something else!"}, {"confirm_password"}),
        ({"password": "€" * 25, "confirm_password": "€" * 25}, {"password"}),
        ({"password": "password123", "confirm_password": "password123"}, {"password"}),
    ],
)
def test_signup_bad_input_gives_field_errors(client, db, changes, fields):
    response = _signup(client, **changes)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert db.exec(select(User)).all() == []


def test_signup_missing_fields_listed(client):
    response = client.post("/signup", json={}, headers=JSON)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "name",
        "email",
        "password",
        "confirm_password",
    }


def test_signup_non_object_json_rejected(client):
    response = client.post("/signup", json=["a"], headers=JSON)
    assert response.status_code == 422
    assert "JSON object" in response.json()["errors"]["request"]


def test_signup_form_error_returns_to_form(client):
    response = client.post(
        "/signup",
        data={**SIGNUP, "name": "", "confirm_password": "something else!"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert urlsplit(response.headers["location"]).path == "/signup"
    assert query["email"] == ["Ada@Example.test"]
    assert PASSWORD not in response.headers["location"]
    messages = read_messages(query["errors"][0])
    assert messages == {
        "name": "Enter your name.",
        "confirm_password": "Passwords do not match: type the same password twice.",
    }


def test_signup_form_conflict_returns_to_form(client, monkeypatch):
    def lose_race(*_args, **_kwargs):
        raise SignupConflictError()

    monkeypatch.setattr(services, "register_user", lose_race)
    form = client.post("/signup", data=SIGNUP, follow_redirects=False)
    query = parse_qs(urlsplit(form.headers["location"]).query)
    assert form.status_code == 303
    assert "Send the form again" in read_messages(query["errors"][0])["form"]

    as_json = _signup(client)
    assert as_json.status_code == 409
    assert "Send the form again" in as_json.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "n" * 5000}, "name", "5000 characters long"),
        ({"email": "e" * 3000 + "@example.test"}, "email", "3013 characters long"),
        ({"password": "p" * 4000, "confirm_password": "p" * 4000}, "password", "4000"),
    ],
)
def test_signup_over_long_fields_report_length(client, changes, field, message):
    response = _signup(client, **changes)
    assert response.status_code == 422
    assert message in response.json()["errors"][field]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "nobody\x00@example.test", "password": PASSWORD},
        {"username": "a" * 100_000, "password": PASSWORD},
        {"username": "ada@example.test", "password": "p" * 100_000},
        {"username": "ada@example.test", "password": "pass\x00word long"},
    ],
)
def test_login_odd_input_gets_401(client, body):
    _signup(client)
    response = client.post("/login", json=body)
    assert response.status_code == 401
    assert "do not match an account" in response.json()["detail"]


# Confirmation.


def test_confirm_then_reuse(client, db):
    _signup(client)
    token = latest_token(db, "signup_confirmation")
    first = client.post("/api/auth/confirm", json={"token": token})
    second = client.post("/api/auth/confirm", json={"token": token})
    assert first.json()["outcome"] == "confirmed"
    assert second.json()["outcome"] == "already_confirmed"


def test_confirm_bad_token_invalid(client):
    response = client.post("/api/auth/confirm", json={"token": "nope"})
    assert response.status_code == 200
    assert response.json()["outcome"] == "invalid"


def test_resend_by_email_does_not_reveal_account(client, db):
    known = client.post(
        "/api/auth/resend-confirmation", json={"email": "ada@example.test"}
    )
    _signup(client)
    unknown = client.post(
        "/api/auth/resend-confirmation", json={"email": "nobody@example.test"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_resend_for_logged_in_user(client, db, monkeypatch):
    monkeypatch.setattr(services, "RESEND_INTERVAL", dt.timedelta(0))
    _signup(client)
    old = latest_token(db, "signup_confirmation")
    response = client.post("/api/auth/resend-confirmation", headers=_bearer(client))
    assert response.status_code == 202
    assert "new confirmation link" in response.json()["detail"]
    new = latest_token(db, "signup_confirmation")
    assert new != old
    outcome = client.post("/api/auth/confirm", json={"token": old}).json()["outcome"]
    assert outcome == "invalid"


def test_resend_without_anything_rejected(client):
    response = client.post("/api/auth/resend-confirmation", json={})
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


# Login.


def test_login_json_token(client):
    _signup(client)
    response = _login_json(client, username="ADA@example.test")
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert "set-cookie" not in response.headers
    me = client.get(
        "/api/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["email"] == "ada@example.test"
    assert me.json()["email_confirmed"] is False


def test_login_by_handle_json_body(client):
    _signup(client)
    response = client.post(
        "/login", json={"username": "ada_lovelace", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_login_form_sets_httponly_cookie(client, db):
    _signup(client)
    response = client.post(
        "/login",
        data={"username": "ada@example.test", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{get_settings().session_cookie_name}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    stored = db.exec(select(AuthSession)).one()
    assert stored.id_hash != session_id
    assert client.get("/api/me").json()["email"] == "ada@example.test"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/books/3?tab=reviews", "/books/3?tab=reviews"),
        ("//evil.test", "/account"),
        ("https://evil.test/x", "/account"),
        ("/\\evil.test", "/account"),
        ("/%2F%2Fevil.test", "/account"),
        ("%2F%2Fevil.test", "/account"),
        ("/%5Cevil.test", "/account"),
        ("http:evil.test", "/account"),
    ],
)
def test_login_next_only_local(client, target, expected):
    _signup(client)
    response = client.post(
        "/login",
        data={"username": "ada@example.test", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == expected


@pytest.mark.parametrize(
    ("username", "password"),
    [("ada@example.test", "wrong password!"), ("nobody@example.test", PASSWORD)],
)
def test_login_failures_identical(client, username, password):
    _signup(client)
    response = _login_json(client, username, password)
    assert response.status_code == 401
    assert "do not match an account" in response.json()["detail"]


def test_login_form_failure_redirects_with_code(client):
    response = client.post(
        "/login",
        data={"username": "a@example.test", "password": "x" * 12, "next": "//evil"},
        follow_redirects=False,
    )
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert location.path == "/login"
    assert query["error"] == ["invalid"]
    assert query["next"] == ["/account"]
    assert "set-cookie" not in response.headers


def test_login_missing_fields_rejected(client):
    response = client.post("/login", json={"username": ""})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"username", "password"}


def test_login_brute_force_throttled(client):
    _signup(client)
    for _ in range(5):
        assert _login_json(client, password="wrong password!").status_code == 401
    response = _login_json(client)
    assert response.status_code == 429
    assert 840 < int(response.headers["retry-after"]) <= 900
    assert "Wait 15 minutes" in response.json()["detail"]

    form = client.post(
        "/login",
        data={"username": "ada@example.test", "password": PASSWORD},
        follow_redirects=False,
    )
    query = parse_qs(urlsplit(form.headers["location"]).query)
    assert query["error"] == ["throttled"]
    assert 840 < int(query["wait"][0]) <= 900


def test_login_from_one_address_throttled(client):
    for number in range(20):
        _login_json(client, f"guess{number}@example.test", "wrong password!")
    assert _login_json(client, "another@example.test", PASSWORD).status_code == 429


# Logout and sessions.


def test_logout_revokes_session(client, db):
    _signup(client)
    client.post("/login", data={"username": "ada@example.test", "password": PASSWORD})
    assert client.get("/api/me").status_code == 200
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?logged_out=1"
    assert db.exec(select(AuthSession)).one().revoked_at is not None
    assert client.get("/api/me").status_code == 401


def test_revoked_session_cookie_rejected(client, db):
    _signup(client)
    client.post("/login", data={"username": "ada@example.test", "password": PASSWORD})
    cookie = client.cookies.get(get_settings().session_cookie_name)
    client.post("/logout", headers=JSON)
    client.cookies.set(get_settings().session_cookie_name, cookie)
    assert client.get("/api/me").status_code == 401


# CSRF.


@pytest.mark.parametrize("path", ["/login", "/logout", "/signup"])
def test_cross_site_form_post_rejected(client, path):
    response = client.post(
        path,
        data=SIGNUP,
        headers={"Origin": "https://evil.test"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "evil.test" in response.json()["detail"]


def test_cross_site_referer_rejected(client):
    response = client.post(
        "/logout", headers={"Referer": "https://evil.test/page"}, follow_redirects=False
    )
    assert response.status_code == 403


def test_same_origin_form_post_accepted(client):
    _signup(client)
    response = client.post(
        "/login",
        data={"username": "ada@example.test", "password": PASSWORD},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_cookie_password_change_from_other_site_rejected(client):
    _signup(client)
    client.post("/login", data={"username": "ada@example.test", "password": PASSWORD})
    response = client.post(
        "/api/account/password",
        json={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
        headers={"Origin": "https://evil.test"},
    )
    assert response.status_code == 403


# Tokens.


def test_me_without_credentials_401(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Basic YWRhOnB3",
        "Bearer not.a.jwt",
        "Token abc",
    ],
)
def test_me_malformed_authorization_401(client, header):
    assert client.get("/api/me", headers={"Authorization": header}).status_code == 401


def _forged(client, **changes):
    settings = get_settings()
    token = _login_json(client).json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    claims = {key: value for key, value in claims.items() if value is not None}
    key = changes.pop("_key", None) or settings.secret_key
    algorithm = "none" if key == "none" else "HS256"
    return jwt.encode(claims, None if key == "none" else key, algorithm=algorithm)


@pytest.mark.parametrize(
    "changes",
    [
        {"_key": "another-key-that-is-long-enough-for-hs256!"},
        {"_key": "none"},
        {"exp": int(utcnow().timestamp()) - 10},
        {"exp": None},
        {"iat": None},
        {"sub": None},
        {"iss": None},
        {"aud": None},
        {"aud": "elsewhere"},
        {"sub": "999999"},
        {"sub": "9" * 30},
    ],
)
def test_me_rejects_bad_tokens(client, changes):
    _signup(client)
    token = _forged(client, **changes)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_me_rejects_tampered_signature(client):
    _signup(client)
    token = _login_json(client).json()["access_token"]
    header, payload, signature = token.split(".")
    tampered = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    response = client.get(
        "/api/me", headers={"Authorization": f"Bearer {header}.{payload}.{tampered}"}
    )
    assert response.status_code == 401


# Passwords.


def test_change_password_ends_other_sessions(client, db, engine):
    _signup(client)
    client.post("/login", data={"username": "ada@example.test", "password": PASSWORD})
    with TestClient(create_api(), base_url=BASE) as other:
        other.post(
            "/login", data={"username": "ada@example.test", "password": PASSWORD}
        )
        old_token = _bearer(other)
        assert other.get("/api/me").status_code == 200

        response = client.post(
            "/api/account/password",
            json={
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
            headers={"Origin": BASE},
        )
        assert response.status_code == 200
        assert client.get("/api/me").status_code == 200
        assert other.get("/api/me").status_code == 401
        # Within the same second the token's iat equals the change time.
        row = db.exec(select(User)).one()
        row.password_changed_at = utcnow() + dt.timedelta(seconds=2)
        db.add(row)
        db.commit()
        assert other.get("/api/me", headers=old_token).status_code == 401
    assert _login_json(client, password="a brand new passphrase").status_code == 200


def test_change_password_wrong_current_rejected(client):
    _signup(client)
    response = client.post(
        "/api/account/password",
        json={
            "current_password": "not my password",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
        headers=_bearer(client),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"current_password"}


def test_change_password_needs_login(client):
    response = client.post(
        "/api/account/password",
        json={"current_password": "a", "new_password": "b", "confirm_password": "b"},
    )
    assert response.status_code == 401


def test_password_reset_flow(client, db):
    _signup(client)
    request = client.post(
        "/api/auth/password-reset/request", json={"email": "ada@example.test"}
    )
    unknown = client.post(
        "/api/auth/password-reset/request", json={"email": "nobody@example.test"}
    )
    assert request.status_code == unknown.status_code == 202
    assert request.json() == unknown.json()

    token = latest_token(db, "password_reset")
    body = {
        "token": token,
        "password": "a brand new passphrase",
        "confirm_password": "a brand new passphrase",
    }
    assert client.post("/api/auth/password-reset/confirm", json=body).status_code == 200
    again = client.post("/api/auth/password-reset/confirm", json=body)
    assert again.status_code == 422
    assert "already used" in again.json()["errors"]["token"]
    assert _login_json(client, password="a brand new passphrase").status_code == 200


def test_password_reset_malformed_email_422(client):
    response = client.post("/api/auth/password-reset/request", json={"email": "x"})
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


# Admin routes.


def test_admin_route_without_credentials_401(client):
    assert client.get("/api/admin/ping").status_code == 401
    assert client.get("/api/admin/ping-dependency").status_code == 401


def test_admin_route_for_shopper_403(client):
    _signup(client)
    headers = _bearer(client)
    assert client.get("/api/admin/ping", headers=headers).status_code == 403
    assert client.get("/api/admin/ping-dependency", headers=headers).status_code == 403


def test_admin_route_for_admin_200(client, db):
    _signup(client)
    with Session(db.get_bind()) as session:
        services.create_or_promote_admin(
            session, email="ada@example.test", name="Ada", password=None
        )
        session.commit()
    response = client.get("/api/admin/ping", headers=_bearer(client))
    assert response.status_code == 200
    assert response.json() == {"admin": "ada@example.test"}


def test_demoted_admin_loses_access_at_once(client, db):
    _signup(client)
    with Session(db.get_bind()) as session:
        services.create_or_promote_admin(
            session, email="ada@example.test", name="Ada", password=None
        )
        session.commit()
    headers = _bearer(client)
    assert client.get("/api/admin/ping", headers=headers).status_code == 200
    user = db.exec(select(User)).one()
    user.role = "shopper"
    db.add(user)
    db.commit()
    assert client.get("/api/admin/ping", headers=headers).status_code == 403


# Client address behind proxies.


def test_client_address_uses_trusted_proxy_entry(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 1)
    for number in range(20):
        client.post(
            "/login",
            data={"username": f"guess{number}@example.test", "password": "x" * 12},
            headers={**JSON, "X-Forwarded-For": "10.9.9.9, 198.51.100.1"},
        )
    blocked = client.post(
        "/login",
        data={"username": "a@example.test", "password": "x" * 12},
        headers={**JSON, "X-Forwarded-For": "198.51.100.1"},
    )
    other = client.post(
        "/login",
        data={"username": "a@example.test", "password": "x" * 12},
        headers={**JSON, "X-Forwarded-For": "10.9.9.9, 198.51.100.2"},
    )
    assert blocked.status_code == 429
    assert other.status_code == 401


def _admin_routes() -> list[tuple[str, str]]:
    # Every admin route of the API, with 1 for each path parameter.
    routes = []
    for path, operations in create_api().openapi()["paths"].items():
        if not path.startswith("/api/admin"):
            continue
        for method in sorted(operations):
            routes.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return routes


ADMIN_ROUTES = _admin_routes()


def test_admin_routes_found():
    assert ("GET", "/api/admin/outbox") in ADMIN_ROUTES


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_every_admin_route_rejects_non_admins(client, method, path):
    anonymous = client.request(method, path, json={})
    _signup(client)
    as_shopper = client.request(method, path, json={}, headers=_bearer(client))
    client.post("/login", data={"username": "ada@example.test", "password": PASSWORD})
    with_cookie = client.request(method, path, json={}, headers={"Origin": BASE})

    assert anonymous.status_code == 401
    assert as_shopper.status_code == 403
    assert with_cookie.status_code == 403
    assert "admin account" in as_shopper.json()["detail"]


async def test_login_checks_password_off_event_loop(engine, monkeypatch):
    started = threading.Event()
    release = threading.Event()
    authenticate = services.authenticate

    def authenticate_when_released(session, **kwargs):
        started.set()
        # On the event loop this wait would stop the request below from running.
        assert release.wait(10), "the event loop was blocked during the login"
        return authenticate(session, **kwargs)

    monkeypatch.setattr(services, "authenticate", authenticate_when_released)
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        await client.post("/signup", json=SIGNUP)
        login = asyncio.create_task(
            client.post(
                "/login", json={"username": "ada@example.test", "password": PASSWORD}
            )
        )
        assert await asyncio.to_thread(started.wait, 10)
        other_request = await client.get("/api/me")
        release.set()
        response = await login

    assert other_request.status_code == 401
    assert response.status_code == 200
    assert response.json()["access_token"]
