"""Tests of ISBN clean-up, validation, conversion and goodbooks repairs."""

from __future__ import annotations

import pytest

from sky_readers.catalog import isbn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("978-0-439-02348-1", "9780439023481"),
        (" 978 0439023481 ", "9780439023481"),
        ("ISBN-13: 978-0-439-02348-1", "9780439023481"),
        ("0-439-65548-x", "043965548X"),
        ("0\u2013439\u201302348\u20133", "0439023483"),
    ],
)
def test_compact_strips_separators(raw, expected):
    assert isbn.compact(raw) == expected


def test_normalise_isbn10_accepts_valid_and_x():
    assert isbn.normalise_isbn10("0-439-02348-3") == "0439023483"
    assert isbn.normalise_isbn10("043965548x") == "043965548X"


@pytest.mark.parametrize("raw", ["0439023484", "43902348", "", None, "04390234831"])
def test_normalise_isbn10_rejects_invalid(raw):
    assert isbn.normalise_isbn10(raw) is None


def test_normalise_isbn13_accepts_13_and_converts_10():
    assert isbn.normalise_isbn13("978-0-439-02348-1") == "9780439023481"
    assert isbn.normalise_isbn13("0439023483") == "9780439023481"


@pytest.mark.parametrize(
    "raw",
    ["9780439023480", "9770439023481", "2940016231920", "978043902348", "", None],
)
def test_normalise_isbn13_rejects_invalid(raw):
    assert isbn.normalise_isbn13(raw) is None


def test_isbn10_to_isbn13_computes_new_check_digit():
    assert isbn.isbn10_to_isbn13("043965548X") == "9780439655484"
    assert isbn.isbn10_to_isbn13("0061120081") == "9780061120084"


def test_isbn10_to_isbn13_raises_on_invalid():
    with pytest.raises(ValueError, match="invalid ISBN-10"):
        isbn.isbn10_to_isbn13("0439023484")


def test_isbn13_to_isbn10_only_for_978():
    assert isbn.isbn13_to_isbn10("9780439023481") == "0439023483"
    assert isbn.isbn13_to_isbn10("9791032301238") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("439023483", "0439023483"),
        ("61120081", "0061120081"),
        ("7442912", "0007442912"),
        ("043965548X", "043965548X"),
        ("0439023483", "0439023483"),
    ],
)
def test_repair_numeric_isbn10_pads_lost_zeros(raw, expected):
    assert isbn.repair_numeric_isbn10(raw) == expected


@pytest.mark.parametrize("raw", ["812971060", "", None, "12345", "97804390234"])
def test_repair_numeric_isbn10_rejects_bad_checksum_or_shape(raw):
    assert isbn.repair_numeric_isbn10(raw) is None


def test_approximate_isbn13_keeps_only_valid_check_digit():
    # 9.78043902348e+12 reads as 9780439023480, whose check digit should be 1.
    assert isbn.approximate_isbn13("9.78043902348e+12") is None
    assert isbn.approximate_isbn13("9.7809897948e+12") == "9780989794800"
    assert isbn.approximate_isbn13("9780439023481") == "9780439023481"


@pytest.mark.parametrize(
    "raw", ["", "  ", "abc", "2.94001623192e+12", "9.7e+12", "nan"]
)
def test_approximate_isbn13_rejects_unusable(raw):
    assert isbn.approximate_isbn13(raw) is None
