"""Migration 0005 runs over a database that already holds shop data."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sky_readers.core import migrations
from sky_readers.core.settings import normalise_database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


@pytest.fixture(params=["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else []))
def empty_database(request, tmp_path):
    """URL of an empty database on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"sky_migrate_{uuid.uuid4().hex[:8]}"
    server = create_engine(
        normalise_database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(TEST_DATABASE_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_migration_0005_over_populated_database(empty_database):
    migrations.upgrade(empty_database, "0004")
    engine = create_engine(normalise_database_url(empty_database))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (email, name, password_hash, role, "
                "is_active, created_at, updated_at) VALUES ('a@example.test', 'A', "
                "'x', 'admin', true, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO category (name, slug, description, created_at) VALUES "
                "('Poetry', 'poetry', '', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO book (title, description, price, currency, stock_on_hand, "
                "average_rating, rating_count, is_archived, created_at, updated_at) "
                "VALUES ('Odes', '', 999, 'USD', 3, 0, 0, false, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )

    migrations.upgrade(empty_database)

    tables = set(inspect(engine).get_table_names())
    assert {"stock_change", "category_redirect"} <= tables
    with engine.begin() as connection:
        book_id = connection.execute(text("SELECT id FROM book")).scalar_one()
        user_id = connection.execute(text("SELECT id FROM user_account")).scalar_one()
        category_id = connection.execute(text("SELECT id FROM category")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO stock_change (book_id, changed_by_id, changed_by_email, "
                "old_stock, new_stock, reason, changed_at) VALUES (:b, :u, "
                "'a@example.test', 3, 5, 'Delivery', '2026-01-02 00:00:00')"
            ),
            {"b": book_id, "u": user_id},
        )
        connection.execute(
            text(
                "INSERT INTO category_redirect (old_slug, category_id, created_at) "
                "VALUES ('verse', :c, '2026-01-02 00:00:00')"
            ),
            {"c": category_id},
        )
        assert connection.execute(text("SELECT count(*) FROM book")).scalar_one() == 1

    command.downgrade(migrations.alembic_config(empty_database), "0004")
    assert "stock_change" not in set(inspect(engine).get_table_names())
    migrations.upgrade(empty_database)
    assert "category_redirect" in set(inspect(engine).get_table_names())
    engine.dispose()
