"""Money helpers shared by every page: rounding, parsing and display of amounts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import UnknownLocaleError
from babel.numbers import (
    UnknownCurrencyError,
    format_currency,
    get_currency_precision,
    validate_currency,
)

from sky_readers.core.errors import ValidationError

# Largest amount a Money column holds: NUMERIC(12, 2) keeps ten digits before the point.
MAX_AMOUNT = Decimal("9999999999.99")

# ASCII digits with an optional decimal part; commas only between groups of three.
_AMOUNT_TEXT = re.compile(
    r"(?P<sign>-)?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?",
    re.ASCII,
)


def currency_exponent(currency: str) -> int:
    """Return the number of minor-unit digits of a currency (ISO 4217 exponent).

    Args:
        currency: ISO 4217 code, such as "USD" (2), "JPY" (0) or "BHD" (3).

    Raises:
        ValidationError: The code is not in Babel's list of currencies.
    """
    code = _checked_currency(currency)
    return get_currency_precision(code)


def round_money(amount: Decimal | int, currency: str) -> Decimal:
    """Round an amount half-up to the minor unit of its currency.

    Args:
        amount: Exact amount; float is rejected because it cannot hold cents exactly.
        currency: ISO 4217 code that sets the number of decimals.

    Returns:
        The amount with exactly as many decimals as the currency has minor digits,
        for example Decimal("2.01") for 2.005 USD and Decimal("1235") for 1234.5 JPY.

    Raises:
        TypeError: The amount is a float, a bool or not a number at all.
        ValidationError: The currency is unknown, or the amount is not finite or has
            more than 28 digits once rounded.
    """
    value = _exact_decimal(amount)
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    try:
        return value.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        # quantize fails when the result needs more digits than the context's 28.
        raise ValidationError({"amount": f"{amount} is too large"}) from exc


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """Format an amount for display, such as "$1,234.50" or "1.234,50 €".

    The amount is first rounded half-up to the currency's minor unit, because Babel on
    its own rounds half-even and would show 2.005 USD as $2.00.

    Args:
        amount: Exact amount as Decimal or int.
        currency: ISO 4217 code.
        locale: Babel locale identifier that sets symbols, separators and order.

    Raises:
        TypeError: The amount is a float.
        ValidationError: The currency or the locale is unknown.
    """
    rounded = round_money(amount, currency)
    try:
        return format_currency(rounded, currency.upper(), locale=locale)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValidationError(
            {"locale": f"unknown locale {locale!r}: use a code such as en_US or fr_FR"}
        ) from exc


def parse_money(
    text: str,
    *,
    field: str = "amount",
    currency: str = "USD",
    allow_negative: bool = False,
) -> Decimal:
    """Parse an amount typed by a person or read from a file.

    Accepted forms are plain digits with an optional decimal point ("12", "12.5",
    "12.99") and thousands separated by commas ("1,234.50"); surrounding blanks are
    ignored. The result is rounded to nothing: more decimals than the currency has are
    rejected, fewer are padded, so "12.5" becomes Decimal("12.50") for USD.

    Args:
        text: The amount as text. A float is rejected, because it may already have
            lost the exact value.
        field: Name of the input, used as the key of the error.
        currency: ISO 4217 code that sets how many decimals are allowed.
        allow_negative: Whether a leading minus sign is accepted.

    Returns:
        The amount as Decimal with exactly the currency's number of decimals.

    Raises:
        ValidationError: The text is empty, not an amount, negative when that is not
            allowed, too large, or has too many decimals; the error names `field`.
    """
    exponent = currency_exponent(currency)
    if isinstance(text, float):
        raise ValidationError(
            {field: f"{text!r} is a float: pass the amount as text such as '12.99'"}
        )
    if not isinstance(text, str):
        raise ValidationError(
            {field: f"expected the amount as text such as '12.99', got {text!r}"}
        )
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError({field: "is required: enter an amount such as 12.99"})
    match = _AMOUNT_TEXT.fullmatch(cleaned)
    if match is None:
        raise ValidationError(
            {field: f"{text!r} is not an amount: use digits and a point, as in 12.99"}
        )

    fraction = match["fraction"] or ""
    if len(fraction) > exponent:
        allowed = f"{exponent} decimal" + ("" if exponent == 1 else "s")
        raise ValidationError(
            {field: f"{cleaned!r} has too many decimals: {currency} allows {allowed}"}
        )
    if match["sign"] and not allow_negative:
        raise ValidationError({field: f"{cleaned!r} is negative: enter 0 or more"})

    digits = match["whole"].replace(",", "")
    amount = Decimal(f"{match['sign'] or ''}{digits}.{fraction or '0'}")
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(
            {field: f"{cleaned!r} is too large: the maximum is {MAX_AMOUNT}"}
        )
    return amount.quantize(Decimal(1).scaleb(-exponent))


def _checked_currency(currency: str) -> str:
    code = currency.upper() if isinstance(currency, str) else currency
    try:
        validate_currency(code)
    except (UnknownCurrencyError, TypeError) as exc:
        raise ValidationError(
            {"currency": f"unknown currency {currency!r}: use an ISO 4217 code"}
        ) from exc
    return code


def _exact_decimal(amount: Decimal | int) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        msg = (
            f"money amounts must be Decimal or int, not {type(amount).__name__} "
            f"({amount!r})"
        )
        raise TypeError(msg)
    value = Decimal(amount)
    if not value.is_finite():
        raise ValidationError({"amount": f"{amount!r} is not a finite amount"})
    return value
