"""Tests of money rounding, parsing and formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sky_readers.core.errors import ValidationError
from sky_readers.core.money import (
    MAX_AMOUNT,
    currency_exponent,
    format_money,
    parse_money,
    round_money,
)

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "BHD", "KWD", "CAD"]

amounts = st.decimals(
    min_value=Decimal(-1000000),
    max_value=Decimal(1000000),
    allow_nan=False,
    allow_infinity=False,
    places=6,
)
store_amounts = st.decimals(
    min_value=Decimal(0), max_value=MAX_AMOUNT, allow_nan=False, places=2
)


@pytest.mark.parametrize(
    ("currency", "exponent"), [("USD", 2), ("JPY", 0), ("BHD", 3), ("eur", 2)]
)
def test_currency_exponent_iso_4217(currency, exponent):
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.005", "USD", "2.01"),
        ("2.004", "USD", "2.00"),
        ("-2.005", "USD", "-2.01"),
        ("0.125", "EUR", "0.13"),
        ("1234.5", "JPY", "1235"),
        ("1234.4", "JPY", "1234"),
        ("1.2345", "BHD", "1.235"),
        ("7", "USD", "7.00"),
    ],
)
def test_round_money_half_up(amount, currency, expected):
    result = round_money(Decimal(amount), currency)
    assert str(result) == expected


def test_round_money_accepts_int():
    assert str(round_money(12, "USD")) == "12.00"


@pytest.mark.parametrize("amount", [1.5, True, "1.50", None])
def test_round_money_rejects_inexact_types(amount):
    with pytest.raises(TypeError):
        round_money(amount, "USD")


def test_round_money_rejects_unknown_currency():
    with pytest.raises(ValidationError) as caught:
        round_money(Decimal(1), "XYZ")
    assert "currency" in caught.value.errors


def test_round_money_rejects_nan():
    with pytest.raises(ValidationError) as caught:
        round_money(Decimal("NaN"), "USD")
    assert "amount" in caught.value.errors


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.5", "USD", "en_US", "$1,234.50"),
        ("2.005", "USD", "en_US", "$2.01"),
        ("-5", "USD", "en_US", "-$5.00"),
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("1234.5", "JPY", "ja_JP", "￥1,235"),
        ("9.99", "GBP", "en_GB", "£9.99"),
    ],
)
def test_format_money_locales(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale) == expected


def test_format_money_default_locale():
    assert format_money(Decimal("12.99"), "USD") == "$12.99"


def test_format_money_rejects_float():
    with pytest.raises(TypeError):
        format_money(12.99, "USD")


def test_format_money_unknown_locale():
    with pytest.raises(ValidationError) as caught:
        format_money(Decimal(1), "USD", "xx_YY")
    assert "locale" in caught.value.errors


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("12.99", "USD", "12.99"),
        ("12", "USD", "12.00"),
        ("12.5", "USD", "12.50"),
        (" 7.00 ", "USD", "7.00"),
        ("1,234.50", "USD", "1234.50"),
        ("1,234,567", "USD", "1234567.00"),
        ("0", "USD", "0.00"),
        ("1500", "JPY", "1500"),
        ("1.234", "BHD", "1.234"),
    ],
)
def test_parse_money_accepts(text, currency, expected):
    assert str(parse_money(text, currency=currency)) == expected


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("12.999", "USD", "too many decimals"),
        ("12.5", "JPY", "too many decimals"),
        ("1.2345", "BHD", "too many decimals"),
        ("", "USD", "required"),
        ("   ", "USD", "required"),
        ("abc", "USD", "not an amount"),
        ("12,99", "USD", "not an amount"),
        ("1,23.00", "USD", "not an amount"),
        ("1e3", "USD", "not an amount"),
        ("NaN", "USD", "not an amount"),
        ("Infinity", "USD", "not an amount"),
        ("$12.99", "USD", "not an amount"),
        ("12.", "USD", "not an amount"),
        (".5", "USD", "not an amount"),
        ("١٢", "USD", "not an amount"),
        ("-1.00", "USD", "negative"),
        ("10000000000.00", "USD", "too large"),
    ],
)
def test_parse_money_rejects(text, currency, reason):
    with pytest.raises(ValidationError) as caught:
        parse_money(text, field="price", currency=currency)
    assert set(caught.value.errors) == {"price"}
    assert reason in caught.value.errors["price"]


@pytest.mark.parametrize("value", [12.99, 12, Decimal("12.99"), None])
def test_parse_money_rejects_non_text(value):
    with pytest.raises(ValidationError) as caught:
        parse_money(value, field="price")
    assert "price" in caught.value.errors


def test_parse_money_float_message():
    with pytest.raises(ValidationError) as caught:
        parse_money(12.99, field="price")
    assert "float" in caught.value.errors["price"]


def test_parse_money_negative_when_allowed():
    assert parse_money("-3.50", allow_negative=True) == Decimal("-3.50")


def test_parse_money_default_field_name():
    with pytest.raises(ValidationError) as caught:
        parse_money("x")
    assert set(caught.value.errors) == {"amount"}


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_round_money_properties(amount, currency):
    exponent = currency_exponent(currency)
    rounded = round_money(amount, currency)
    assert rounded.as_tuple().exponent == -exponent
    assert abs(rounded - amount) <= Decimal(1).scaleb(-exponent) / 2
    assert round_money(rounded, currency) == rounded


@given(
    units=st.integers(min_value=-(10**9), max_value=10**9),
    currency=st.sampled_from(CURRENCIES),
)
def test_round_money_half_goes_away_from_zero(units, currency):
    exponent = currency_exponent(currency)
    unit = Decimal(1).scaleb(-exponent)
    half_way = Decimal(units) * unit + (unit / 2 if units >= 0 else -unit / 2)
    expected = Decimal(units + (1 if units >= 0 else -1)) * unit
    assert round_money(half_way, currency) == expected


@given(amount=store_amounts)
def test_parse_money_round_trips_text(amount):
    assert parse_money(str(amount)) == amount
    assert parse_money(f"{amount:,}") == amount


@given(amount=store_amounts)
def test_format_money_round_trips_en_us(amount):
    text = format_money(amount, "USD")
    assert text.startswith("$")
    assert parse_money(text.removeprefix("$")) == amount


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_format_money_matches_rounding(amount, currency):
    """Test that the shown digits are those of round_money, whatever Babel rounds."""
    rounded = round_money(abs(amount), currency)
    digits = "".join(c for c in format_money(abs(amount), currency) if c.isdigit())
    assert digits.lstrip("0") == str(rounded).replace(".", "").lstrip("0")


def test_round_money_rejects_huge_amount():
    with pytest.raises(ValidationError) as caught:
        round_money(Decimal("1e30"), "USD")
    assert "too large" in caught.value.errors["amount"]
