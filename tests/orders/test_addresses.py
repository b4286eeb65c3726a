"""Shipping address validation and the lines of a parcel label."""

from __future__ import annotations

import pytest

from sky_readers.core.errors import ValidationError
from sky_readers.orders.addresses import address_lines, validate_address
from tests.orders.fixtures import ADDRESS


def test_validate_address_normalises():
    address = validate_address(
        {**ADDRESS, "name": "  Ada \t Lovelace ", "country": "us", "line2": ""}
    )
    assert address.name == "Ada Lovelace"
    assert address.country == "US"
    assert address.line2 == ""


def test_validate_address_names_missing_fields():
    with pytest.raises(ValidationError) as caught:
        validate_address({"country": "US"})
    errors = caught.value.errors
    assert set(errors) == {"name", "line1", "city", "postal_code", "region"}
    assert errors["name"] == "Full name is required."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "XX"}, "country", "not a country code"),
        ({"postal_code": "4101"}, "postal_code", "5 digits"),
        ({"country": "GB", "postal_code": "12345"}, "postal_code", "SW1A 1AA"),
        ({"country": "NL", "postal_code": "!!"}, "postal_code", "letters and digits"),
        ({"line1": "x" * 201}, "line1", "at most 200"),
    ],
)
def test_validate_address_rejects(changes, field, message):
    with pytest.raises(ValidationError) as caught:
        validate_address({**ADDRESS, **changes})
    assert message in caught.value.errors[field]


@pytest.mark.parametrize(
    ("country", "postal_code", "typed", "stored"),
    [
        ("US", "04101", "me", "ME"),
        ("US", "10001", "New York", "NY"),
        ("US", "10001", "us-ny", "NY"),
        ("US", "20001", "district of columbia", "DC"),
        ("US", "96201", "AP", "AP"),
        ("CA", "H2X 1Y4", "Québec", "QC"),
        ("CA", "H2X 1Y4", "quebec", "QC"),
        ("AU", "2000", "New South Wales", "NSW"),
    ],
)
def test_validate_address_region_code_or_name(country, postal_code, typed, stored):
    address = validate_address(
        {**ADDRESS, "country": country, "postal_code": postal_code, "region": typed}
    )
    assert address.region == stored


@pytest.mark.parametrize(
    ("country", "postal_code", "typed", "example"),
    [
        ("US", "04101", "ZZ", "NY"),
        ("US", "04101", "Ontario", "NY"),
        ("CA", "H2X 1Y4", "NY", "ON"),
        ("AU", "2000", "Texas", "NSW"),
    ],
)
def test_validate_address_rejects_unknown_region(country, postal_code, typed, example):
    with pytest.raises(ValidationError) as caught:
        validate_address(
            {**ADDRESS, "country": country, "postal_code": postal_code, "region": typed}
        )
    message = caught.value.errors["region"]
    assert f"{typed!r} is not a state, province or territory of" in message
    assert f"such as {example}" in message


def test_validate_address_region_free_elsewhere():
    address = validate_address(
        {**ADDRESS, "country": "GB", "postal_code": "SW1A 1AA", "region": "Kent"}
    )
    assert address.region == "Kent"


def test_validate_address_drops_control_characters():
    address = validate_address({**ADDRESS, "line1": "12 Harbour\nStreet\x00"})
    assert address.line1 == "12 Harbour Street"


def test_address_lines_us_and_elsewhere():
    us = address_lines(**{**ADDRESS, "line2": ""})
    assert us == [
        "Ada Lovelace",
        "12 Harbour Street",
        "Portland, ME 04101",
        "United States",
    ]
    gb = address_lines(
        name="Ada",
        line1="1 Square",
        line2="",
        city="London",
        region="",
        postal_code="SW1Y 4JH",
        country="GB",
    )
    assert gb == ["Ada", "1 Square", "SW1Y 4JH London", "United Kingdom"]
