"""INSERT statements that skip or update rows whose key exists, on either database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session


def _insert_for(session: Session, table: Table) -> Insert:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_or_ignore(session: Session, table: Table, keys: Sequence[str]) -> Insert:
    """Build an INSERT that leaves rows alone whose `keys` columns exist already.

    Args:
        session: Session whose database decides the SQL dialect.
        table: The table.
        keys: Columns of a primary key or unique constraint.

    Returns:
        The statement; pass the rows to `session.execute`.
    """
    return _insert_for(session, table).on_conflict_do_nothing(index_elements=keys)


def insert_or_update(
    session: Session, table: Table, keys: Sequence[str], columns: Sequence[str]
) -> Insert:
    """Build an INSERT that overwrites `columns` of rows whose `keys` exist already.

    Args:
        session: Session whose database decides the SQL dialect.
        table: The table.
        keys: Columns of a primary key or unique constraint.
        columns: Columns to take from the new row on a conflict.

    Returns:
        The statement; pass the rows to `session.execute`.
    """
    statement = _insert_for(session, table)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in columns},
    )
