"""Pay on delivery: nothing is charged online; the courier collects the money."""

from __future__ import annotations

from decimal import Decimal

from sky_readers.core.errors import ValidationError
from sky_readers.orders.payments.base import (
    CardDetails,
    Charge,
    PaymentMethod,
    PaymentOutcome,
)


class PayOnDeliveryGateway:
    """A gateway that accepts every order and leaves it waiting for payment."""

    method = PaymentMethod.PAY_ON_DELIVERY
    label = "Pay on delivery"

    def check(self, card: CardDetails | None) -> None:
        """Reject card fields, which would suggest the shopper meant to pay by card."""
        if card is not None and (card.number or card.cvc):
            raise ValidationError(
                {
                    "payment_method": "Card fields were sent with pay_on_delivery: "
                    "choose test_card to pay by card, or leave the card fields out."
                }
            )

    def charge(self, charge: Charge, card: CardDetails | None) -> PaymentOutcome:
        """Promise payment at the door; the order stays pending payment."""
        return PaymentOutcome(paid=False, reference=f"cod-{charge.order_number}")

    def void(self, outcome: PaymentOutcome) -> None:
        """Nothing was taken, so there is nothing to release."""

    def refund(self, reference: str, amount: Decimal, currency: str) -> None:
        """Money collected at the door goes back outside the store; nothing to call."""
