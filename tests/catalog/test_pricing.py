"""Tests of the list price rule for imported books."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sky_readers.catalog.pricing import ENDINGS, base_price, list_price


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        (5_000_000, Decimal(7)),
        (1_000_000, Decimal(7)),
        (999_999, Decimal(9)),
        (100_000, Decimal(9)),
        (99_999, Decimal(11)),
        (20_000, Decimal(11)),
        (19_999, Decimal(13)),
        (0, Decimal(13)),
    ],
)
def test_base_price_by_band(ratings, expected):
    assert base_price(ratings) == expected


def test_list_price_is_decimal_with_cents():
    price = list_price(4_942_365, "goodbooks:1")
    assert isinstance(price, Decimal)
    assert price.as_tuple().exponent == -2


def test_list_price_known_values():
    # Fixed figures guard against an accidental change of the rule: these are the
    # prices every store built from the same data shows.
    assert list_price(4_942_365, "goodbooks:1") == Decimal("7.49")
    assert list_price(4_800_065, "goodbooks:2") == Decimal("11.49")


def test_list_price_same_key_same_price():
    assert list_price(123_456, "goodbooks:42") == list_price(123_456, "goodbooks:42")


def test_list_price_stays_in_band_range():
    for ratings in (0, 25_000, 250_000, 2_500_000):
        base = base_price(ratings)
        for number in range(300):
            price = list_price(ratings, f"goodbooks:{number}")
            assert base + Decimal("0.49") <= price <= base + Decimal("4.99")
            assert price - int(price) in ENDINGS


def test_list_price_uses_every_ending_and_offset():
    prices = {list_price(50_000, f"goodbooks:{number}") for number in range(500)}
    endings = {price - int(price) for price in prices}
    dollars = {int(price) for price in prices}
    assert endings == set(ENDINGS)
    assert dollars == {11, 12, 13, 14, 15}


def test_list_price_negative_count_as_zero():
    assert list_price(-1, "goodbooks:7") == list_price(0, "goodbooks:7")
