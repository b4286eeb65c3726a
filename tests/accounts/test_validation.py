"""Sign-up field rules, handles and `next` targets, without a database."""

from __future__ import annotations

import pytest

from sky_readers.accounts import validation
from sky_readers.accounts.redirects import safe_next
from sky_readers.core.errors import ValidationError


def _signup_errors(**fields) -> dict[str, str]:
    values = {
        "name": "Ada Lovelace",
        "email": "ada@example.test",
        "password": "correct horse battery",
        "confirm_password": "correct horse battery",
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        validation.validate_signup(**values)
    return caught.value.errors


def test_signup_valid_fields_are_cleaned():
    data = validation.validate_signup(
        name="  Ada Lovelace ",
        email="  Reader@Example.TEST ",
        password="correct horse battery",
        confirm_password="correct horse battery",
    )
    assert data.name == "Ada Lovelace"
    assert data.email == "reader@example.test"


@pytest.mark.parametrize("name", ["", "   ", None, "\t\n"])
def test_name_empty_rejected(name):
    assert _signup_errors(name=name) == {"name": "Enter your name."}


@pytest.mark.parametrize("name", ["Ada\nLovelace", "Ada\x00", "Ada\tL", "\x1b[31mAda"])
def test_name_with_control_characters_rejected(name):
    errors = _signup_errors(name=name)
    assert list(errors) == ["name"]
    assert "control characters" in errors["name"]


@pytest.mark.parametrize("name", ["Ada \u202eecalevol", "\u2067Ada\u2069", "Ada\u202a"])
def test_name_with_text_direction_controls_rejected(name):
    errors = _signup_errors(name=name)
    assert list(errors) == ["name"]
    assert "text direction controls" in errors["name"]


def test_name_with_direction_mark_kept():
    assert validation.clean_name("\u05e9\u05dc\u05d5\u05dd\u200f Ada") == (
        "\u05e9\u05dc\u05d5\u05dd\u200f Ada"
    )


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d", "\u00a0\u200b"])
def test_name_without_visible_characters_rejected(name):
    assert _signup_errors(name=name) == {
        "name": "Name has no visible characters: enter your name."
    }


@pytest.mark.parametrize("name", ["李小龙", "Zoë O'Brien-Smith", "محمد", "R2-D2 ☺"])
def test_name_of_any_script_accepted(name):
    assert validation.clean_name(name) == name


def test_name_over_100_characters_rejected():
    errors = _signup_errors(name="x" * 101)
    assert "101 characters" in errors["name"]
    assert "at most 100" in errors["name"]


def test_name_of_100_characters_after_trim_accepted():
    assert validation.clean_name("  " + "é" * 100 + "  ") == "é" * 100


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "@example.test",
        "reader@",
        "reader@@example.test",
        "reader@example..test",
        "reader example@example.test",
        "reader@exa mple.test",
        "reader@-example.test",
    ],
)
def test_malformed_email_rejected(email):
    errors = _signup_errors(email=email)
    assert list(errors) == ["email"]
    assert "not a valid email address" in errors["email"]


def test_empty_email_rejected():
    assert _signup_errors(email="  ") == {"email": "Enter your email address."}


def test_over_long_email_rejected():
    errors = _signup_errors(email="a" * 60 + "@" + "b" * 200 + ".test")
    assert "at most 254" in errors["email"]


def test_email_normalised_to_lower_case():
    assert validation.normalise_email(" Reader@Example.test ") == "reader@example.test"


@pytest.mark.parametrize(
    ("password", "length"), [("short9chr", "9 characters"), ("x", "1 character")]
)
def test_password_under_ten_characters_rejected(password, length):
    errors = _signup_errors(password=password, confirm_password=password)
    assert errors == {"password": f"Password is {length} long; use at least 10."}


def test_empty_password_rejected():
    errors = _signup_errors(password="", confirm_password="")
    assert errors["password"] == "Enter a password."
    assert errors["confirm_password"] == "Repeat the password."


def test_password_of_75_multibyte_bytes_explains_limit():
    password = "€" * 25  # 25 characters, 3 bytes each in UTF-8
    assert len(password.encode("utf-8")) == 75
    errors = _signup_errors(password=password, confirm_password=password)
    assert "75 bytes in UTF-8" in errors["password"]
    assert "72 bytes" in errors["password"]
    assert "bcrypt" in errors["password"]


def test_password_of_exactly_72_bytes_accepted():
    password = "ü" * 30 + "abcdefghijkl"
    assert len(password.encode("utf-8")) == 72
    assert validation.password_error(password) is None


@pytest.mark.parametrize(
    "password", ["password123", "1234567890", "QwertyUiop", "aaaaaaaaaaaa"]
)
def test_common_password_rejected(password):
    errors = _signup_errors(password=password, confirm_password=password)
    assert "too common" in errors["password"]


def test_mismatched_passwords_rejected():
    errors = _signup_errors(confirm_password="correct horse battery!")
    assert errors == {
        "confirm_password": "Passwords do not match: type the same password twice."
    }


def test_every_failing_field_reported_at_once():
    errors = _signup_errors(
        name="", email="nope", password="short", confirm_password="other"
    )
    assert set(errors) == {"name", "email", "password", "confirm_password"}


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("Ada Lovelace", "ada_lovelace"),
        ("  Ünal Öztürk ", "unal_ozturk"),
        ("x@y.test", "x_y_test"),
        ("!!!", None),
        ("A" * 80, "a" * 30),
    ],
)
def test_handle_from_name(name, handle):
    assert validation.handle_from_name(name) == handle


@pytest.mark.parametrize(
    "target", ["/account", "/books/12?tab=reviews", "/cart#items", "/search?q=a%20b"]
)
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.test",
        "//evil.test/account",
        "https://evil.test",
        "http://evil.test/account",
        "/\\evil.test",
        "\\\\evil.test",
        "/%2Fevil.test",
        "%2F%2Fevil.test",
        "/%5Cevil.test",
        "/%252F%252Fevil.test",
        "/%25252F%25252Fevil.test",
        "javascript:alert(1)",
        "/\tevil",
        "account",
        "",
        None,
        "/" + "a" * 2001,
    ],
)
def test_safe_next_rejects_other_sites(target):
    assert safe_next(target) == "/account"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        (" ADA@Example.test ", "ada@example.test"),
        ("ada\x00@example.test", "ada@example.test"),
        ("Ada_Lovelace\r\n", "ada_lovelace"),
        (None, ""),
    ],
)
def test_login_name_normalised(typed, key):
    assert validation.normalise_login_name(typed) == key
