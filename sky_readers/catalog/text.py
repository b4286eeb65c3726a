"""Text helpers for catalog data: whitespace clean-up, slugs and name keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from slugify import slugify as _slugify

_WHITESPACE = re.compile(r"\s+")
# Anything that is neither a letter nor a digit in any script separates name words.
_NON_WORD = re.compile(r"[\W_]+")


def clean_spaces(text: str) -> str:
    """Strip the ends of a text and collapse every run of whitespace to one space."""
    return _WHITESPACE.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    """Remove combining marks, so "Brontë" becomes "Bronte" and "Shōgun" "Shogun"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_key(name: str) -> str:
    """Build the key that identifies a person or a name whatever its spelling.

    The key is case-folded and accent-free, and punctuation counts as a space, so
    "J.K. Rowling", "J. K. Rowling" and "j k rowling" share the key "j k rowling".
    Letters of other scripts (Arabic, Japanese) are kept as they are.
    """
    folded = strip_accents(name).casefold()
    return clean_spaces(_NON_WORD.sub(" ", folded))


def slugify(text: str, max_length: int = 0) -> str:
    """Turn a text into a lower-case ASCII slug of words joined by hyphens.

    Non-Latin text is transliterated ("Достоевский" becomes "dostoevskii").

    Args:
        text: Text to convert.
        max_length: Maximum slug length, cut at a word boundary; 0 means no limit.

    Returns:
        The slug, which is empty when the text has no letters or digits at all.
    """
    return _slugify(text, max_length=max_length, word_boundary=max_length > 0)


def unique_slug(
    text: str, taken: Collection[str], fallback: str, max_length: int = 300
) -> str:
    """Return a slug of the text that is not in `taken`, adding "-2", "-3" as needed.

    Args:
        text: Text to build the slug from.
        taken: Slugs already in use; the caller adds the result to it.
        fallback: Slug base used when the text gives an empty slug.
        max_length: Maximum length of the result, suffix included.

    Returns:
        A slug that is not in `taken`.
    """
    base = slugify(text, max_length=max_length - 8) or fallback
    candidate = base
    number = 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate
