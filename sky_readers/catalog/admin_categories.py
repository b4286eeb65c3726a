"""Admin work on categories: create, rename with redirects from old slugs, merge.

A category's slug follows its name. When a rename changes the slug, the old slug is
kept in `category_redirect`, so old links and bookmarks lead to the renamed category.
Merging moves every book of one category into another, deletes the emptied category
and points its slugs, current and former, at the category that absorbed it.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, col

from sky_readers.accounts.models import User
from sky_readers.catalog.admin_models import CategoryRedirect
from sky_readers.catalog.models import Book, BookCategory, Category
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.catalog.text import clean_spaces, slugify
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

NAME_MAX = 120
SLUG_MAX = 140
DESCRIPTION_MAX = 2000


@dataclasses.dataclass(frozen=True)
class AdminCategoryRow:
    """A category in the admin table, with its book counts and former slugs."""

    id: int
    name: str
    slug: str
    description: str
    # Books in the store (not archived), and all books including archived ones.
    store_books: int
    all_books: int
    old_slugs: list[str]


def list_categories(session: Session) -> list[AdminCategoryRow]:
    """List every category by name with its book counts and redirects."""
    counts = {
        row.category_id: (row.store, row.total)
        for row in session.execute(
            select(
                BookCategory.category_id,
                func.count().label("total"),
                func.count().filter(col(Book.is_archived).is_(False)).label("store"),
            )
            .join(Book, col(Book.id) == col(BookCategory.book_id))
            .group_by(col(BookCategory.category_id))
        )
    }
    redirects: dict[int, list[str]] = {}
    for old_slug, category_id in session.execute(
        select(CategoryRedirect.old_slug, CategoryRedirect.category_id).order_by(
            col(CategoryRedirect.old_slug)
        )
    ):
        redirects.setdefault(category_id, []).append(old_slug)
    categories = session.execute(
        select(
            Category.id, Category.name, Category.slug, Category.description
        ).order_by(func.lower(Category.name))
    ).all()
    return [
        AdminCategoryRow(
            id=row.id,
            name=row.name,
            slug=row.slug,
            description=row.description,
            store_books=counts.get(row.id, (0, 0))[0],
            all_books=counts.get(row.id, (0, 0))[1],
            old_slugs=redirects.get(row.id, []),
        )
        for row in categories
    ]


def _clean_name(name: str | None, errors: dict) -> str:
    cleaned = clean_spaces(name or "")
    if not cleaned:
        errors["name"] = "Name is required, such as Science Fiction."
    elif len(cleaned) > NAME_MAX:
        errors["name"] = f"Name is {len(cleaned)} characters; use {NAME_MAX} or fewer."
    elif not slugify(cleaned):
        errors["name"] = "Name needs at least one letter or digit for its web address."
    return cleaned


def _clean_description(description: str | None, errors: dict) -> str:
    text = (description or "").strip()
    if len(text) > DESCRIPTION_MAX:
        errors["description"] = (
            f"Description is {len(text)} characters; use {DESCRIPTION_MAX} or fewer."
        )
    return text


def _check_free(
    session: Session, name: str, slug: str, category_id: int | None, errors: dict
) -> None:
    statement = select(Category.id, Category.name, Category.slug).where(
        (func.lower(Category.name) == name.lower()) | (Category.slug == slug)
    )
    if category_id is not None:
        statement = statement.where(Category.id != category_id)
    other = session.execute(statement).first()
    if other is not None:
        errors["name"] = (
            f"The category “{other.name}” already uses this name or its web address "
            f"/categories/{other.slug}: choose another name, or merge the two."
        )


def _find(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFoundError(f"category {category_id} not found")
    return category


def create_category(
    session: Session, name: str, description: str = "", *, actor: User
) -> Category:
    """Create a category whose slug is made from its name; the caller commits.

    Raises:
        ValidationError: The name is empty, too long, or taken; or the description
            is too long.
    """
    errors: dict[str, str] = {}
    cleaned = _clean_name(name, errors)
    text = _clean_description(description, errors)
    slug = slugify(cleaned, max_length=SLUG_MAX)
    if "name" not in errors:
        _check_free(session, cleaned, slug, None, errors)
    if errors:
        raise ValidationError(errors)
    # A slug that used to redirect now belongs to the new category.
    session.execute(delete(CategoryRedirect).where(CategoryRedirect.old_slug == slug))
    category = Category(name=cleaned, slug=slug, description=text)
    session.add(category)
    session.flush()
    logger.info("Category %d %r created by user %d", category.id, slug, actor.id)
    return category


def rename_category(
    session: Session,
    category_id: int,
    name: str,
    description: str | None = None,
    *,
    actor: User,
) -> Category:
    """Rename a category; its slug follows and the old slug redirects to it.

    Args:
        session: Open session; the caller commits.
        category_id: The category.
        name: New name.
        description: New description; None keeps the current one.
        actor: The admin.

    Raises:
        NotFoundError: No category has that id.
        ValidationError: The name is invalid or taken by another category.
    """
    category = _find(session, category_id)
    errors: dict[str, str] = {}
    cleaned = _clean_name(name, errors)
    text = (
        category.description
        if description is None
        else _clean_description(description, errors)
    )
    slug = slugify(cleaned, max_length=SLUG_MAX)
    if "name" not in errors:
        _check_free(session, cleaned, slug, category_id, errors)
    if errors:
        raise ValidationError(errors)

    old_slug = category.slug
    if slug != old_slug:
        session.execute(
            delete(CategoryRedirect).where(CategoryRedirect.old_slug == slug)
        )
        session.execute(
            insert(CategoryRedirect).values(
                old_slug=old_slug, category_id=category_id, created_at=utcnow()
            )
        )
    category.name = cleaned
    category.slug = slug
    category.description = text
    session.add(category)
    session.flush()
    logger.info(
        "Category %d renamed from %r to %r by user %d",
        category_id,
        old_slug,
        slug,
        actor.id,
    )
    return category


@dataclasses.dataclass(frozen=True)
class MergeResult:
    """Outcome of a merge: books moved, books already in the target, slugs redirected."""

    moved: int
    already_there: int
    redirected_slugs: list[str]


def merge_categories(
    session: Session, source_id: int, target_id: int, *, actor: User
) -> MergeResult:
    """Move every book of `source` into `target`, then delete `source`.

    Books already in both keep their place in the target. The source's slug and its
    former slugs redirect to the target afterwards.

    Raises:
        NotFoundError: Either category does not exist.
        ValidationError: The two ids are the same category.
    """
    if source_id == target_id:
        raise ValidationError(
            {"target_id": "Choose another category to merge into; not the same one."}
        )
    source = _find(session, source_id)
    target = _find(session, target_id)

    in_target = select(BookCategory.book_id).where(
        BookCategory.category_id == target_id
    )
    already_there = session.execute(
        select(func.count())
        .select_from(BookCategory)
        .where(
            BookCategory.category_id == source_id,
            col(BookCategory.book_id).in_(in_target),
        )
    ).scalar_one()
    touched = list(
        session.execute(
            select(BookCategory.book_id).where(BookCategory.category_id == source_id)
        ).scalars()
    )
    session.execute(
        delete(BookCategory).where(
            BookCategory.category_id == source_id,
            col(BookCategory.book_id).in_(in_target),
        )
    )
    moved = session.execute(
        update(BookCategory)
        .where(BookCategory.category_id == source_id)
        .values(category_id=target_id)
    ).rowcount

    session.execute(
        update(CategoryRedirect)
        .where(CategoryRedirect.category_id == source_id)
        .values(category_id=target_id)
    )
    session.execute(
        insert(CategoryRedirect).values(
            old_slug=source.slug, category_id=target_id, created_at=utcnow()
        )
    )
    redirected = list(
        session.execute(
            select(CategoryRedirect.old_slug).where(
                CategoryRedirect.category_id == target_id
            )
        ).scalars()
    )
    source_slug = source.slug
    session.delete(source)
    session.flush()
    _refresh_index(session, touched)
    logger.info(
        "Category %r merged into %r by user %d: %d books moved, %d already there",
        source_slug,
        target.slug,
        actor.id,
        moved,
        already_there,
    )
    return MergeResult(
        moved=moved, already_there=already_there, redirected_slugs=sorted(redirected)
    )


def _refresh_index(session: Session, book_ids: list[int]) -> None:
    """Rewrite the search rows of books whose category links changed in bulk."""
    if book_ids:
        refresh_search_index(session, book_ids)


def resolve_category_slug(session: Session, slug: str) -> str | None:
    """Return the current slug of a category, given a former slug of it.

    Returns:
        The current slug, or None when the slug was never a category's.
    """
    row = session.execute(
        select(Category.slug)
        .join(CategoryRedirect, col(CategoryRedirect.category_id) == col(Category.id))
        .where(CategoryRedirect.old_slug == slug)
    ).first()
    return row.slug if row else None
