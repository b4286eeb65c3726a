"""Rows built for Core inserts match the objects the models build."""

from __future__ import annotations

from decimal import Decimal

from sky_readers.core.db import new_row
from sky_readers.orders.models import OrderEvent, Payment
from sky_readers.outbox.models import OutboxEmail


def test_new_row_matches_constructor_defaults():
    values = {"order_id": 7, "to_status": "paid", "actor_kind": "system"}

    row = new_row(OrderEvent, **values)
    built = OrderEvent(**values).model_dump(exclude={"id", "created_at"})

    assert "id" not in row
    assert {k: v for k, v in row.items() if k != "created_at"} == built
    assert row["created_at"].tzinfo is not None


def test_new_row_calls_factories_per_row():
    first = new_row(OutboxEmail, kind="k", to_address="a@example.test")
    second = new_row(OutboxEmail, kind="k", to_address="a@example.test")

    assert first["operation_id"] != second["operation_id"]
    assert first["status"] == "pending"
    assert first["attempts"] == 0


def test_new_row_covers_every_column():
    row = new_row(
        Payment,
        order_id=1,
        method="test_card",
        status="paid",
        amount=Decimal("15.78"),
        currency="USD",
        reference="ref",
    )

    columns = {c.name for c in Payment.__table__.columns if not c.primary_key}
    assert set(row) == columns
    assert row["amount"] == Decimal("15.78")
    assert row["card_last4"] == ""
