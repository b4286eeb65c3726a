"""Alembic environment: migrates the database named by DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import sky_readers.core.models  # noqa: F401  (registers every table)
from sky_readers.core.db import build_engine
from sky_readers.core.settings import get_settings

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_setup"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _database_url() -> str:
    # A caller may pass its own URL, as the tests do for each database.
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Write the SQL of the migrations without connecting."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = build_engine(_database_url())
    with engine.connect() as connection:
        _run_on(connection)
    engine.dispose()


def _run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them, which batch mode does.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
