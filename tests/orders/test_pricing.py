"""The money rule: exact lines and subtotal, one half-up rounding of the tax."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from sky_readers.core.money import format_money
from sky_readers.orders.pricing import LineInput, PricingRules, price_lines

RULES = PricingRules(
    currency="USD",
    tax_rate=Decimal("0.08"),
    shipping_fee=Decimal("4.99"),
    free_shipping_threshold=Decimal("35.00"),
)

cents = st.integers(min_value=0, max_value=500_000)
lines = st.lists(st.tuples(cents, st.integers(min_value=1, max_value=10)), max_size=25)
# Tax rates in hundredths of a percent (basis points), 0 % to 30 %.
rates = st.integers(min_value=0, max_value=3000)


def _displayed(amount: Decimal) -> Decimal:
    """Read back a figure as the shopper sees it, such as "$1,234.56"."""
    text = format_money(amount, "USD")
    return parse_decimal(text.replace("$", ""), locale="en_US")


def test_price_lines_example():
    totals = price_lines(
        [LineInput(Decimal("10.99"), 2), LineInput(Decimal("7.49"), 1)], RULES
    )
    assert [line.line_total for line in totals.lines] == [
        Decimal("21.98"),
        Decimal("7.49"),
    ]
    assert totals.subtotal == Decimal("29.47")
    assert totals.shipping == Decimal("4.99")
    # 29.47 x 0.08 = 2.3576, rounded half up to 2.36.
    assert totals.tax == Decimal("2.36")
    assert totals.total == Decimal("36.82")
    assert totals.item_count == 3


def test_price_lines_rounds_tax_half_up():
    # 0.05 x 0.5 = 0.025: half up gives 0.03, where half even would give 0.02.
    rules = PricingRules("USD", Decimal("0.5"), Decimal("0"), Decimal("0"))
    assert price_lines([LineInput(Decimal("0.05"), 1)], rules).tax == Decimal("0.03")
    # 0.07 x 0.5 = 0.035 gives 0.04 both ways; 0.09 x 0.5 = 0.045 gives 0.05.
    assert price_lines([LineInput(Decimal("0.09"), 1)], rules).tax == Decimal("0.05")


def test_price_lines_free_shipping_from_threshold():
    below = price_lines([LineInput(Decimal("34.99"), 1)], RULES)
    at = price_lines([LineInput(Decimal("35.00"), 1)], RULES)
    assert below.shipping == Decimal("4.99")
    assert at.shipping == Decimal("0.00")


def test_price_lines_empty_cart_is_zero():
    totals = price_lines([], RULES)
    assert totals.subtotal == Decimal("0.00")
    assert totals.shipping == Decimal("0.00")
    assert totals.tax == Decimal("0.00")
    assert totals.total == Decimal("0.00")


def test_price_lines_zero_decimal_currency():
    rules = PricingRules("JPY", Decimal("0.1"), Decimal("500"), Decimal("5000"))
    totals = price_lines([LineInput(Decimal("1234"), 3)], rules)
    assert totals.subtotal == Decimal("3702")
    # 370.2 rounds to 370.
    assert totals.tax == Decimal("370")
    assert totals.total == Decimal("4572")


@pytest.mark.parametrize(
    ("unit_price", "quantity"),
    [
        (Decimal("9.999"), 1),
        (Decimal("-1.00"), 1),
        (Decimal("NaN"), 1),
        (Decimal("9.99"), 0),
        (Decimal("9.99"), 1.5),
        (Decimal("9.99"), True),
    ],
)
def test_price_lines_rejects_bad_lines(unit_price, quantity):
    with pytest.raises(ValueError):
        price_lines([LineInput(unit_price, quantity)], RULES)


def test_price_lines_rejects_float_price():
    with pytest.raises(ValueError):
        price_lines([LineInput(9.99, 1)], RULES)


@given(lines=lines, rate=rates)
def test_displayed_figures_add_up(lines, rate):
    """For any cart, the displayed lines, shipping and tax add up to the total."""
    rules = PricingRules(
        "USD", Decimal(rate).scaleb(-4), Decimal("4.99"), Decimal("35.00")
    )
    totals = price_lines([LineInput(Decimal(c).scaleb(-2), q) for c, q in lines], rules)

    shown_lines = [_displayed(line.line_total) for line in totals.lines]
    shown_subtotal = _displayed(totals.subtotal)
    shown_total = _displayed(totals.total)
    assert sum(shown_lines, Decimal(0)) == shown_subtotal
    assert (
        shown_subtotal + _displayed(totals.shipping) + _displayed(totals.tax)
        == shown_total
    )


@given(lines=lines, rate=rates)
def test_tax_matches_integer_rounding(lines, rate):
    """The tax equals subtotal x rate rounded half up, computed in whole cents."""
    rules = PricingRules(
        "USD", Decimal(rate).scaleb(-4), Decimal("4.99"), Decimal("35.00")
    )
    totals = price_lines([LineInput(Decimal(c).scaleb(-2), q) for c, q in lines], rules)
    subtotal_cents = sum(c * q for c, q in lines)
    # Half up in whole numbers: add half the divisor before dividing.
    tax_cents = (subtotal_cents * rate + 5_000) // 10_000
    assert totals.subtotal == Decimal(subtotal_cents).scaleb(-2)
    assert totals.tax == Decimal(tax_cents).scaleb(-2)
    shipping_cents = 499 if lines and subtotal_cents < 3_500 else 0
    assert totals.total == Decimal(subtotal_cents + shipping_cents + tax_cents).scaleb(
        -2
    )
