"""Text forms of catalog values as the pages show them: years, languages, counts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

# Locale of the store's texts.
UI_LOCALE = "en_US"


def format_year(year: int | None) -> str:
    """Write a publication year, with "BC" for years before the common era.

    The catalog stores 720 BC as -720, as the source data does, so there is no year 0.
    """
    if year is None:
        return ""
    if year < 0:
        return f"{-year} BC"
    return str(year)


def language_name(code: str | None) -> str:
    """Name a language from its ISO 639 code: "en", "fr", "grc", "eng" or "en-US".

    Unknown codes come back unchanged.
    """
    if not code:
        return ""
    english = Locale.parse(UI_LOCALE)
    language, _, region = code.replace("_", "-").partition("-")
    name = english.languages.get(language.lower())
    if name is None:
        # Babel lists ISO 639-2 codes such as "eng" and "fre" only as locale aliases.
        try:
            name = english.languages.get(Locale.parse(language.lower()).language)
        except (UnknownLocaleError, ValueError):
            name = None
    if name is None:
        return code
    territory = english.territories.get(region.upper()) if region else None
    return f"{name} ({territory})" if territory else name


def format_count(count: int) -> str:
    """Write a count with thousands separators: 12345 as "12,345"."""
    return format_decimal(count, locale=UI_LOCALE)


def format_rating(rating: Decimal) -> str:
    """Write an average rating with two decimals: "4.20"."""
    return f"{rating.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"


def filled_stars(rating: Decimal) -> int:
    """Count the stars to fill for a rating from 0 to 5, rounded half up."""
    stars = int(rating.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(0, min(5, stars))
