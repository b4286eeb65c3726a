"""The test card gateway: checks a card as a real gateway would, charges nobody.

It validates the number with the Luhn checksum, the expiry date and the security
code, and declines the documented test numbers below, so every failure path of
checkout can be tried. Any other valid number is approved. docs/orders.md and the
checkout page list the same numbers.

Charges are remembered in this process by idempotency key, so a repeated charge
returns the first outcome instead of charging again. The card number and the
security code are never stored or logged: the outcome keeps the brand and the last
four digits only.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import re
import threading
import uuid
from decimal import Decimal

from sky_readers.core.errors import ValidationError
from sky_readers.core.types import utcnow
from sky_readers.orders.payments.base import (
    CardDetails,
    Charge,
    PaymentDeclinedError,
    PaymentMethod,
    PaymentOutcome,
)

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class TestCard:
    """A documented test number and what the gateway does with it."""

    # Not a pytest test class, although its name starts with "Test".
    __test__ = False

    number: str
    brand: str
    # None when the card is approved, else the decline code.
    decline_code: str | None
    description: str


# Numbers that pass every check; any other valid number is approved too.
APPROVED_CARDS = (
    TestCard("4242424242424242", "Visa", None, "Approved"),
    TestCard("5555555555554444", "Mastercard", None, "Approved"),
    TestCard("378282246310005", "American Express", None, "Approved (4-digit CVC)"),
)
# Numbers that pass the local checks and are then declined, as an issuer would.
DECLINED_CARDS = (
    TestCard(
        "4000000000000002",
        "Visa",
        "card_declined",
        "Declined by the issuer without a reason",
    ),
    TestCard(
        "4000000000009995", "Visa", "insufficient_funds", "Declined: not enough funds"
    ),
    TestCard(
        "4000000000000069",
        "Visa",
        "expired_card",
        "Declined: the issuer reports the card expired, whatever date is typed",
    ),
    TestCard(
        "4000000000000127",
        "Visa",
        "incorrect_cvc",
        "Declined: the issuer rejects the security code",
    ),
    TestCard(
        "4000000000000119",
        "Visa",
        "processing_error",
        "Declined: a temporary error at the issuer; trying again fails the same way",
    ),
)
DECLINE_MESSAGES = {
    "card_declined": (
        "Your card was declined by its issuer. Use another card or choose pay on "
        "delivery; nothing was charged."
    ),
    "insufficient_funds": (
        "Your card was declined for insufficient funds. Use another card or choose "
        "pay on delivery; nothing was charged."
    ),
    "expired_card": (
        "Your card's issuer reports the card as expired. Use another card; nothing "
        "was charged."
    ),
    "incorrect_cvc": (
        "The issuer rejected the security code (CVC). Check the 3 or 4 digits on "
        "the card and try again; nothing was charged."
    ),
    "processing_error": (
        "The card issuer had an error while processing the payment. Try again in a "
        "moment or use another card; nothing was charged."
    ),
}
_DECLINES = {card.number: card.decline_code for card in DECLINED_CARDS}

# Maximum years from today to an accepted expiry date.
MAX_YEARS_AHEAD = 20
# Charges remembered for idempotent repeats; the oldest are forgotten first.
REMEMBERED_CHARGES = 10_000

_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")
_SEPARATORS = re.compile(r"[\s-]")


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn checksum (ISO/IEC 7812-1)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """Name the card network from the number's first digits (its IIN range)."""
    if digits.startswith("4"):
        return "Visa"
    if digits[:2] in ("34", "37"):
        return "American Express"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "Mastercard"
    return "Card"


def normalise_number(number: str) -> str:
    """Drop the spaces and hyphens that people type between groups of digits."""
    return _SEPARATORS.sub("", number or "")


def _number_error(digits: str) -> str | None:
    if not digits:
        return "Enter the card number."
    if not digits.isascii() or not digits.isdigit():
        return "The card number may contain only digits, spaces and hyphens."
    if not 12 <= len(digits) <= 19:
        return f"A card number has 12 to 19 digits; this one has {len(digits)}."
    if not luhn_valid(digits):
        return "This card number is not valid: check it for a typing mistake."
    return None


