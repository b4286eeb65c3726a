"""Shipping addresses: validation of what the shopper typed, and display lines."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pycountry
from babel import Locale

from sky_readers.core.errors import ValidationError

if TYPE_CHECKING:
    from sky_readers.orders.models import Order

# Countries whose addresses need a state, province or territory, checked against
# the ISO 3166-2 subdivisions of pycountry and stored as the code without the prefix.
REGION_REQUIRED = frozenset({"US", "CA", "AU"})
# The US Postal Service's codes of military post (APO/FPO), which ISO 3166-2 lacks.
_EXTRA_REGIONS = {
    "US": {
        "AA": "Armed Forces Americas",
        "AE": "Armed Forces Europe",
        "AP": "Armed Forces Pacific",
    }
}
_REGION_EXAMPLES = {"US": "NY", "CA": "ON", "AU": "NSW"}
# Postal code formats checked per country; elsewhere 2 to 12 letters, digits,
# spaces and hyphens are accepted.
POSTAL_CODE_PATTERNS = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "5 digits, or 5+4 such as 12345-6789"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), "the form A1A 1A1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "the form SW1A 1AA"),
    "DE": (re.compile(r"^\d{5}$"), "5 digits"),
    "FR": (re.compile(r"^\d{5}$"), "5 digits"),
    "AU": (re.compile(r"^\d{4}$"), "4 digits"),
}
_GENERIC_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{0,10}[A-Z0-9]$")
# Field name, label and maximum length, in form order.
FIELDS = (
    ("name", "Full name", 200),
    ("line1", "Address line 1", 200),
    ("line2", "Address line 2", 200),
    ("city", "City", 100),
    ("region", "State, province or region", 100),
    ("postal_code", "Postal code", 20),
    ("country", "Country", 2),
)


@dataclasses.dataclass(frozen=True)
class ShippingAddress:
    """A validated shipping address; `country` is an ISO 3166-1 alpha-2 code."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""


@functools.cache
def country_names() -> dict[str, str]:
    """Map each ISO 3166-1 alpha-2 code to its English name, sorted by name (Babel)."""
    territories = Locale.parse("en").territories
    codes = {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN")
    }
    return dict(sorted(codes.items(), key=lambda item: item[1]))


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.cache
def _region_codes(country: str) -> dict[str, str]:
    """Map each subdivision's code and folded name to its code, such as NY."""
    names = {
        subdivision.code.split("-", 1)[1]: subdivision.name
        for subdivision in pycountry.subdivisions.get(country_code=country) or []
    }
    names.update(_EXTRA_REGIONS.get(country, {}))
    lookup = {_folded(name): code for code, name in names.items()}
    lookup.update({_folded(code): code for code in names})
    return lookup


def normalise_region(region: str, country: str) -> str | None:
    """Return the code of a state or province typed as code or name, or None if unknown."""
    text = region.strip()
    if text.upper().startswith(f"{country}-"):
        text = text[len(country) + 1 :]
    return _region_codes(country).get(_folded(text))


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    # Control characters (including line breaks) have no place in an address line.
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in value)
    return " ".join(text.split())


def validate_address(fields: Mapping[str, Any]) -> ShippingAddress:
    """Check a typed address and return it trimmed and normalised.

    Args:
        fields: Values under the names of FIELDS; other keys are ignored.

    Returns:
        The address, with blanks collapsed, the country and postal code in capitals.

    Raises:
        ValidationError: Every failing field, each with a message naming the fix.
    """
    values = {name: _clean(fields.get(name)) for name, _label, _length in FIELDS}
    values["country"] = values["country"].upper()
    values["postal_code"] = values["postal_code"].upper()
    errors: dict[str, str] = {}

    for name, label, length in FIELDS:
        required = name not in ("line2", "region")
        if required and not values[name]:
            errors[name] = f"{label} is required."
        elif len(values[name]) > length:
            errors[name] = f"{label} is too long: at most {length} characters."

    country = values["country"]
    if country and "country" not in errors and country not in country_names():
        errors["country"] = (
            f"{country!r} is not a country code: use two letters such as US or GB."
        )
    if country in REGION_REQUIRED and "region" not in errors:
        _check_region(values, errors)
    if values["postal_code"] and "postal_code" not in errors:
        message = _postal_code_error(values["postal_code"], country)
        if message:
            errors["postal_code"] = message
    if errors:
        raise ValidationError(errors)
    return ShippingAddress(**values)


def _check_region(values: dict[str, str], errors: dict[str, str]) -> None:
    country = values["country"]
    if not values["region"]:
        errors["region"] = f"State, province or territory is required for {country}."
        return
    code = normalise_region(values["region"], country)
    if code is None:
        errors["region"] = (
            f"{values['region']!r} is not a state, province or territory of"
            f" {country_names()[country]}: use its code, such as"
            f" {_REGION_EXAMPLES[country]}, or its full name."
        )
        return
    values["region"] = code


def _postal_code_error(code: str, country: str) -> str | None:
    pattern, form = POSTAL_CODE_PATTERNS.get(country, (None, ""))
    if pattern is not None:
        if pattern.match(code):
            return None
        return f"{code!r} is not a postal code of {country}: use {form}."
    if _GENERIC_POSTAL_CODE.match(code):
        return None
    return f"{code!r} is not a postal code: use 2 to 12 letters and digits."


def order_address(order: Order) -> ShippingAddress:
    """Return the shipping address copied onto an order."""
    return ShippingAddress(
        name=order.ship_name,
        line1=order.ship_line1,
        line2=order.ship_line2,
        city=order.ship_city,
        region=order.ship_region,
        postal_code=order.ship_postal_code,
        country=order.ship_country,
    )


def address_lines(
    *,
    name: str,
    line1: str,
    line2: str,
    city: str,
    region: str,
    postal_code: str,
    country: str,
) -> list[str]:
    """Lay an address out in lines as a parcel label shows it.

    North American and Australian addresses put "City, REGION CODE" on one line;
    others put the postal code before the city and the region on its own line.
    The last line is the country's English name.
    """
    if country in REGION_REQUIRED:
        locality = [f"{city}, {region} {postal_code}".strip(" ,")]
    else:
        locality = [f"{postal_code} {city}".strip(), region]
    lines = [name, line1, line2, *locality, country_names().get(country, country)]
    return [line for line in lines if line]
