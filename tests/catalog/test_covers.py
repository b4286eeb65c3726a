"""Tests of the placeholder cover drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sky_readers.catalog.covers import PALETTE, cover_path, render_cover_svg

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}tspan")]


def test_render_cover_is_deterministic():
    """Test that the same book always gets the same cover."""
    first = render_cover_svg(7, "Dune", ["Frank Herbert"])
    second = render_cover_svg(7, "Dune", ["Frank Herbert"])

    assert first == second


def test_render_cover_colours_vary_between_books():
    """Test that different books get more than one background colour."""
    backgrounds = set()
    for book_id in range(1, 40):
        root = ET.fromstring(render_cover_svg(book_id, f"Title {book_id}", ["A"]))
        backgrounds.add(root.findall(f"{SVG}rect")[0].get("fill"))

    assert len(backgrounds) > 5
    assert backgrounds <= {background for background, _ in PALETTE}


def test_render_cover_prints_title_and_authors():
    """Test that the title and the first two authors appear on the cover."""
    svg = render_cover_svg(3, "Good Omens", ["Terry Pratchett", "Neil Gaiman", "X"])

    lines = _texts(svg)
    assert "Good Omens" in " ".join(lines)
    assert "Terry Pratchett, Neil Gaiman, et al." in " ".join(lines)


def test_render_cover_wraps_and_cuts_long_titles():
    """Test that a long title wraps into at most six lines ending in an ellipsis."""
    title = " ".join(["Remarkable"] * 40)

    root = ET.fromstring(render_cover_svg(1, title, ["Author"]))
    title_lines = [
        "".join(t.itertext()) for t in root.findall(f"{SVG}text")[0].iter(f"{SVG}tspan")
    ]

    assert len(title_lines) == 6
    assert title_lines[-1].endswith("…")
    assert all(len(line) <= 18 for line in title_lines)


def test_render_cover_escapes_markup_and_drops_control_characters():
    """Test that markup is escaped and XML-invalid characters are removed."""
    svg = render_cover_svg(1, "A <b>bold</b> \"quote\" & 'more'\x00\x07", ["<i>x</i>"])

    root = ET.fromstring(svg)
    assert "<b>" not in svg
    assert "\x00" not in svg
    assert root.find(f"{SVG}title").text == "A <b>bold</b> \"quote\" & 'more'"
    assert root.get("aria-label") == "A <b>bold</b> \"quote\" & 'more'"


def test_render_cover_without_authors_or_title():
    """Test that a book with no authors and a blank title still gets a cover."""
    lines = _texts(render_cover_svg(1, "  ", []))

    assert "Untitled" in lines
    assert "Unknown author" in lines


def test_cover_path_changes_with_printed_text():
    """Test that the cover URL changes when the title or authors change."""
    original = cover_path(5, None, "Dune", ["Frank Herbert"])

    assert original.startswith("/api/covers/5.svg?v=")
    assert cover_path(5, None, "Dune", ["Frank Herbert"]) == original
    assert cover_path(5, None, "Dune Messiah", ["Frank Herbert"]) != original
    assert cover_path(5, None, "Dune", ["F. Herbert"]) != original
