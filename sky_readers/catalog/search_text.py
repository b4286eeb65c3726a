"""Text normalisation shared by the search index and the search queries.

Both databases index the output of these functions, and queries pass through the same
functions, so "Brontë", "BRONTE" and "bronte" are one term everywhere.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_EXTRA_FOLDS = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
    }
)
# A term is a run of letters or digits in any script; "_" separates terms.
_TERM = re.compile(r"[^\W_]+")
_WHITESPACE = re.compile(r"\s+")
# Control characters are dropped from queries and never reach the database.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fold(text: str) -> str:
    """Case-fold a text and remove its accents, keeping punctuation and spacing.

    "Brontë" becomes "bronte", "Straße" "strasse" and "Ørsted" "orsted"; letters of
    scripts without accents (Cyrillic, Japanese) are only case-folded.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.translate(_EXTRA_FOLDS))


def terms(text: str) -> list[str]:
    """Split a text into folded search terms, in order, repeats kept."""
    return _TERM.findall(fold(text))


def term_text(text: str) -> str:
    """Join the folded terms of a text with single spaces, as the index stores them."""
    return " ".join(terms(text))


def phrase(text: str) -> str:
    """Fold a text and collapse its whitespace, for literal substring matching."""
    return _WHITESPACE.sub(" ", fold(_CONTROL.sub(" ", text))).strip()


def has_symbols(text: str) -> bool:
    """Tell whether a text has characters besides letters, digits and spaces."""
    return any(not (char.isalnum() or char.isspace()) for char in text)


def escape_like(text: str) -> str:
    r"""Escape the LIKE wildcards "%" and "_" and the escape character "\" itself.

    Use the result with `ESCAPE '\'` so every character matches only itself.
    """
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
