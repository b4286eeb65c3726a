"""Database engine and sessions shared by the pages, the API and the commands."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from sky_readers.core.settings import get_settings, normalise_database_url


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _enable_sqlite_rules(dbapi_connection, _record) -> None:
    # SQLite leaves foreign keys off per connection, and WAL lets readers run beside
    # the single writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def build_engine(url: str) -> Engine:
    """Create an engine for a database URL, with SQLite's foreign keys switched on.

    Args:
        url: SQLAlchemy database URL.

    Returns:
        A new engine.
    """
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}
        )
        event.listen(engine, "connect", _enable_sqlite_rules)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@functools.cache
def _engine_for(url: str) -> Engine:
    return build_engine(url)


_override: Engine | None = None


def get_engine() -> Engine:
    """Return the engine for the configured DATABASE_URL, created once."""
    if _override is not None:
        return _override
    return _engine_for(get_settings().database_url)


@contextlib.contextmanager
def override_engine(engine: Engine) -> Iterator[Engine]:
    """Make get_engine return another engine for a while, as tests need.

    Args:
        engine: Engine to hand out instead of the configured one.

    Yields:
        The same engine.
    """
    global _override
    previous, _override = _override, engine
    try:
        yield engine
    finally:
        _override = previous


@contextlib.contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on any error.

    Args:
        engine: Engine to use; the configured one by default.

    Yields:
        The open session.
    """
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@functools.cache
def _field_defaults(
    model: type[SQLModel],
) -> tuple[tuple[str, Any, Callable[[], Any] | None], ...]:
    """List the fields of a table model but its key, each with its default."""
    keys = {column.name for column in model.__table__.primary_key}
    defaults = []
    for name, field in model.model_fields.items():
        if name in keys:
            continue
        if field.default_factory is not None:
            defaults.append((name, None, field.default_factory))
        elif not field.is_required():
            defaults.append((name, field.default, None))
    return tuple(defaults)


def new_row(model: type[SQLModel], **values: Any) -> dict[str, Any]:
    """Build the column values of a new row of a table model, for a Core INSERT.

    Fields missing from `values` get the defaults that the model's constructor
    gives them, so a row inserted this way equals one added as an object. The
    database picks the key. The dict costs far less to build than the object,
    which matters on hot paths such as checkout.

    Args:
        model: The table model, such as Payment.
        values: Column values by field name.

    Returns:
        The values with every default filled in.
    """
    row = {
        name: factory() if factory is not None else default
        for name, default, factory in _field_defaults(model)
        if name not in values
    }
    row.update(values)
    return row
