"""Admin category work: create, rename with redirects, merge."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sky_readers.catalog import admin_categories, queries
from sky_readers.catalog.admin_categories import resolve_category_slug
from sky_readers.catalog.models import BookCategory, Category
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.core.errors import NotFoundError, ValidationError
from tests.admin.fixtures import make_admin
from tests.catalog.builders import add_book, add_category


@pytest.fixture
def admin(session):
    return make_admin(session)


def test_create_category_makes_slug(session, admin):
    category = admin_categories.create_category(
        session, "  Cosy  Mysteries ", "Tea and murder.", actor=admin
    )
    session.commit()

    assert category.name == "Cosy Mysteries"
    assert category.slug == "cosy-mysteries"
    assert queries.get_category(session, "cosy-mysteries").description == (
        "Tea and murder."
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "Name is required"), ("!!!", "at least one letter"), ("x" * 121, "120")],
)
def test_create_category_rejects_bad_name(session, admin, name, expected):
    with pytest.raises(ValidationError) as caught:
        admin_categories.create_category(session, name, actor=admin)

    assert expected in caught.value.errors["name"]


def test_create_category_rejects_taken_name(session, admin):
    add_category(session, "Horror")

    with pytest.raises(ValidationError) as caught:
        admin_categories.create_category(session, "horror", actor=admin)

    assert "already uses" in caught.value.errors["name"]


def test_rename_category_redirects_old_slug(session, admin):
    category = add_category(session, "Sci Fi")
    book = add_book(session, "Dune", categories=[category])
    session.commit()

    admin_categories.rename_category(
        session, category.id, "Science Fiction", actor=admin
    )
    session.commit()

    assert queries.get_category(session, "science-fiction").book_count == 1
    with pytest.raises(NotFoundError):
        queries.get_category(session, "sci-fi")
    assert resolve_category_slug(session, "sci-fi") == "science-fiction"
    found = search_books(
        session, SearchQuery.from_params({"q": "dune", "category": "science-fiction"})
    )
    assert [item.id for item in found.items] == [book.id]


def test_rename_twice_keeps_every_old_slug(session, admin):
    category = add_category(session, "Sci Fi")
    session.commit()

    admin_categories.rename_category(session, category.id, "SF", actor=admin)
    admin_categories.rename_category(session, category.id, "Speculative", actor=admin)
    session.commit()

    assert resolve_category_slug(session, "sci-fi") == "speculative"
    assert resolve_category_slug(session, "sf") == "speculative"
    (row,) = admin_categories.list_categories(session)
    assert row.old_slugs == ["sci-fi", "sf"]


def test_rename_back_to_old_slug_drops_redirect(session, admin):
    category = add_category(session, "Sci Fi")
    session.commit()

    admin_categories.rename_category(session, category.id, "SF", actor=admin)
    admin_categories.rename_category(session, category.id, "Sci Fi", actor=admin)
    session.commit()

    assert resolve_category_slug(session, "sci-fi") is None
    assert resolve_category_slug(session, "sf") == "sci-fi"


def test_rename_category_rejects_other_categorys_name(session, admin):
    add_category(session, "Horror")
    poetry = add_category(session, "Poetry")

    with pytest.raises(ValidationError) as caught:
        admin_categories.rename_category(session, poetry.id, "HORROR", actor=admin)

    assert "Horror" in caught.value.errors["name"]


def test_merge_moves_books_and_redirects(session, admin):
    source = add_category(session, "Sci Fi")
    target = add_category(session, "Science Fiction")
    only_source = add_book(session, "Dune", categories=[source])
    both = add_book(session, "Foundation", categories=[target, source])
    only_target = add_book(session, "Hyperion", categories=[target])
    session.commit()

    result = admin_categories.merge_categories(
        session, source.id, target.id, actor=admin
    )
    session.commit()

    assert result.moved == 1
    assert result.already_there == 1
    assert result.redirected_slugs == ["sci-fi"]
    assert session.get(Category, source.id) is None
    links = session.exec(
        select(BookCategory.book_id).where(BookCategory.category_id == target.id)
    ).all()
    assert sorted(links) == sorted([only_source.id, both.id, only_target.id])
    assert resolve_category_slug(session, "sci-fi") == "science-fiction"
    found = search_books(
        session, SearchQuery.from_params({"q": "dune", "category": "science-fiction"})
    )
    assert [item.id for item in found.items] == [only_source.id]


def test_merge_carries_former_slugs(session, admin):
    source = add_category(session, "Sci Fi")
    target = add_category(session, "Science Fiction")
    session.commit()
    admin_categories.rename_category(session, source.id, "SF", actor=admin)
    session.commit()

    admin_categories.merge_categories(session, source.id, target.id, actor=admin)
    session.commit()

    assert resolve_category_slug(session, "sci-fi") == "science-fiction"
    assert resolve_category_slug(session, "sf") == "science-fiction"


def test_merge_into_itself_is_rejected(session, admin):
    category = add_category(session, "Poetry")

    with pytest.raises(ValidationError) as caught:
        admin_categories.merge_categories(
            session, category.id, category.id, actor=admin
        )

    assert "another category" in caught.value.errors["target_id"]


def test_merge_missing_category_is_not_found(session, admin):
    category = add_category(session, "Poetry")

    with pytest.raises(NotFoundError):
        admin_categories.merge_categories(session, category.id, 999, actor=admin)
