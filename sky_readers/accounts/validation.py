"""Rules for names, email addresses, handles and passwords, shared by all callers."""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
import unicodedata

import email_validator
from slugify import slugify

from sky_readers.accounts.passwords import BCRYPT_MAX_BYTES
from sky_readers.core.errors import ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.core.text import BIDI_CONTROLS

NAME_MAX_LENGTH = 100
# Maximum length of an address in an SMTP path (RFC 5321).
EMAIL_MAX_LENGTH = 254
PASSWORD_MIN_LENGTH = 10
HANDLE_MAX_LENGTH = 30
# Handles are lower-case letters, digits, dots, dashes and underscores, never "@".
HANDLE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclasses.dataclass(frozen=True)
class SignupInput:
    """A sign-up form that passed every rule, with the values to store."""

    name: str
    email: str
    password: str


def clean_name(raw: str | None) -> str:
    """Trim a display name and check its length.

    Raises:
        ValidationError: Under "name", when it is empty, invisible, contains control
            characters or text direction controls, or is over 100 characters long.

    """
    name = (raw or "").strip()
    if not name:
        raise ValidationError({"name": "Enter your name."})
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationError(
            {
                "name": "Name contains control characters, such as line breaks or "
                "tabs: type it on one line."
            }
        )
    if any(char in BIDI_CONTROLS for char in name):
        raise ValidationError(
            {
                "name": "Name contains text direction controls (such as U+202E), "
                "which show it reversed: type it without them."
            }
        )
    if not any(unicodedata.category(char)[0] in "LNPS" for char in name):
        raise ValidationError(
            {"name": "Name has no visible characters: enter your name."}
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": f"Name is {len(name)} characters long; use at most "
                f"{NAME_MAX_LENGTH}."
            }
        )
    return name


def normalise_email(raw: str | None, *, field: str = "email") -> str:
    """Check an address's syntax and return it trimmed and lower-cased.

    Args:
        raw: The address as typed.
        field: Field name for the error.

    Returns:
        The normalised address, the key under which accounts are stored.

    Raises:
        ValidationError: Under `field`, when the address is empty or malformed.

    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError({field: "Enter your email address."})
    if len(text) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            {
                field: f"Email address is {len(text)} characters long; use at most "
                f"{EMAIL_MAX_LENGTH}."
            }
        )
    try:
        checked = email_validator.validate_email(
            text,
            check_deliverability=False,
            test_environment=get_settings().allow_test_email_domains,
        )
    except email_validator.EmailNotValidError as exc:
        raise ValidationError(
            {field: f"{text!r} is not a valid email address: {exc}"}
        ) from exc
    return checked.normalized.lower()


@functools.cache
def common_passwords() -> frozenset[str]:
    """Load the list of common passwords shipped with the package, lower-cased."""
    text = (
        importlib.resources.files("sky_readers.accounts")
        .joinpath("common_passwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_error(password: str | None) -> str | None:
    """Check one password against the length, byte and common-password rules.

    Returns:
        The message to show beside the field, or None when the password is fine.

    """
    password = password or ""
    if not password:
        return "Enter a password."
    if len(password) < PASSWORD_MIN_LENGTH:
        unit = "character" if len(password) == 1 else "characters"
        return (
            f"Password is {len(password)} {unit} long; use at least "
            f"{PASSWORD_MIN_LENGTH}."
        )
    size = len(password.encode("utf-8"))
    if size > BCRYPT_MAX_BYTES:
        return (
            f"Password is {size} bytes in UTF-8, over the limit of {BCRYPT_MAX_BYTES} "
            "bytes that bcrypt password hashing can use. Accented and non-Latin "
            "characters take 2 to 4 bytes each: use a shorter password."
        )
    if password.lower() in common_passwords() or len(set(password)) == 1:
        return "This password is too common and easy to guess: choose another."
    return None


def new_password_errors(
    password: str | None,
    confirm_password: str | None,
    *,
    field: str = "password",
    confirm_field: str = "confirm_password",
) -> dict[str, str]:
    """Check a new password and its repetition.

    Returns:
        Messages by field name; empty when both are fine.

    """
    errors = {}
    message = password_error(password)
    if message:
        errors[field] = message
    if not confirm_password:
        errors[confirm_field] = "Repeat the password."
    elif (password or "") != confirm_password:
        errors[confirm_field] = "Passwords do not match: type the same password twice."
    return errors


def validate_signup(
    *,
    name: str | None,
    email: str | None,
    password: str | None,
    confirm_password: str | None,
) -> SignupInput:
    """Check every sign-up field at once.

    Raises:
        ValidationError: With a message for each field that fails, all at once.

    """
    errors: dict[str, str] = {}
    clean = {}
    for field, check, value in (
        ("name", clean_name, name),
        ("email", normalise_email, email),
    ):
        try:
            clean[field] = check(value)
        except ValidationError as exc:
            errors.update(exc.errors)
    errors.update(new_password_errors(password, confirm_password))
    if errors:
        raise ValidationError(errors)
    return SignupInput(name=clean["name"], email=clean["email"], password=password)


def handle_from_name(name: str) -> str | None:
    """Derive a lower-case login name from a display name, such as "ada_lovelace".

    Returns:
        The handle, or None when the name has no letters or digits to use.

    """
    handle = slugify(name, separator="_", max_length=HANDLE_MAX_LENGTH)
    handle = handle.strip("._-")
    if not handle or not HANDLE_PATTERN.match(handle):
        return None
    return handle


def normalise_login_name(raw: str | None) -> str:
    """Turn what was typed into the login field into the key an account is found by.

    Addresses are trimmed and lower-cased; handles are lower-cased. Control
    characters are dropped: no account name contains one, and PostgreSQL rejects NUL
    in text, so the key can still be stored with the attempt.
    """
    text = "".join(char for char in (raw or "") if unicodedata.category(char) != "Cc")
    return text.strip().lower()
