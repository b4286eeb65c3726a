"""Errors of mail delivery, split by whether a later attempt may succeed."""

from __future__ import annotations

from sky_readers.core.errors import SkyReadersError


class DeliveryError(SkyReadersError):
    """Raised by a backend when a mail was not delivered.

    Attributes:
        retry_after: Seconds the provider asked to wait before the next attempt.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        """Store the provider's error text and its requested wait.

        Args:
            message: What failed, including the provider's status and error code.
            retry_after: Seconds from the provider's Retry-After header, if any.
        """
        super().__init__(message)
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """Raised when a later attempt may succeed: throttling, 5xx, timeout, no answer."""


class PermanentDeliveryError(DeliveryError):
    """Raised when no retry can succeed: invalid address, or a 4xx other than 429."""


class EmailConfigurationError(SkyReadersError, ValueError):
    """Raised when the settings of the chosen EMAIL_BACKEND are missing or invalid."""
