"""The interface every mail backend implements, and the mail it is given."""

from __future__ import annotations

import dataclasses
import email.utils
from email.message import EmailMessage
from typing import Protocol


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutgoingEmail:
    """A mail ready for a backend: rendered parts plus the ids that track it."""

    outbox_id: int
    # Stable per outbox row, so every resend of the row carries the same id.
    operation_id: str
    # 1 for the first attempt at the row; more means an earlier attempt may have
    # reached the provider.
    attempt_number: int = 1
    sender_address: str
    sender_name: str
    to_address: str
    subject: str
    text_body: str
    html_body: str

    @property
    def message_id(self) -> str:
        """RFC 5322 Message-ID derived from the operation id, equal on every resend."""
        domain = self.sender_address.rpartition("@")[2] or "localhost"
        return f"<{self.operation_id}@{domain}>"

    def to_mime(self) -> EmailMessage:
        """Build the multipart/alternative MIME message with text and HTML parts."""
        message = EmailMessage()
        message["From"] = email.utils.formataddr(
            (self.sender_name, self.sender_address)
        )
        message["To"] = self.to_address
        message["Subject"] = self.subject
        message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = self.message_id
        message.set_content(self.text_body)
        message.add_alternative(self.html_body, subtype="html")
        return message


class EmailBackend(Protocol):
    """Something that delivers one mail per call to `send`."""

    # Short name stored with each attempt: "console", "smtp" or "acs".
    name: str

    def send(self, mail: OutgoingEmail) -> str:
        """Deliver one mail.

        Args:
            mail: The mail to deliver.

        Returns:
            The provider's id for the delivered mail.

        Raises:
            TransientDeliveryError: A later attempt may succeed.
            PermanentDeliveryError: No attempt can succeed.
        """
        ...

    def close(self) -> None:
        """Release connections the backend holds."""
        ...
