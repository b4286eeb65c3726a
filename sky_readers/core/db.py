"""Database engine and sessions shared by the pages, the API and the commands."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

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
