"""List prices for imported books, which come without one.

Rule, in US dollars:

1. A base price by how many readers rated the work, because widely read titles sell
   in cheap mass-market editions and niche titles in small print runs:

   ============================  =====
   ratings                       base
   ============================  =====
   1,000,000 or more             $7
   100,000 to 999,999            $9
   20,000 to 99,999              $11
   fewer than 20,000             $13
   ============================  =====

2. Plus 0 to 4 whole dollars and an ending of .99 or .49, both chosen by the SHA-256
   digest of a stable key of the book (the importer uses "goodbooks:<book_id>").

So a price lies between $7.49 and $17.99, and the same book gets the same price on
every run and every machine: nothing depends on time, randomness or hash seeds.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

# (minimum number of ratings, base price), highest band first.
PRICE_BANDS: tuple[tuple[int, Decimal], ...] = (
    (1_000_000, Decimal(7)),
    (100_000, Decimal(9)),
    (20_000, Decimal(11)),
    (0, Decimal(13)),
)
# Number of whole-dollar steps added on top of the base: 0 to MAX_EXTRA_DOLLARS.
MAX_EXTRA_DOLLARS = 4
ENDINGS: tuple[Decimal, ...] = (Decimal("0.99"), Decimal("0.49"))


def base_price(rating_count: int) -> Decimal:
    """Return the base price in dollars of the band a rating count falls in."""
    for minimum, price in PRICE_BANDS:
        if rating_count >= minimum:
            return price
    return PRICE_BANDS[-1][1]


def list_price(rating_count: int, key: str) -> Decimal:
    """Compute the list price of a book by the rule of this module.

    Args:
        rating_count: Number of ratings of the work; negative counts as 0.
        key: Stable identifier of the book, such as "goodbooks:42".

    Returns:
        The price in dollars with two decimals.
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    extra = Decimal(digest[0] % (MAX_EXTRA_DOLLARS + 1))
    ending = ENDINGS[digest[1] % len(ENDINGS)]
    return base_price(max(rating_count, 0)) + extra + ending
