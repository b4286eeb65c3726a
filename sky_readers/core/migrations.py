"""Run the alembic migrations from code, for the command line and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from sky_readers.core.settings import (
    PROJECT_ROOT,
    get_settings,
    normalise_database_url,
)


def alembic_config(database_url: str | None = None) -> Config:
    """Build the alembic configuration of the project for a database.

    Args:
        database_url: Database to migrate; DATABASE_URL by default.

    Returns:
        The configuration, with the URL passed to alembic/env.py.
    """
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = normalise_database_url(
        database_url or get_settings().database_url
    )
    config.attributes["skip_logging_setup"] = True
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Migrate a database to a revision, the newest by default.

    Args:
        database_url: Database to migrate; DATABASE_URL by default.
        revision: Alembic revision to reach.
    """
    command.upgrade(alembic_config(database_url), revision)
