"""Messages by field name carried in a redirect URL, signed so no link can forge them.

A form that posts to an HTTP endpoint gets a 303 back to the form page when a field
is wrong. The page shows the endpoint's messages beside the fields only when their
HMAC-SHA256 under SECRET_KEY matches and they are less than ten minutes old, so a
crafted link cannot put text of its own on the store's pages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

from sky_readers.core.settings import get_settings

# Separates these signatures from every other use of SECRET_KEY.
SIGNING_CONTEXT = b"sky-readers:field-messages:v1"
MAX_AGE_SECONDS = 600
# Longest signed value read back; a redirect URL stays well under browser limits.
MAX_SIGNED_LENGTH = 4000


def _signature(body: bytes) -> str:
    key = get_settings().secret_key.encode("utf-8")
    digest = hmac.new(key, SIGNING_CONTEXT + b"." + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_messages(messages: dict[str, str], *, now: float | None = None) -> str:
    """Encode messages by field name and sign them, for a query parameter.

    Returns:
        A URL-safe text of the form "<base64 JSON>.<base64 signature>".

    """
    issued = int(time.time() if now is None else now)
    payload = json.dumps(
        {"issued": issued, "messages": messages},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    body = base64.urlsafe_b64encode(payload).rstrip(b"=")
    return f"{body.decode('ascii')}.{_signature(body)}"


def read_messages(signed: str | None, *, now: float | None = None) -> dict[str, str]:
    """Decode signed messages, or return {} when they are forged, stale or malformed."""
    if not signed or len(signed) > MAX_SIGNED_LENGTH or "." not in signed:
        return {}
    body_text, _, signature = signed.partition(".")
    body = body_text.encode("ascii", errors="replace")
    expected = _signature(body).encode("ascii")
    if not hmac.compare_digest(expected, signature.encode("utf-8")):
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        issued = int(payload["issued"])
        messages = payload["messages"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return {}
    age = (time.time() if now is None else now) - issued
    if not 0 <= age <= MAX_AGE_SECONDS or not isinstance(messages, dict):
        return {}
    return {
        str(field): message
        for field, message in messages.items()
        if isinstance(message, str)
    }
