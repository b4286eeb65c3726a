"""Logging set-up: readable lines in development, JSON lines in production.

Each HTTP request gets an id (see `sky_readers.api.middleware`), kept in a context
variable for the time the request runs, so every line logged while serving it carries
the id and the lines of one request can be found together.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys

from sky_readers.core.settings import get_settings

# Id of the HTTP request being served, or "-" outside a request.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)

# Attributes that log calls pass with `extra=` and that JSON lines carry as fields.
EXTRA_FIELDS = (
    "order_id",
    "outbox_id",
    "user_id",
    "book_id",
    "isbn",
    "method",
    "path",
    "status",
    "duration_ms",
)


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being served as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the attribute and keep the record."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record with its level, logger, message and extra ids."""
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            # Several server processes write to one stream; the id tells them apart.
            "pid": record.process,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key in EXTRA_FIELDS:
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """Send the store's logs out in the format of the environment.

    Production writes JSON lines to standard output, where App Service collects them.
    Development writes readable lines to standard error, so that commands can print
    their results to standard output.
    """
    settings = get_settings()
    if settings.is_production:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("sky_readers")
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    root.propagate = False
