"""Access tokens: HS256 only, every required claim, expiry, issuer and audience."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest

from sky_readers.accounts.errors import AuthenticationError
from sky_readers.accounts.tokens import decode_access_token, issue_access_token
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow


def _claims(**changes):
    settings = get_settings()
    now = int(utcnow().timestamp())
    claims = {
        "sub": "7",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 900,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _sign(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or get_settings().secret_key, algorithm=algorithm)


def test_issued_token_decodes():
    token = issue_access_token(42)
    claims = decode_access_token(token.token)
    assert claims.user_id == 42
    assert token.expires_in == 900
    assert claims.expires_at - claims.issued_at == dt.timedelta(seconds=900)


def test_lifetime_follows_setting(monkeypatch):
    monkeypatch.setattr(get_settings(), "jwt_lifetime_seconds", 120)
    token = issue_access_token(1)
    assert token.expires_in == 120
    payload = jwt.decode(token.token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 120


def test_token_signed_with_other_key_rejected():
    token = _sign(_claims(), key="another-key-that-is-long-enough-for-hs256!")
    with pytest.raises(AuthenticationError, match="invalid"):
        decode_access_token(token)


def test_alg_none_rejected():
    token = jwt.encode(_claims(), key=None, algorithm="none")
    with pytest.raises(AuthenticationError):
        decode_access_token(token)


def test_hs512_token_rejected():
    with pytest.raises(AuthenticationError):
        decode_access_token(_sign(_claims(), algorithm="HS512"))


def test_expired_token_rejected():
    past = int((utcnow() - dt.timedelta(hours=1)).timestamp())
    token = _sign(_claims(iat=past - 900, exp=past))
    with pytest.raises(AuthenticationError, match="expired"):
        decode_access_token(token)


def test_token_issued_in_future_rejected():
    later = int((utcnow() + dt.timedelta(hours=1)).timestamp())
    with pytest.raises(AuthenticationError):
        decode_access_token(_sign(_claims(iat=later, exp=later + 900)))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud"])
def test_token_missing_claim_rejected(claim):
    with pytest.raises(AuthenticationError):
        decode_access_token(_sign(_claims(**{claim: None})))


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "someone-else"},
        {"aud": "other-api"},
        {"sub": "abc"},
        {"sub": "0"},
        {"sub": "-1"},
        {"sub": "007"},
        {"sub": " 7"},
        {"sub": "\u0667"},
        {"sub": str(2**31)},
        {"sub": "9" * 30},
    ],
)
def test_token_wrong_claim_rejected(changes):
    with pytest.raises(AuthenticationError):
        decode_access_token(_sign(_claims(**changes)))


def test_tampered_payload_rejected():
    header, payload, signature = issue_access_token(7).token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["sub"] = "1"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    with pytest.raises(AuthenticationError):
        decode_access_token(f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_token_rejected(token):
    with pytest.raises(AuthenticationError):
        decode_access_token(token)
