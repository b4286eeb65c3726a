"""Cover paths, and placeholder covers: an SVG with the title and author on a colour.

The data set's cover links point to a host the store cannot reach, so every book
without an uploaded image gets one of these. The same book always gets the same
colours, and the URL carries a hash of the printed text so browsers may cache the
image for a year and still see a renamed title.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Sequence
from xml.sax.saxutils import escape

# Cover size in SVG user units; pages show it at the same 2:3 ratio.
COVER_WIDTH = 200
COVER_HEIGHT = 300

# Background and ornament colour pairs, dark enough for light text (contrast above
# 4.5:1 against the cream text colour).
PALETTE: tuple[tuple[str, str], ...] = (
    ("#7b2d26", "#e9b872"),
    ("#1f4e5f", "#9fd3c7"),
    ("#2f4b26", "#c8d96f"),
    ("#3b3561", "#c3b1e1"),
    ("#5c3d2e", "#e0a96d"),
    ("#233d4d", "#fe7f2d"),
    ("#6d2e46", "#f2c6b4"),
    ("#264653", "#e9c46a"),
    ("#4a4e69", "#f2e9e4"),
    ("#5f0f40", "#fb8b24"),
    ("#134074", "#eef4ed"),
    ("#3d405b", "#f4a261"),
)
TEXT_COLOUR = "#fdf6e3"

# Characters that XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Escape text for an SVG text node or attribute."""
    cleaned = _XML_INVALID.sub("", text)
    return escape(cleaned, {'"': "&quot;", "'": "&apos;"})


def _digest(book_id: int, title: str) -> bytes:
    return hashlib.sha256(f"{book_id}:{title}".encode()).digest()


def cover_version(title: str, authors: Sequence[str]) -> str:
    """Hash the text printed on a placeholder, for the cache-busting URL parameter."""
    text = title + "\n" + "\n".join(authors)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


# Sizes of an uploaded cover: "large" for the book page, "thumb" for cards and lists.
COVER_SIZES = ("large", "thumb")
# Path under which the backend serves stored cover images (see api/routes/covers.py).
STORED_COVER_PREFIX = "/api/covers/files/"


def cover_object_name(key: str, size: str) -> str:
    """Name the stored object of one size of an uploaded cover.

    Args:
        key: The cover's key, the hex SHA-256 of its large image.
        size: "large" or "thumb".

    Raises:
        ValueError: The size is unknown.
    """
    if size not in COVER_SIZES:
        msg = f"unknown cover size {size!r}: use {' or '.join(COVER_SIZES)}"
        raise ValueError(msg)
    return f"books/{key}-{size}.webp"


def cover_path(
    book_id: int,
    cover_image: str | None,
    title: str,
    authors: Sequence[str],
    size: str = "thumb",
) -> str:
    """Build the backend path of a book's cover image.

    Args:
        book_id: Book id.
        cover_image: Key of an uploaded cover, or None for the placeholder.
        title: Book title, printed on the placeholder.
        authors: Author names in credited order.
        size: Size of an uploaded cover: "thumb" for cards, "large" for the book page.

    Returns:
        A path starting with "/api/covers/". An uploaded cover's path names its
        content, so it changes whenever the cover does.
    """
    if cover_image:
        return STORED_COVER_PREFIX + cover_object_name(cover_image, size)
    return f"/api/covers/{book_id}.svg?v={cover_version(title, authors)}"


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return lines


def _title_layout(title: str) -> tuple[list[str], int]:
    """Wrap the title and pick a font size so it fits the upper part of the cover."""
    for width, size, max_lines in ((12, 24, 3), (15, 20, 4), (18, 17, 6)):
        lines = textwrap.wrap(title, width=width, break_long_words=True)
        if len(lines) <= max_lines:
            return lines or [""], size
    return _wrap(title, 18, 6), 17


def _text_block(lines: list[str], *, x: int, y: int, size: int, style: str) -> str:
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else round(size * 1.2)}">{_xml_text(line)}'
        "</tspan>"
        for i, line in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}" font-size="{size}" {style}>{spans}</text>'


def render_cover_svg(book_id: int, title: str, authors: Sequence[str]) -> str:
    """Draw the placeholder cover of a book.

    Args:
        book_id: Book id; with the title it picks the colours.
        title: Title to print; wrapped and cut with an ellipsis past six lines.
        authors: Author names; the first two are printed.

    Returns:
        A standalone SVG document whose text is XML-escaped.
    """
    digest = _digest(book_id, title)
    background, ornament = PALETTE[digest[0] % len(PALETTE)]
    pattern = digest[1] % 3

    title_lines, title_size = _title_layout(title.strip() or "Untitled")
    names = list(authors[:2]) + (["et al."] if len(authors) > 2 else [])
    author_lines = _wrap(", ".join(names) or "Unknown author", 24, 2)

    centre = COVER_WIDTH // 2
    serif = (
        'font-family="Georgia, \'Times New Roman\', serif" font-weight="bold" '
        f'fill="{TEXT_COLOUR}" text-anchor="middle"'
    )
    sans = (
        'font-family="\'Helvetica Neue\', Arial, sans-serif" letter-spacing="1" '
        f'fill="{ornament}" text-anchor="middle"'
    )
    title_block = _text_block(
        title_lines, x=centre, y=70 + title_size, size=title_size, style=serif
    )
    author_block = _text_block(author_lines, x=centre, y=238, size=12, style=sans)

    if pattern == 0:
        decoration = (
            f'<rect x="12" y="12" width="176" height="276" fill="none" '
            f'stroke="{ornament}" stroke-opacity="0.7" stroke-width="1.5"/>'
        )
    elif pattern == 1:
        decoration = (
            f'<rect x="0" y="0" width="200" height="44" fill="{ornament}" '
            'fill-opacity="0.22"/>'
            f'<rect x="0" y="256" width="200" height="44" fill="{ornament}" '
            'fill-opacity="0.22"/>'
        )
    else:
        decoration = (
            f'<circle cx="100" cy="-40" r="120" fill="{ornament}" fill-opacity="0.16"/>'
        )

    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {COVER_WIDTH} {COVER_HEIGHT}" '
        f'width="{COVER_WIDTH}" height="{COVER_HEIGHT}" role="img" '
        f'aria-label="{_xml_text(title)}">'
        f"<title>{_xml_text(title)}</title>"
        f'<rect width="{COVER_WIDTH}" height="{COVER_HEIGHT}" fill="{background}"/>'
        f"{decoration}"
        f'<rect x="0" y="0" width="8" height="{COVER_HEIGHT}" fill="#000" '
        'fill-opacity="0.18"/>'
        f"{title_block}"
        f'<line x1="80" y1="214" x2="120" y2="214" stroke="{ornament}" '
        'stroke-width="2"/>'
        f"{author_block}"
        "</svg>"
    )
