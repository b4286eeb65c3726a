"""Write-side catalog helpers: create categories by slug and authors by name key.

The helpers use SQLAlchemy Core statements on the model tables, which bulk writes
need, and return ids rather than ORM objects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlmodel import Session

from sky_readers.catalog.genres import CATEGORIES, CategorySpec
from sky_readers.catalog.models import Author, Category
from sky_readers.catalog.text import clean_spaces, name_key, slugify, unique_slug
from sky_readers.core.errors import ValidationError
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

AUTHOR_NAME_MAX = 300
AUTHOR_SLUG_MAX = 320


def ensure_categories(
    session: Session, specs: Iterable[CategorySpec] = CATEGORIES
) -> tuple[dict[str, int], int]:
    """Create the categories that do not exist yet, matched by slug, then by name.

    Existing categories are left as they are, descriptions included.

    Args:
        session: Open session; the caller commits.
        specs: Categories to make sure of; the store's fixed list by default.

    Returns:
        The category id per requested slug, and how many categories were created.
    """
    table = Category.__table__
    rows = session.execute(select(table.c.id, table.c.slug, table.c.name)).all()
    by_slug = {row.slug: row.id for row in rows}
    by_name = {row.name.casefold(): row.id for row in rows}

    result: dict[str, int] = {}
    missing: list[dict] = []
    for spec in specs:
        if spec.slug in result:
            continue
        existing = by_slug.get(spec.slug) or by_name.get(spec.name.casefold())
        if existing is not None:
            result[spec.slug] = existing
            continue
        missing.append(
            {
                "name": spec.name,
                "slug": spec.slug,
                "description": spec.description,
                "created_at": utcnow(),
            }
        )
        # A placeholder keeps a repeated slug in `specs` from being inserted twice.
        result[spec.slug] = -1

    if missing:
        inserted = session.execute(
            insert(table).returning(
                table.c.id, table.c.slug, sort_by_parameter_order=True
            ),
            missing,
        ).all()
        for row in inserted:
            result[row.slug] = row.id
        logger.info("Created %d categories", len(inserted))
    return result, len(missing)


def get_or_create_category(
    session: Session, name: str, slug: str, description: str = ""
) -> int:
    """Return the id of the category with this slug, creating it when it is missing.

    Args:
        session: Open session; the caller commits.
        name: Display name used when the category is created.
        slug: URL slug that identifies the category.
        description: Description used when the category is created.

    Returns:
        The id of the existing or new category.
    """
    ids, _created = ensure_categories(session, [CategorySpec(name, slug, description)])
    return ids[slug]


class AuthorDirectory:
    """Authors of the store by name key, loaded once, to resolve many names in bulk.

    `resolve` gives an id to each known name and queues unknown ones; `flush` inserts
    the queued authors in one statement. Use one directory per transaction.
    """

    def __init__(self, session: Session) -> None:
        """Load every author's name key and slug.

        Args:
            session: Open session; the caller commits.
        """
        self.session = session
        table = Author.__table__
        rows = session.execute(select(table.c.id, table.c.name_key, table.c.slug))
        self._ids: dict[str, int] = {}
        self._slugs: set[str] = set()
        for row in rows:
            self._ids[row.name_key] = row.id
            self._slugs.add(row.slug)
        self._pending: dict[str, dict] = {}
        self.created = 0

    @staticmethod
    def clean_name(name: str) -> str:
        """Collapse the whitespace of an author name and check it is usable.

        Raises:
            ValidationError: The name is empty or longer than the column allows.
        """
        cleaned = clean_spaces(name)
        if not cleaned or not name_key(cleaned):
            raise ValidationError({"author": f"invalid author name {name!r}"})
        if len(cleaned) > AUTHOR_NAME_MAX:
            msg = f"author name longer than {AUTHOR_NAME_MAX} characters: {name[:60]!r}"
            raise ValidationError({"author": msg})
        return cleaned

    def key_for(self, name: str) -> str:
        """Queue the author if unknown and return the name key that identifies them.

        Raises:
            ValidationError: The name is empty or too long.
        """
        cleaned = self.clean_name(name)
        key = name_key(cleaned)
        if key not in self._ids and key not in self._pending:
            slug = unique_slug(cleaned, self._slugs, "author", AUTHOR_SLUG_MAX)
            self._slugs.add(slug)
            self._pending[key] = {
                "name": cleaned,
                "name_key": key,
                "slug": slug,
                "created_at": utcnow(),
            }
        return key

    def flush(self) -> None:
        """Insert the queued authors and record their ids."""
        if not self._pending:
            return
        table = Author.__table__
        rows = list(self._pending.values())
        inserted = self.session.execute(
            insert(table).returning(
                table.c.id, table.c.name_key, sort_by_parameter_order=True
            ),
            rows,
        ).all()
        for row in inserted:
            self._ids[row.name_key] = row.id
        self.created += len(inserted)
        self._pending.clear()

    def id_for(self, key: str) -> int:
        """Return the id of an author by name key; call `flush` first for new ones."""
        return self._ids[key]


def get_or_create_author(session: Session, name: str) -> int:
    """Return the id of the author whose name key matches `name`, creating if missing.

    Raises:
        ValidationError: The name is empty or too long.
    """
    table = Author.__table__
    cleaned = AuthorDirectory.clean_name(name)
    key = name_key(cleaned)
    found = session.execute(
        select(table.c.id).where(table.c.name_key == key)
    ).scalar_one_or_none()
    if found is not None:
        return found
    base = slugify(cleaned, max_length=AUTHOR_SLUG_MAX - 8) or "author"
    taken = set(
        session.execute(
            select(table.c.slug).where(table.c.slug.startswith(base, autoescape=True))
        ).scalars()
    )
    row = {
        "name": cleaned,
        "name_key": key,
        "slug": unique_slug(cleaned, taken, "author", AUTHOR_SLUG_MAX),
        "created_at": utcnow(),
    }
    return session.execute(insert(table).returning(table.c.id), [row]).scalar_one()
