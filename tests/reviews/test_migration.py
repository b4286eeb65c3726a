"""Migration 0006 on a database that already contains books, on each backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from sky_readers.core.settings import normalise_database_url

TEST_DATABASE_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL", "").strip()
)
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path) -> Iterator[str]:
    """URL of a new, empty database of each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"sky_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(TEST_DATABASE_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migration_keeps_ratings_as_imported(empty_database):
    # Given a database at revision 0005 with two rated books.
    migrations.upgrade(empty_database, "0005")
    engine = build_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO book (title, description, price, currency, "
                "stock_on_hand, average_rating, rating_count, is_archived, "
                "created_at, updated_at) VALUES "
                "('Old One', '', 999, 'USD', 3, :rating, 1234, :no, :now, :now)"
            ),
            {
                "rating": 434 if engine.dialect.name == "sqlite" else "4.34",
                "no": False,
                "now": "2026-01-01 00:00:00",
            },
        )

    # When it migrates to 0006,
    migrations.upgrade(empty_database, "0006")

    # then the rating is kept as shown and copied as imported,
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT average_rating, rating_count, imported_rating, "
                "imported_rating_count FROM book"
            )
        ).one()
    assert row[0] == row[2]
    assert row[1] == row[3] == 1234
    tables = set(inspect(engine).get_table_names())
    assert {"review", "review_vote", "wishlist_item", "book_neighbour"} <= tables
    if engine.dialect.name == "sqlite":
        # The search trigger of revision 0004 survives, as no table was copied.
        with engine.connect() as connection:
            trigger = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert "book_fts_after_book_delete" in set(trigger)

    # and the way back removes the new tables and keeps the books.
    command.downgrade(migrations.alembic_config(empty_database), "0005")
    engine.dispose()
    engine = build_engine(empty_database)
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("book")}
        count = connection.execute(text("SELECT count(*) FROM book")).scalar_one()
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert "imported_rating" not in columns
    assert "review" not in tables
    assert count == 1
