"""Errors of the accounts area; the API and the pages turn them into messages."""

from __future__ import annotations

from sky_readers.core.errors import SkyReadersError

# One message for an unknown account and a wrong password, so neither is revealed.
INVALID_CREDENTIALS_MESSAGE = (
    "The email or user name and password do not match an account. "
    "Check both and try again, or reset your password."
)


class AuthenticationError(SkyReadersError, PermissionError):
    """Raised when credentials, a token or a session do not identify an active user."""


class LoginThrottledError(SkyReadersError):
    """Raised when too many failed logins require the caller to wait."""

    def __init__(self, retry_after_seconds: int) -> None:
        """Build the message from the wait.

        Args:
            retry_after_seconds: Seconds until the next attempt is allowed (at least 1).

        """
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        super().__init__(
            "Too many failed logins. "
            f"Wait {describe_wait(self.retry_after_seconds)} and try again, "
            "or reset your password."
        )


class SignupConflictError(SkyReadersError):
    """Raised when a simultaneous sign-up took the same address or handle first."""

    def __init__(self) -> None:
        """Build the message that requests a second try."""
        super().__init__(
            "Another sign-up with the same details was saved at the same moment. "
            "Send the form again."
        )


class EmailNotConfirmedError(SkyReadersError, PermissionError):
    """Raised when an action, such as placing an order, needs a confirmed address."""

    def __init__(self) -> None:
        """Build the message that explains how to confirm."""
        super().__init__(
            "Confirm your email address before placing an order: open the link we "
            "sent you, or ask for a new one on your account page."
        )


def describe_wait(seconds: int) -> str:
    """Describe a wait in words, rounded up to whole minutes past one minute."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
