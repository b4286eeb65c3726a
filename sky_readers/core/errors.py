"""Base errors of the store; the API and the pages turn them into messages."""

from __future__ import annotations


class SkyReadersError(Exception):
    """Base class of every error the store raises on purpose."""


class NotFoundError(SkyReadersError, LookupError):
    """Raised when a requested record does not exist."""


class ValidationError(SkyReadersError, ValueError):
    """Raised when input fails a rule; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        """Store the field messages and build a one-line summary.

        Args:
            errors: Message per field name.
        """
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
