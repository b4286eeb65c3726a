"""Unicode rules shared by the fields that shoppers type and others read."""

from __future__ import annotations

# The embedding, override and isolate controls of the Unicode bidirectional
# algorithm (U+202A to U+202E, U+2066 to U+2069). One of them in a name or a review
# shows the rest of the page's line reversed or reordered, so text can pose as other
# text. The marks U+200E and U+200F only set a direction and stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
