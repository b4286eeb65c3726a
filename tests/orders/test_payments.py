"""Payment gateways: the test card checks and declines, pay on delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sky_readers.core.errors import ValidationError
from sky_readers.orders.payments import (
    CardDetails,
    Charge,
    PaymentDeclinedError,
    get_gateway,
)
from sky_readers.orders.payments.pay_on_delivery import PayOnDeliveryGateway
from sky_readers.orders.payments.test_card import (
    APPROVED_CARDS,
    DECLINED_CARDS,
    TestCardGateway,
    card_brand,
    luhn_valid,
)

TODAY = dt.date(2026, 12, 4)


def _charge(key: str = "key-00000001") -> Charge:
    return Charge(
        amount=Decimal("12.34"),
        currency="USD",
        order_number="SRH-2026-000001",
        idempotency_key=key,
    )


def _errors(card: CardDetails) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        TestCardGateway().check(card, today=TODAY)
    return caught.value.errors


@pytest.mark.parametrize("card", APPROVED_CARDS + DECLINED_CARDS)
def test_documented_numbers_pass_luhn(card):
    assert luhn_valid(card.number)
    assert card_brand(card.number) == card.brand


def test_luhn_rejects_one_changed_digit():
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424243")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter the card number"),
        ("4242 4242 4242 4243", "not valid"),
        ("4242-abcd-4242-4242", "only digits"),
        ("42424242", "12 to 19 digits"),
    ],
)
def test_check_rejects_bad_numbers(number, message):
    errors = _errors(CardDetails(number=number, expiry="12/30", cvc="123"))
    assert message in errors["card_number"]


@pytest.mark.parametrize(
    ("expiry", "message"),
    [
        ("", "MM/YY"),
        ("13/30", "not a month"),
        ("11/26", "expired"),
        ("12/2099", "too far ahead"),
        ("1230", "MM/YY"),
    ],
)
def test_check_rejects_bad_expiry(expiry, message):
    errors = _errors(CardDetails(number="4242424242424242", expiry=expiry, cvc="123"))
    assert message in errors["card_expiry"]


def test_check_accepts_current_month_and_four_digit_year():
    gateway = TestCardGateway()
    gateway.check(CardDetails("4242424242424242", "12/26", "123"), today=TODAY)
    gateway.check(CardDetails("4242424242424242", "1/2027", "123"), today=TODAY)


def test_check_wants_four_digit_cvc_for_amex():
    errors = _errors(CardDetails(number="378282246310005", expiry="12/30", cvc="123"))
    assert "4-digit" in errors["card_cvc"]
    TestCardGateway().check(
        CardDetails("378282246310005", "12/30", "1234"), today=TODAY
    )


def test_check_names_every_failing_field():
    errors = _errors(CardDetails(number="1", expiry="x", cvc=""))
    assert set(errors) == {"card_number", "card_expiry", "card_cvc"}


@pytest.mark.parametrize("card", DECLINED_CARDS)
def test_charge_declines_documented_numbers(card):
    gateway = TestCardGateway()
    with pytest.raises(PaymentDeclinedError) as caught:
        gateway.charge(_charge(), CardDetails(card.number, "12/39", "123"))
    assert caught.value.code == card.decline_code
    assert "nothing was charged" in str(caught.value)
    assert gateway.charge_count == 0


def test_charge_approves_and_keeps_only_last_four():
    gateway = TestCardGateway()
    outcome = gateway.charge(
        _charge(), CardDetails("5555 5555 5555 4444", "12/39", "123")
    )
    assert outcome.paid
    assert outcome.card_brand == "Mastercard"
    assert outcome.card_last4 == "4444"
    assert "5555555555554444" not in repr(outcome)


def test_charge_repeated_key_charges_once():
    gateway = TestCardGateway()
    card = CardDetails("4242424242424242", "12/39", "123")
    first = gateway.charge(_charge("same-key-1"), card)
    second = gateway.charge(_charge("same-key-1"), card)
    assert first == second
    assert gateway.charge_count == 1
    gateway.void(first)
    assert gateway.charge_count == 0


def test_card_details_repr_hides_number_and_cvc():
    text = repr(CardDetails("4242424242424242", "12/39", "987"))
    assert "4242" not in text
    assert "987" not in text


def test_pay_on_delivery_rejects_card_fields():
    with pytest.raises(ValidationError) as caught:
        PayOnDeliveryGateway().check(CardDetails("4242424242424242", "", ""))
    assert "payment_method" in caught.value.errors


def test_pay_on_delivery_charge_is_pending():
    outcome = PayOnDeliveryGateway().charge(_charge(), None)
    assert not outcome.paid
    assert outcome.reference == "cod-SRH-2026-000001"


def test_get_gateway_rejects_unknown_method():
    with pytest.raises(ValidationError) as caught:
        get_gateway("bitcoin")
    assert "pay_on_delivery or test_card" in caught.value.errors["payment_method"]
