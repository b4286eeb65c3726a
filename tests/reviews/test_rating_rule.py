"""The documented rule that combines an imported rating with the store's reviews."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sky_readers.reviews.rating_rule import (
    IMPORTED_WEIGHT_CAP,
    ReviewTotals,
    combine_ratings,
)


@pytest.mark.parametrize(
    ("imported", "imported_count", "reviews", "expected"),
    [
        # Nothing at all.
        ("0", 0, [], ("0.00", 0)),
        # Only the import: shown as imported.
        ("4.34", 4_942_365, [], ("4.34", 4_942_365)),
        # Only reviews: their plain mean.
        ("0", 0, [5, 4, 4], ("4.33", 3)),
        # A million imported ratings weigh as IMPORTED_WEIGHT_CAP reviews.
        ("4.00", 1_000_000, [1], ("3.86", 1_000_001)),
        # A small import weighs as many reviews as it has ratings.
        ("3.00", 2, [5, 5], ("4.00", 4)),
        # A count without an average (nothing imported) weighs nothing.
        ("0", 10, [2], ("2.00", 11)),
        # Half up: (20 * 4.5 + 4) / 21 = 4.476...
        ("4.50", 30, [4], ("4.48", 31)),
    ],
)
def test_combine_ratings_examples(imported, imported_count, reviews, expected):
    totals = ReviewTotals(count=len(reviews), stars_sum=sum(reviews))

    average, count = combine_ratings(Decimal(imported), imported_count, totals)

    assert (str(average), count) == expected


def test_reviews_outweigh_import_after_cap():
    many = ReviewTotals(
        count=IMPORTED_WEIGHT_CAP + 1, stars_sum=IMPORTED_WEIGHT_CAP + 1
    )

    average, _count = combine_ratings(Decimal("5.00"), 10_000, many)

    assert average < Decimal("3.00")


def test_review_totals_average():
    assert ReviewTotals().average == Decimal("0.00")
    assert ReviewTotals(count=3, stars_sum=11).average == Decimal("3.67")
