"""SMTP backend: one connection per mail, with optional STARTTLS or implicit TLS."""

from __future__ import annotations

import logging
import smtplib
import ssl

from sky_readers.core.settings import Settings
from sky_readers.outbox.backends.base import OutgoingEmail
from sky_readers.outbox.errors import (
    EmailConfigurationError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

logger = logging.getLogger(__name__)


class SmtpBackend:
    """Deliver mail to an SMTP server (a relay, MailDev, or a test sink)."""

    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str = "none",
        username: str = "",
        password: str = "",
        ca_file: str = "",
        timeout: float = 30.0,
    ) -> None:
        """Keep the server's address and login; nothing connects yet.

        Args:
            host: Server name or address.
            port: Server port.
            security: "none", "starttls" or "ssl" (TLS from the first byte).
            username: Login name; no login when empty.
            password: Login password.
            ca_file: PEM file of the authority to trust; the system's when empty.
            timeout: Seconds to wait for the server to connect or answer.

        Raises:
            EmailConfigurationError: `security` is unknown, or a login is set
                without TLS.
        """
        if security not in ("none", "starttls", "ssl"):
            msg = f"SMTP_SECURITY must be none, starttls or ssl, not {security!r}"
            raise EmailConfigurationError(msg)
        if username and security == "none":
            msg = (
                "SMTP_USERNAME is set but SMTP_SECURITY is none, which would send the "
                "password in clear text: set SMTP_SECURITY to starttls or ssl"
            )
            raise EmailConfigurationError(msg)
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.ca_file = ca_file
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpBackend:
        """Build the backend from the SMTP_* settings."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            ca_file=settings.smtp_ca_file,
            timeout=settings.smtp_timeout_seconds,
        )

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout,
                context=self._tls_context(),
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                client.starttls(context=self._tls_context())
            if self.username:
                client.login(self.username, self._password)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, mail: OutgoingEmail) -> str:
        """Send the mail over one SMTP connection.

        Returns:
            The mail's Message-ID.

        Raises:
            PermanentDeliveryError: The server rejected the recipient or the mail
                with a 5xx reply.
            TransientDeliveryError: No connection, a timeout, TLS or login failure,
                or a 4xx reply.
        """
        target = f"{self.host}:{self.port}"
        try:
            client = self._connect()
            try:
                client.send_message(mail.to_mime())
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _reply_error(target, "refused the recipient", code, reply) from exc
        except smtplib.SMTPAuthenticationError as exc:
            # A wrong login is a settings problem, which a later attempt may not have.
            msg = (
                f"SMTP server {target} rejected the login of SMTP_USERNAME: "
                f"{exc.smtp_code} {_text(exc.smtp_error)}"
            )
            raise TransientDeliveryError(msg) from exc
        except smtplib.SMTPResponseException as exc:
            raise _reply_error(
                target, "rejected the mail", exc.smtp_code, exc.smtp_error
            ) from exc
        except ssl.SSLError as exc:
            msg = f"TLS with SMTP server {target} failed: {exc}; check SMTP_CA_FILE"
            raise TransientDeliveryError(msg) from exc
        except TimeoutError as exc:
            msg = f"SMTP server {target} timed out after {self.timeout:g} s"
            raise TransientDeliveryError(msg) from exc
        except (smtplib.SMTPException, OSError) as exc:
            msg = f"cannot deliver to SMTP server {target}: {exc}"
            raise TransientDeliveryError(msg) from exc
        return mail.message_id

    def close(self) -> None:
        """Hold no connection between mails, so do nothing."""


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _reply_error(target: str, action: str, code: int, reply: bytes | str):
    msg = f"SMTP server {target} {action}: {code} {_text(reply)}"
    if 500 <= code < 600:
        return PermanentDeliveryError(msg)
    return TransientDeliveryError(msg)
