"""Payment gateways of checkout: pay on delivery and the test card gateway.

Checkout looks a gateway up by method name with `get_gateway`; tests may swap one in
with `use_gateway`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sky_readers.core.errors import ValidationError
from sky_readers.orders.payments.base import (
    CardDetails,
    Charge,
    PaymentDeclinedError,
    PaymentGateway,
    PaymentMethod,
    PaymentOutcome,
)
from sky_readers.orders.payments.pay_on_delivery import PayOnDeliveryGateway
from sky_readers.orders.payments.test_card import TestCardGateway

__all__ = [
    "CardDetails",
    "Charge",
    "PaymentDeclinedError",
    "PaymentGateway",
    "PaymentMethod",
    "PaymentOutcome",
    "get_gateway",
    "use_gateway",
]

_gateways: dict[str, PaymentGateway] = {
    PaymentMethod.PAY_ON_DELIVERY.value: PayOnDeliveryGateway(),
    PaymentMethod.TEST_CARD.value: TestCardGateway(),
}


def get_gateway(method: str | None) -> PaymentGateway:
    """Return the gateway of a payment method name.

    Raises:
        ValidationError: Under "payment_method", for an unknown or missing name.
    """
    gateway = _gateways.get(method or "")
    if gateway is None:
        names = " or ".join(sorted(_gateways))
        raise ValidationError(
            {"payment_method": f"{method!r} is not a payment method: use {names}."}
        )
    return gateway


@contextlib.contextmanager
def use_gateway(gateway: PaymentGateway) -> Iterator[PaymentGateway]:
    """Replace the gateway of `gateway.method` for the duration of a block.

    Yields:
        The gateway now in use.
    """
    name = PaymentMethod(gateway.method).value
    previous = _gateways[name]
    _gateways[name] = gateway
    try:
        yield gateway
    finally:
        _gateways[name] = previous
