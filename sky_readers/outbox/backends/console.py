"""Development backend: write each mail to the log and to a folder of .eml files."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from sky_readers.core.settings import Settings
from sky_readers.core.types import utcnow
from sky_readers.outbox.backends.base import OutgoingEmail
from sky_readers.outbox.errors import TransientDeliveryError

logger = logging.getLogger(__name__)

_LINK = re.compile(r"https?://[^\s<>\"')]+")


class ConsoleBackend:
    """Deliver mail to the log and to one .eml file per mail in a folder.

    The log shows each mail's links, which may carry confirmation or reset tokens, so
    links are logged only outside production.
    """

    name = "console"

    def __init__(self, folder: Path, *, log_links: bool = True) -> None:
        """Remember the folder, created on the first mail.

        Args:
            folder: Where the .eml files go.
            log_links: Whether the log lines list the mail's links.
        """
        self.folder = folder
        self.log_links = log_links

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsoleBackend:
        """Build the backend on EMAIL_FILE_DIR."""
        return cls(Path(settings.email_file_dir), log_links=not settings.is_production)

    def send(self, mail: OutgoingEmail) -> str:
        """Write the mail as an .eml file and log its recipient, subject and links.

        Returns:
            The path of the .eml file.

        Raises:
            TransientDeliveryError: The folder cannot be written.
        """
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{mail.outbox_id}-{mail.operation_id}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, bytes(mail.to_mime()))
        except OSError as exc:
            msg = f"cannot write {path}: {exc.strerror or exc}; check EMAIL_FILE_DIR"
            raise TransientDeliveryError(msg) from exc

        links = list(dict.fromkeys(_LINK.findall(mail.text_body)))
        if self.log_links:
            logger.info(
                "Mail %s to %s: %r, links: %s, file: %s",
                mail.outbox_id,
                mail.to_address,
                mail.subject,
                " ".join(links) or "none",
                path,
                extra={"outbox_id": mail.outbox_id},
            )
        else:
            logger.info(
                "Mail %s to %s: %r, %d links, file: %s",
                mail.outbox_id,
                mail.to_address,
                mail.subject,
                len(links),
                path,
                extra={"outbox_id": mail.outbox_id},
            )
        return str(path)

    def close(self) -> None:
        """Hold nothing open, so do nothing."""


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader of the folder never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
