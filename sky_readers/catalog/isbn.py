"""ISBN-10 and ISBN-13 clean-up, validation and conversion, built on isbnlib."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import isbnlib

# Separators that people and publishers put between ISBN groups.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]+")
_ISBN10_SHAPE = re.compile(r"^\d{9}[\dX]$")
_ISBN13_SHAPE = re.compile(r"^\d{13}$")


def compact(value: str) -> str:
    """Remove spaces, hyphens and dashes from an ISBN and upper-case a final "x".

    A leading "ISBN", "ISBN-10:" or "ISBN-13:" label is dropped as well.
    """
    text = value.strip().upper()
    text = re.sub(r"^ISBN(?:-1[03])?:?", "", text)
    return _SEPARATORS.sub("", text)


def is_isbn10(value: str) -> bool:
    """Tell whether a compact value is a valid ISBN-10, check digit included."""
    return bool(_ISBN10_SHAPE.match(value)) and isbnlib.is_isbn10(value)


def is_isbn13(value: str) -> bool:
    """Tell whether a compact value is a valid ISBN-13 (978 or 979, check digit)."""
    return (
        bool(_ISBN13_SHAPE.match(value))
        and value.startswith(("978", "979"))
        and isbnlib.is_isbn13(value)
    )


def normalise_isbn10(value: str | None) -> str | None:
    """Return the compact ISBN-10 of a value, or None when it is not a valid one."""
    if not value:
        return None
    text = compact(value)
    return text if is_isbn10(text) else None


def normalise_isbn13(value: str | None) -> str | None:
    """Return the compact ISBN-13 of a value, or None when it is not a valid one.

    A valid ISBN-10 is accepted too and converted, so callers can pass either form.
    """
    if not value:
        return None
    text = compact(value)
    if is_isbn13(text):
        return text
    if is_isbn10(text):
        return isbn10_to_isbn13(text)
    return None


def isbn10_to_isbn13(isbn10: str) -> str:
    """Convert a valid ISBN-10 to ISBN-13: "978", the first nine digits, a new check.

    Raises:
        ValueError: The value is not a valid ISBN-10.
    """
    text = compact(isbn10)
    if not is_isbn10(text):
        msg = f"invalid ISBN-10 {isbn10!r}: expected 9 digits and a check digit or X"
        raise ValueError(msg)
    return isbnlib.to_isbn13(text)


def isbn13_to_isbn10(isbn13: str) -> str | None:
    """Convert a valid ISBN-13 to ISBN-10; None for the 979 range, which has none."""
    text = compact(isbn13)
    if not is_isbn13(text) or not text.startswith("978"):
        return None
    return isbnlib.to_isbn10(text) or None


def repair_numeric_isbn10(value: str | None) -> str | None:
    """Restore an ISBN-10 that a spreadsheet stored as a number.

    Leading zeros were lost, so 7 to 9 characters are padded back to 10 with zeros;
    a final X is kept. The result must pass the ISBN-10 check digit.

    Returns:
        The valid ISBN-10, or None when the value is empty or still invalid.
    """
    if not value:
        return None
    text = compact(value)
    if not re.fullmatch(r"\d{6,9}[\dX]", text):
        return None
    padded = text.zfill(10)
    return padded if is_isbn10(padded) else None


def approximate_isbn13(value: str | None) -> str | None:
    """Read an ISBN-13 that was stored as a float such as "9.78043902348e+12".

    A float keeps about 12 significant digits, so the last digit is often rounded
    away. The value is kept only when its check digit still validates; callers must
    prefer an ISBN-13 derived from a valid ISBN-10.

    Returns:
        The 13-digit ISBN, or None when the value is empty, not a number or invalid.
    """
    if not value or not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    text = str(int(number))
    return text if is_isbn13(text) else None
