"""The payment gateway interface that checkout calls, and what it exchanges."""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal
from typing import Protocol

from sky_readers.core.errors import SkyReadersError


class PaymentMethod(enum.StrEnum):
    """Payment methods a shopper can choose at checkout."""

    PAY_ON_DELIVERY = "pay_on_delivery"
    TEST_CARD = "test_card"


@dataclasses.dataclass(frozen=True)
class CardDetails:
    """Card fields as the shopper typed them. They are never stored or logged.

    The number and the security code are left out of `repr`, so an accidental log
    line or traceback cannot show them.
    """

    number: str = dataclasses.field(default="", repr=False)
    # "MM/YY" or "MM/YYYY".
    expiry: str = ""
    cvc: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True)
class Charge:
    """Request to a gateway to take the money of one order."""

    amount: Decimal
    currency: str
    order_number: str
    # The checkout's idempotency key: a gateway returns the first result on a repeat.
    idempotency_key: str


@dataclasses.dataclass(frozen=True)
class PaymentOutcome:
    """A gateway's answer to an accepted charge."""

    # True when the money is taken now; False when it is collected later.
    paid: bool
    # The gateway's id of the charge, kept on the order's payment row.
    reference: str
    card_brand: str = ""
    card_last4: str = ""


class PaymentDeclinedError(SkyReadersError):
    """Raised when a gateway declines a charge; nothing was taken."""

    def __init__(self, code: str, message: str) -> None:
        """Store the decline code and the message for the shopper.

        Args:
            code: Short reason, such as "insufficient_funds".
            message: What happened and what the shopper can do.
        """
        self.code = code
        super().__init__(message)


class PaymentGateway(Protocol):
    """One way to pay. Checkout calls `check`, then `charge` inside its transaction.

    `charge` runs after the stock is taken and before the transaction commits, so a
    decline rolls everything back. When the commit then fails, checkout calls
    `void` with the outcome, so no money stays taken for an order that does not
    exist.
    """

    method: PaymentMethod
    # Name shown to shoppers, such as "Pay on delivery".
    label: str

    def check(self, card: CardDetails | None) -> None:
        """Validate the shopper's input before any stock is taken.

        Raises:
            ValidationError: A field is missing or malformed; keys are the body's
                field names (card_number, card_expiry, card_cvc).
        """

    def charge(self, charge: Charge, card: CardDetails | None) -> PaymentOutcome:
        """Take or promise the money for an order.

        Raises:
            PaymentDeclinedError: The charge was declined; nothing was taken.
        """

    def void(self, outcome: PaymentOutcome) -> None:
        """Release a charge whose order was not saved."""

    def refund(self, reference: str, amount: Decimal, currency: str) -> None:
        """Return the money of a paid order; a repeat for one reference does nothing."""
