"""Clean and check the fields of a review before they are stored."""

from __future__ import annotations

import re
import unicodedata

from sky_readers.core.errors import ValidationError
from sky_readers.core.text import BIDI_CONTROLS
from sky_readers.reviews.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

_SPACES = re.compile(r"\s+")
# Three or more line breaks in a row become one blank line.
_BLANK_LINES = re.compile(r"\n{3,}")


def _without_control_characters(text: str, keep: str) -> str:
    # PostgreSQL rejects NUL in text, and other control characters only garble pages.
    # Bidirectional controls would reverse how the review reads.
    return "".join(
        char
        for char in text
        if char in keep
        or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    )


def clean_title(raw: str | None) -> str:
    """Make a title one line: control characters dropped, spaces collapsed."""
    text = _SPACES.sub(" ", raw or "")
    return _without_control_characters(text, keep="").strip()


def clean_body(raw: str | None) -> str:
    """Tidy review text: one newline style, no control characters, trimmed ends."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _without_control_characters(text, keep="\n\t")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def check_rating(rating: object) -> int:
    """Check a star rating: a whole number from 1 to 5.

    Raises:
        ValidationError: The rating is missing, not a whole number, or out of range.
    """
    if rating is None:
        raise ValidationError({"rating": "missing: choose from 1 to 5 stars"})
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(
            {"rating": f"{rating!r} is not a rating: choose from 1 to 5 stars"}
        )
    return rating


def clean_review_fields(
    rating: object, title: str | None, body: str | None
) -> tuple[int, str, str]:
    """Clean a review's fields and check every rule at once.

    Returns:
        The rating, title and text to store.

    Raises:
        ValidationError: One message per invalid field.
    """
    errors: dict[str, str] = {}
    try:
        rating = check_rating(rating)
    except ValidationError as exc:
        errors.update(exc.errors)
    clean_head = clean_title(title)
    clean_text = clean_body(body)
    if len(clean_head) > TITLE_MAX_LENGTH:
        errors["title"] = (
            f"is {len(clean_head)} characters long: shorten it to "
            f"{TITLE_MAX_LENGTH} or fewer"
        )
    if len(clean_text) > BODY_MAX_LENGTH:
        errors["body"] = (
            f"is {len(clean_text)} characters long: shorten it to "
            f"{BODY_MAX_LENGTH:,} or fewer"
        )
    if errors:
        raise ValidationError(errors)
    return rating, clean_head, clean_text
