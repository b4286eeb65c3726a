"""The migrations build the schema the models describe, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

# The search index lives outside the models: migration 0004 creates a tsvector table
# and a vocabulary on PostgreSQL and FTS5 tables on SQLite, which the ORM cannot
# describe (sky_readers/catalog/search_index.py fills them).
SEARCH_INDEX_TABLES = ("book_search", "search_term", "book_fts")


def _include_object(_object, name, type_, reflected, compare_to):
    """Leave the search index tables, and the FTS5 tables behind them, uncompared."""
    if type_ == "table" and reflected and compare_to is None:
        return not (name or "").startswith(SEARCH_INDEX_TABLES)
    return True


def test_migrations_match_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _include_object}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
