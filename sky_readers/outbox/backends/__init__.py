"""Mail backends, one per file behind one interface, chosen by EMAIL_BACKEND."""

from __future__ import annotations

from sky_readers.core.settings import Settings, get_settings
from sky_readers.outbox.backends.base import EmailBackend, OutgoingEmail

__all__ = ["EmailBackend", "OutgoingEmail", "create_backend"]


def create_backend(settings: Settings | None = None) -> EmailBackend:
    """Build the backend that EMAIL_BACKEND names, checking its settings.

    Args:
        settings: Settings to read; the configured ones by default.

    Returns:
        A ready backend.

    Raises:
        EmailConfigurationError: The chosen backend's settings are missing or invalid.
    """
    settings = settings or get_settings()
    if settings.email_backend == "smtp":
        from sky_readers.outbox.backends.smtp import SmtpBackend

        return SmtpBackend.from_settings(settings)
    if settings.email_backend == "acs":
        from sky_readers.outbox.backends.acs import AcsBackend

        return AcsBackend.from_settings(settings)
    from sky_readers.outbox.backends.console import ConsoleBackend

    return ConsoleBackend.from_settings(settings)