def _expiry_error(expiry: str, today: dt.date) -> str | None:
    match = _EXPIRY.match(expiry or "")
    if match is None:
        return "Enter the expiry date as MM/YY, for example 04/29."
    month, year = int(match[1]), int(match[2])
    if len(match[2]) == 2:
        year += 2000
    if not 1 <= month <= 12:
        return f"{month} is not a month: enter the expiry date as MM/YY."
    # A card is valid through the last day of its expiry month.
    if (year, month) < (today.year, today.month):
        return "This card has expired: use a card with a later expiry date."
    if year > today.year + MAX_YEARS_AHEAD:
        return "This expiry date is too far ahead: check the year."
    return None


def _cvc_error(cvc: str, brand: str) -> str | None:
    length = 4 if brand == "American Express" else 3
    if not (cvc or "").isascii() or not (cvc or "").isdigit() or len(cvc) != length:
        return f"Enter the {length}-digit security code (CVC) from the card."
    return None


class TestCardGateway:
    """A card gateway for tests and demonstrations; see the module docstring."""

    __test__ = False

    method = PaymentMethod.TEST_CARD
    label = "Card (test gateway)"

    def __init__(self) -> None:
        """Start with no remembered charges or refunds."""
        self._lock = threading.Lock()
        self._charges: collections.OrderedDict[str, PaymentOutcome] = (
            collections.OrderedDict()
        )
        self._refunded: set[str] = set()
        # Count of charges actually made (repeats excluded), for tests.
        self.charge_count = 0

    def check(self, card: CardDetails | None, today: dt.date | None = None) -> None:
        """Validate the number (Luhn), the expiry date and the security code.

        Raises:
            ValidationError: Under card_number, card_expiry and card_cvc, each
                field that fails.
        """
        card = card or CardDetails()
        today = today or utcnow().date()
        digits = normalise_number(card.number)
        errors = {}
        number_error = _number_error(digits)
        if number_error:
            errors["card_number"] = number_error
        expiry_error = _expiry_error(card.expiry, today)
        if expiry_error:
            errors["card_expiry"] = expiry_error
        brand = card_brand(digits) if number_error is None else ""
        cvc_error = _cvc_error(card.cvc.strip() if card.cvc else "", brand)
        if cvc_error:
            errors["card_cvc"] = cvc_error
        if errors:
            raise ValidationError(errors)

    def charge(self, charge: Charge, card: CardDetails | None) -> PaymentOutcome:
        """Approve or decline the card; a repeated idempotency key returns the first result.

        Raises:
            PaymentDeclinedError: The number is one of DECLINED_CARDS.
        """
        self.check(card)
        digits = normalise_number(card.number)
        decline_code = _DECLINES.get(digits)
        if decline_code is not None:
            logger.info(
                "test card declined: %s, order %s",
                decline_code,
                charge.order_number,
            )
            raise PaymentDeclinedError(decline_code, DECLINE_MESSAGES[decline_code])

        with self._lock:
            known = self._charges.get(charge.idempotency_key)
            if known is not None:
                return known
            outcome = PaymentOutcome(
                paid=True,
                reference=f"tc_{uuid.uuid4().hex}",
                card_brand=card_brand(digits),
                card_last4=digits[-4:],
            )
            self._charges[charge.idempotency_key] = outcome
            while len(self._charges) > REMEMBERED_CHARGES:
                self._charges.popitem(last=False)
            self.charge_count += 1
        logger.info(
            "test card charged %s %s for order %s, reference %s",
            charge.amount,
            charge.currency,
            charge.order_number,
            outcome.reference,
        )
        return outcome

    def void(self, outcome: PaymentOutcome) -> None:
        """Forget a charge whose order was not saved, so a retry charges afresh."""
        with self._lock:
            for key, known in list(self._charges.items()):
                if known.reference == outcome.reference:
                    del self._charges[key]
                    self.charge_count -= 1
        logger.info("test card charge %s voided", outcome.reference)

    def refund(self, reference: str, amount: Decimal, currency: str) -> None:
        """Record the refund of a charge; a repeat for one reference does nothing."""
        with self._lock:
            if reference in self._refunded:
                return
            self._refunded.add(reference)
        logger.info(
            "test card refunded %s %s, reference %s", amount, currency, reference
        )
