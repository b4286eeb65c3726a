"""Row ids: the range of every table's integer primary key, and reading one from text.

Ids are INTEGER columns, so no row has an id above 2**31 - 1. A larger number from a
URL or a request body names no row; SQLite cannot even bind one above 2**63 - 1, so
callers check the range before they query.
"""

from __future__ import annotations

from typing import Any

# The largest id a row can have: INTEGER is a signed 32-bit column on PostgreSQL.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: Any) -> bool:
    """Return whether `value` is an int that a row could have as its id."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 1 <= value <= MAX_ROW_ID
    )


def parse_row_id(text: str | None) -> int | None:
    """Return the id written in `text` (ASCII digits only), or None when it contains no id a row can have."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if is_row_id(value) else None
