"""Tests of the display forms of catalog values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sky_readers.ui.formatting import (
    filled_stars,
    format_count,
    format_rating,
    format_year,
    language_name,
)


@pytest.mark.parametrize(
    ("year", "text"),
    [(1965, "1965"), (-720, "720 BC"), (-17, "17 BC"), (1, "1"), (None, "")],
)
def test_format_year(year, text):
    """Test that negative years read as BC."""
    assert format_year(year) == text


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("en", "English"),
        ("fr", "French"),
        ("grc", "Ancient Greek"),
        ("eng", "English"),
        ("en-GB", "English (United Kingdom)"),
        ("en-US", "English (United States)"),
        ("mul", "Multiple languages"),
        ("qqq", "qqq"),
        (None, ""),
    ],
)
def test_language_name(code, name):
    """Test that ISO 639 codes become English language names."""
    assert language_name(code) == name


def test_format_count_groups_thousands():
    """Test that counts get thousands separators."""
    assert format_count(1234567) == "1,234,567"
    assert format_count(7) == "7"


@pytest.mark.parametrize(
    ("rating", "text", "stars"),
    [
        (Decimal("4.22"), "4.22", 4),
        (Decimal("4.5"), "4.50", 5),
        (Decimal("0"), "0.00", 0),
        (Decimal("2.49"), "2.49", 2),
    ],
)
def test_rating_text_and_stars(rating, text, stars):
    """Test that ratings show two decimals and round half up to whole stars."""
    assert format_rating(rating) == text
    assert filled_stars(rating) == stars
