"""Signed field messages in redirect URLs: round trip, forgery, age and junk."""

from __future__ import annotations

import time

import pytest

from sky_readers.core import signed_messages
from sky_readers.core.settings import get_settings
from sky_readers.core.signed_messages import read_messages, sign_messages

MESSAGES = {
    "name": "Enter your name.",
    "password": "Password is 75 bytes in UTF-8 (€).",
}


def test_signed_messages_round_trip():
    assert read_messages(sign_messages(MESSAGES)) == MESSAGES


def test_signed_messages_are_url_safe():
    signed = sign_messages(MESSAGES)
    assert set(signed) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    )


def test_changed_body_rejected():
    body, signature = sign_messages(MESSAGES).split(".")
    forged_body = sign_messages({"name": "Call +1 555 0100 now"}).split(".")[0]
    assert read_messages(f"{forged_body}.{signature}") == {}
    other_last = "B" if signature.endswith("A") else "A"
    assert read_messages(f"{body}.{signature[:-1]}{other_last}") == {}
    assert read_messages(f"{body}.x{signature}") == {}


def test_other_secret_key_rejected(monkeypatch):
    signed = sign_messages(MESSAGES)
    monkeypatch.setattr(
        get_settings(), "secret_key", "another-secret-key-0123456789abcdef"
    )
    assert read_messages(signed) == {}


def test_messages_expire_after_ten_minutes():
    issued = int(time.time())
    signed = sign_messages(MESSAGES, now=issued)
    limit = signed_messages.MAX_AGE_SECONDS
    assert read_messages(signed, now=issued + limit) == MESSAGES
    assert read_messages(signed, now=issued + limit + 1) == {}
    assert read_messages(signed, now=issued - 60) == {}


@pytest.mark.parametrize(
    "value", [None, "", ".", "abc", "abc.def", "é.é", "a" * 5000 + ".b", "..."]
)
def test_junk_rejected(value):
    assert read_messages(value) == {}
