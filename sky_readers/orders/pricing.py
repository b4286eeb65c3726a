"""The money rule of the store: one function prices every cart and every order.

The cart page, the checkout summary, the placed order (and so its confirmation page,
its mails and the admin pages, which show the stored figures) all call
`price_lines`, so the figures agree to the cent everywhere. docs/orders.md describes
the rule with worked examples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sky_readers.core.money import currency_exponent, round_money
from sky_readers.core.settings import get_settings


@dataclasses.dataclass(frozen=True)
class PricingRules:
    """Tax rate and shipping fees of the money rule, in the store's currency."""

    currency: str
    # Fraction of the subtotal, such as Decimal("0.08") for 8 %.
    tax_rate: Decimal
    shipping_fee: Decimal
    # Subtotal from which shipping is free.
    free_shipping_threshold: Decimal

    @classmethod
    def from_settings(cls) -> PricingRules:
        """Read the rules from DEFAULT_CURRENCY, SALES_TAX_RATE and the shipping settings."""
        settings = get_settings()
        return cls(
            currency=settings.default_currency.upper(),
            tax_rate=settings.sales_tax_rate,
            shipping_fee=settings.shipping_fee,
            free_shipping_threshold=settings.free_shipping_threshold,
        )


@dataclasses.dataclass(frozen=True)
class LineInput:
    """A line to price: a unit price in the store's currency and a whole quantity."""

    unit_price: Decimal
    quantity: int


@dataclasses.dataclass(frozen=True)
class PricedLine:
    """A priced line; `line_total` is exactly unit_price x quantity."""

    unit_price: Decimal
    quantity: int
    line_total: Decimal


@dataclasses.dataclass(frozen=True)
class Totals:
    """Every figure of a cart or an order; total == subtotal + shipping + tax."""

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal

    @property
    def item_count(self) -> int:
        """Number of copies over all lines."""
        return sum(line.quantity for line in self.lines)


def price_lines(
    lines: Sequence[LineInput], rules: PricingRules | None = None
) -> Totals:
    """Price a cart or an order by the store's money rule.

    The rule, in Decimal throughout, never float:

    1. Each unit price must already be a whole number of minor units (cents), as
       the catalog stores it; each quantity is a whole number of at least 1.
    2. line total = unit price x quantity, exact.
    3. subtotal = sum of the line totals, exact.
    4. shipping = `shipping_fee` when the cart has lines and the subtotal is below
       `free_shipping_threshold`, else 0.
    5. tax = subtotal x `tax_rate`, rounded once, half up, to the minor unit. This is
       the only rounding, and shipping is not taxed.
    6. total = subtotal + shipping + tax, exact.

    So the displayed lines add up to the subtotal, and subtotal, shipping and tax add
    up to the displayed total, to the cent.

    Args:
        lines: Unit prices and quantities; an empty sequence prices an empty cart.
        rules: Tax and shipping; the settings' rules by default.

    Returns:
        The priced lines, in the given order, and the totals.

    Raises:
        ValueError: A unit price is negative or has more decimals than the currency,
            or a quantity is not a positive whole number.
    """
    rules = rules or PricingRules.from_settings()
    exponent = currency_exponent(rules.currency)

    priced = []
    for line in lines:
        _check_line(line, exponent)
        priced.append(
            PricedLine(
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.unit_price * line.quantity,
            )
        )

    subtotal = round_money(
        sum((p.line_total for p in priced), Decimal(0)), rules.currency
    )
    if priced and subtotal < rules.free_shipping_threshold:
        shipping = round_money(rules.shipping_fee, rules.currency)
    else:
        shipping = round_money(Decimal(0), rules.currency)
    tax = round_money(subtotal * rules.tax_rate, rules.currency)
    return Totals(
        currency=rules.currency,
        lines=tuple(priced),
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        total=subtotal + shipping + tax,
    )


def _check_line(line: LineInput, exponent: int) -> None:
    if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
        msg = f"quantity must be a whole number, not {line.quantity!r}"
        raise ValueError(msg)
    if line.quantity < 1:
        msg = f"quantity must be at least 1, not {line.quantity}"
        raise ValueError(msg)
    price = line.unit_price
    if not isinstance(price, Decimal) or not price.is_finite() or price < 0:
        msg = f"unit price must be a Decimal of 0 or more, not {price!r}"
        raise ValueError(msg)
    if price != price.quantize(Decimal(1).scaleb(-exponent)):
        msg = f"unit price {price} has more decimals than the currency's {exponent}"
        raise ValueError(msg)
