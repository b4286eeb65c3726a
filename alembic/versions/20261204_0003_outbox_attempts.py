"""Add the record of each mail delivery attempt.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sky_readers.core.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_outbox_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=100), nullable=False),
        sa.Column("backend", sa.String(length=20), nullable=False),
        sa.Column(
            "started_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "finished_at",
            sky_readers.core.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("provider_message_id", sa.String(length=300), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["email_outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "outbox_id", "number", name="uq_email_outbox_attempt_number"
        ),
    )
    with op.batch_alter_table("email_outbox_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_outbox_attempt_outbox_id"),
            ["outbox_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("email_outbox_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_outbox_attempt_outbox_id"))

    op.drop_table("email_outbox_attempt")
