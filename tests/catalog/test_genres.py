"""Tests of the fixed category list and the mapping of reader tags onto it."""

from __future__ import annotations

import pytest

from sky_readers.catalog import genres

EXPECTED_SLUGS = {
    "science-fiction",
    "fantasy",
    "mystery",
    "thriller",
    "romance",
    "historical-fiction",
    "horror",
    "classics",
    "literary-fiction",
    "young-adult",
    "childrens",
    "poetry",
    "biography-memoir",
    "history",
    "science",
    "philosophy",
    "psychology",
    "self-help",
    "business",
    "graphic-novels",
    "humor",
    "religion-spirituality",
    "travel",
}


def test_categories_are_the_fixed_list():
    assert {spec.slug for spec in genres.CATEGORIES} == EXPECTED_SLUGS
    assert len(genres.CATEGORIES) == len(EXPECTED_SLUGS)
    assert genres.CATEGORY_BY_SLUG["childrens"].name == "Children's"
    assert genres.CATEGORY_BY_SLUG["biography-memoir"].name == "Biography & Memoir"


def test_every_category_has_a_description():
    for spec in genres.CATEGORIES:
        assert spec.description.strip(), spec.slug


def test_synonyms_point_at_known_categories():
    for tag, slugs in genres.TAG_CATEGORIES.items():
        assert slugs, tag
        assert set(slugs) <= genres.CATEGORY_SLUGS, tag
        assert genres.normalise_tag(tag) == tag, tag


def test_no_shelf_tag_in_synonym_table():
    for tag in genres.TAG_CATEGORIES:
        assert not genres.is_shelf_tag(tag), tag


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (("sci-fi", "science-fiction", "scifi", "sf"), {"science-fiction"}),
        (("ya", "young-adult", "teen"), {"young-adult"}),
        (("humor", "humour", "funny"), {"humor"}),
    ],
)
def test_synonyms_merge(tags, expected):
    for tag in tags:
        assert set(genres.categories_of_tag(tag)) == expected, tag


def test_combined_tags_give_two_categories():
    assert set(genres.categories_of_tag("ya-fantasy")) == {"fantasy", "young-adult"}
    assert set(genres.categories_of_tag("sci-fi-fantasy")) == {
        "science-fiction",
        "fantasy",
    }
    assert set(genres.categories_of_tag("mystery-thriller")) == {"mystery", "thriller"}


def test_tag_names_are_normalised():
    assert genres.categories_of_tag(" Science Fiction ") == ("science-fiction",)
    assert genres.categories_of_tag("YOUNG_ADULT") == ("young-adult",)


@pytest.mark.parametrize(
    "tag",
    [
        "to-read",
        "owned",
        "favorites",
        "kindle",
        "currently-reading",
        "books-i-own",
        "read-in-2015",
        "read-2016",
        "2014-reads",
        "fiction",
    ],
)
def test_shelf_tags_are_not_genres(tag):
    assert genres.is_shelf_tag(tag)
    assert genres.categories_of_tag(tag) == ()


def test_unknown_tags_are_ignored():
    assert genres.categories_of_tag("stephen-king") == ()
    assert genres.categories_of_tag("-") == ()
    assert genres.categories_of_tag("") == ()


def test_shelf_tags_alone_give_no_category():
    tags = {"to-read": 100_000, "favorites": 5_000, "owned": 3_000, "kindle": 900}
    assert genres.categories_for_tags(tags) == []


def test_categories_ordered_by_score():
    tags = {"fantasy": 500, "young-adult": 300, "ya": 250, "romance": 200}
    assert genres.categories_for_tags(tags) == ["young-adult", "fantasy", "romance"]


def test_synonym_counts_add_up():
    scores = genres.category_scores({"sci-fi": 30, "science-fiction": 40, "sf": 5})
    assert scores == {"science-fiction": 75}


def test_minimum_count_drops_weak_categories():
    tags = {"fantasy": 60, "horror": genres.MIN_TAG_COUNT - 1}
    assert genres.categories_for_tags(tags) == ["fantasy"]


def test_minimum_share_drops_minor_categories():
    # Romance has 1,000 readers, but that is under 15 % of the 10,000 for fantasy.
    tags = {"fantasy": 10_000, "romance": 1_000, "young-adult": 1_600}
    assert genres.categories_for_tags(tags) == ["fantasy", "young-adult"]


def test_at_most_max_categories():
    tags = {
        tag: 1_000 - index
        for index, tag in enumerate(
            ["fantasy", "horror", "romance", "mystery", "thriller", "classics"]
        )
    }
    result = genres.categories_for_tags(tags)
    assert result == ["fantasy", "horror", "romance", "mystery"]
    assert len(result) == genres.MAX_CATEGORIES_PER_BOOK


def test_negative_counts_count_as_zero():
    assert genres.categories_for_tags({"fantasy": -1, "horror": 50}) == ["horror"]


def test_ties_break_by_slug():
    assert genres.categories_for_tags({"romance": 100, "horror": 100}) == [
        "horror",
        "romance",
    ]


def test_tag_category_index_keeps_genre_tags_only():
    index = genres.tag_category_index(
        [("1", "to-read"), ("2", "sci-fi"), ("3", "ya-fantasy"), ("4", "kindle")]
    )
    assert index == {"2": ("science-fiction",), "3": ("fantasy", "young-adult")}
