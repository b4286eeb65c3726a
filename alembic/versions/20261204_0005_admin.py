"""Add the stock change log and the former slugs of categories.

Both are new tables, so the migration leaves existing rows as they are.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sky_readers.core.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stock_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_email", sa.String(length=320), nullable=False),
        sa.Column("old_stock", sa.Integer(), nullable=False),
        sa.Column("new_stock", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "changed_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user_account.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stock_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_change_book_time", ["book_id", "changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_change_changed_by_id"),
            ["changed_by_id"],
            unique=False,
        )

    op.create_table(
        "category_redirect",
        sa.Column("old_slug", sa.String(length=140), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("old_slug"),
    )
    with op.batch_alter_table("category_redirect", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_category_redirect_category_id"),
            ["category_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("category_redirect", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_redirect_category_id"))
    op.drop_table("category_redirect")

    with op.batch_alter_table("stock_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_change_changed_by_id"))
        batch_op.drop_index("ix_stock_change_book_time")
    op.drop_table("stock_change")
