"""Add order events, payments, saved addresses and the cart's open-cart rule.

Also adds `customer_order.ship_region` and `cart.notice`, both NOT NULL with an empty
server default so rows already present get a value. Before the unique index of open
carts is built, any user with several open carts keeps the newest one open and the
others are marked merged, so the migration also runs on a database with such rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sky_readers.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_CART_CONDITION = "status = 'open'"


def upgrade() -> None:
    op.create_table(
        "order_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["user_account.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_order.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "order_id", "to_status", name="uq_order_event_order_status"
        ),
    )
    with op.batch_alter_table("order_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_event_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "amount",
            sky_readers.core.types.Money(precision=12, scale=2),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("card_brand", sa.String(length=20), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column(
            "created_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.CheckConstraint("amount >= 0", name="ck_payment_amount_not_negative"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_order.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )

    op.create_table(
        "saved_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "updated_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )

    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ship_region", sa.String(length=100), nullable=False, server_default=""
            )
        )

    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notice", sa.Text(), nullable=False, server_default="")
        )

    # Keep one open cart per user (the newest) before the unique index needs it.
    op.execute(
        "UPDATE cart SET status = 'merged' "
        "WHERE status = 'open' AND user_id IS NOT NULL AND id NOT IN ("
        "SELECT max_id FROM (SELECT MAX(id) AS max_id FROM cart "
        "WHERE status = 'open' AND user_id IS NOT NULL GROUP BY user_id) AS newest)"
    )
    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.create_index(
            "uq_cart_open_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_CART_CONDITION),
            postgresql_where=sa.text(OPEN_CART_CONDITION),
        )


def downgrade() -> None:
    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.drop_index("uq_cart_open_user")
        batch_op.drop_column("notice")

    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_column("ship_region")

    op.drop_table("saved_address")
    op.drop_table("payment")
    with op.batch_alter_table("order_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_event_order_id"))
    op.drop_table("order_event")
