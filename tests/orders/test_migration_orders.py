"""Migration 0007 on a database that already holds carts and orders."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from tests.conftest import (
    BACKENDS,
    TEST_DATABASE_URL,
    _create_postgres_database,
    _drop_postgres_database,
)

NOW = "2026-12-01 10:00:00"


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """URL of a new, empty database of each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url, name = _create_postgres_database(TEST_DATABASE_URL)
    try:
        yield url
    finally:
        _drop_postgres_database(TEST_DATABASE_URL, name)


def _populate(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO user_account (id, email, name, password_hash, role, "
            "is_active, created_at, updated_at) VALUES (1, 'a@example.test', 'A', "
            f"'x', 'shopper', true, '{NOW}', '{NOW}')"
        )
    )
    for cart_id in (1, 2, 3):
        connection.execute(
            text(
                "INSERT INTO cart (id, user_id, status, created_at, updated_at) "
                f"VALUES ({cart_id}, 1, 'open', '{NOW}', '{NOW}')"
            )
        )
    connection.execute(
        text(
            "INSERT INTO customer_order (id, number, user_id, status, payment_method, "
            "currency, subtotal, shipping, tax, total, ship_name, ship_line1, "
            "ship_line2, ship_city, ship_postal_code, ship_country, created_at, "
            "updated_at) VALUES (1, 'SRH-2026-000001', 1, 'paid', 'test_card', "
            "'USD', 1000, 499, 80, 1579, 'A', 'Street 1', '', 'Town', '12345', "
            f"'US', '{NOW}', '{NOW}')"
        )
    )


def test_migration_0007_on_populated_database(empty_url):
    migrations.upgrade(empty_url, "0006")
    engine = build_engine(empty_url)
    try:
        with engine.begin() as connection:
            _populate(connection)

        migrations.upgrade(empty_url, "0007")

        with engine.connect() as connection:
            statuses = connection.execute(
                text("SELECT id, status, notice FROM cart ORDER BY id")
            ).all()
            region = connection.execute(
                text("SELECT ship_region FROM customer_order")
            ).scalar_one()
        tables = set(inspect(engine).get_table_names())
        indexes = {index["name"] for index in inspect(engine).get_indexes("cart")}
    finally:
        engine.dispose()

    # The newest open cart of the user stays open; the others are marked merged.
    assert statuses == [(1, "merged", ""), (2, "merged", ""), (3, "open", "")]
    assert region == ""
    assert {"order_event", "payment", "saved_address"} <= tables
    assert "uq_cart_open_user" in indexes


def test_migration_0007_downgrade(empty_url):
    from alembic import command

    migrations.upgrade(empty_url)
    command.downgrade(migrations.alembic_config(empty_url), "0006")
    engine = build_engine(empty_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert "order_event" not in tables
    assert "payment" not in tables
