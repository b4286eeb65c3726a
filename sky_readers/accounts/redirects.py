"""Check `next` targets after login, so a link cannot send the user to another site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

DEFAULT_AFTER_LOGIN = "/account"
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, default: str = DEFAULT_AFTER_LOGIN) -> str:
    r"""Return `target` if it is a path on this site, else `default`.

    Accepted: a path such as "/cart?step=2" that starts with one "/". Rejected:
    anything with a scheme or host ("https://host", "//host"), a backslash, which
    browsers read as "/" ("/\host"), control characters, and the same tricks hidden
    by percent-encoding ("/%2F%2Fhost", "%2F%5Chost"), however often encoded.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return default
    decoded = target
    for _ in range(4):
        if not _is_local_path(decoded):
            return default
        once_more = unquote(decoded)
        if once_more == decoded:
            return target
        decoded = once_more
    # Still changing after four rounds of decoding: nothing legitimate looks so.
    return default


def _is_local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
