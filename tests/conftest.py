"""Fixtures shared by every test: a migrated database per backend, emptied after each test.

Tests that take `session` or `engine` run on SQLite and, when TEST_DATABASE_URL names a
PostgreSQL server, once more on a fresh database created on that server for this run.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Settings are read once, so the test values must be in place before any store import.
_TMP = Path(tempfile.mkdtemp(prefix="sky-readers-tests-"))
os.environ.setdefault("APP_ENV", "development")
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'default.db'}"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-hs256")
os.environ.setdefault("EMAIL_BACKEND", "console")
os.environ.setdefault("EMAIL_FILE_DIR", str(_TMP / "mail"))
os.environ.setdefault("STORAGE_BACKEND", "local")
os.environ.setdefault("LOCAL_STORAGE_DIR", str(_TMP / "covers"))
os.environ.setdefault("BCRYPT_ROUNDS", "4")

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from sky_readers.core import db, migrations
from sky_readers.core.settings import get_settings, normalise_database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def shared_data_dir() -> Path:
    """Folder of the real data files (goodbooks-10k, recorded Google Books responses)."""
    return get_settings().shared_data_dir


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the real data files; tests that need it skip with a reason when absent."""
    folder = shared_data_dir()
    if not (folder / "goodbooks-10k" / "books.csv").exists():
        pytest.skip(f"real data not found in {folder}: set SHARED_DATA_DIR")
    return folder


def _create_postgres_database(server_url: str) -> tuple[str, str]:
    """Create an empty database on the server for this test run.

    Returns:
        The new database's URL and name.
    """
    name = f"sky_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(database=name)
    return url.render_as_string(hide_password=False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """URL of a migrated, empty database of each backend under test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'store.db'}"
        migrations.upgrade(url)
        yield url
        return
    url, name = _create_postgres_database(TEST_DATABASE_URL)
    try:
        migrations.upgrade(url)
        yield url
    finally:
        db._engine_for.cache_clear()
        _drop_postgres_database(TEST_DATABASE_URL, name)


def _empty_all_tables(engine: Engine) -> None:
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """Engine of the test database, also returned by the store's get_engine.

    Every table is emptied after the test.
    """
    test_engine = db.build_engine(database_url)
    with db.override_engine(test_engine):
        yield test_engine
    _empty_all_tables(test_engine)
    test_engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants kept."""
    with Session(engine, expire_on_commit=False) as test_session:
        yield test_session
