"""Tests of the catalog text helpers: spaces, slugs and name keys."""

from __future__ import annotations

from sky_readers.catalog.text import (
    clean_spaces,
    name_key,
    slugify,
    strip_accents,
    unique_slug,
)


def test_clean_spaces_collapses_and_strips():
    assert clean_spaces("  The  Hunger\tGames \n") == "The Hunger Games"


def test_strip_accents():
    assert strip_accents("Brontë") == "Bronte"
    assert strip_accents("Shōgun") == "Shogun"


def test_name_key_ignores_case_accents_and_dots():
    assert name_key("Charlotte Brontë") == name_key("charlotte bronte")
    assert name_key("J.K. Rowling") == "j k rowling"
    assert name_key("J. K. Rowling") == "j k rowling"
    assert name_key("Gabriel García Márquez") == "gabriel garcia marquez"


def test_name_key_keeps_other_scripts():
    # The hamza is a combining mark after decomposition, so it goes like an accent.
    assert name_key("أحمد مراد") == "احمد مراد"
    assert name_key("村上 春樹") == "村上 春樹"


def test_slugify_transliterates():
    assert slugify("Mary GrandPré") == "mary-grandpre"
    assert slugify("Les Misérables") == "les-miserables"
    assert slugify("Фёдор Достоевский").startswith("fedor-dostoevsk")
    assert slugify("!!!") == ""


def test_unique_slug_adds_suffix():
    taken = {"homer", "homer-2"}
    assert unique_slug("Homer", taken, "author") == "homer-3"
    assert unique_slug("Virgil", taken, "author") == "virgil"


def test_unique_slug_fallback_for_empty():
    assert unique_slug("???", set(), "author") == "author"
    assert unique_slug("???", {"author"}, "author") == "author-2"


def test_unique_slug_respects_max_length():
    slug = unique_slug("word " * 100, set(), "author", max_length=50)
    assert len(slug) <= 50
