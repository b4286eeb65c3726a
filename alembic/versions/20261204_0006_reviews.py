"""Add reviews, helpful votes, wishlists, restock watch and recommendation tables.

`book` gains `imported_rating` and `imported_rating_count`, filled from the current
`average_rating` and `rating_count`: before this revision the store had no reviews of
its own, so every rating in the database was an imported one. From here on those two
columns hold the rating the store shows, imported and reviews combined.

The new `book` columns are added with plain ALTER TABLE statements, not a batch
copy, so SQLite keeps the `book_fts_after_book_delete` trigger of revision 0004.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 12:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sky_readers.core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name, sky_readers.core.types.UTCDateTime(timezone=True), nullable=nullable
    )


def _add_book_columns() -> None:
    op.add_column(
        "book",
        sa.Column(
            "imported_rating",
            sky_readers.core.types.FixedDecimal(precision=3, scale=2),
            nullable=False,
            server_default="0",
        ),
    )
    op.add_column(
        "book",
        sa.Column(
            "imported_rating_count",
            sa.Integer(),
            nullable=False,
            server_default="0",
        ),
    )
    # Both databases store FixedDecimal the same way in both columns (integer
    # hundredths on SQLite, NUMERIC on PostgreSQL), so a plain copy keeps the values.
    op.execute(
        "UPDATE book SET imported_rating = average_rating, "
        "imported_rating_count = rating_count"
    )


def _create_review_tables() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("helpful_count", sa.Integer(), nullable=False),
        _utc("hidden_at", True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        _utc("created_at", False),
        _utc("updated_at", False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating_range"),
        sa.CheckConstraint("helpful_count >= 0", name="ck_review_helpful_not_negative"),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["user_account.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("book_id", "user_id", name="uq_review_book_user"),
    )
    op.create_index("ix_review_book_created", "review", ["book_id", "created_at"])
    op.create_index("ix_review_user_id", "review", ["user_id"])

    op.create_table(
        "review_vote",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _utc("created_at", False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("review_id", "user_id"),
    )
    op.create_index("ix_review_vote_user_id", "review_vote", ["user_id"])


def _create_wishlist_tables() -> None:
    op.create_table(
        "wishlist_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("notify_restock", sa.Boolean(), nullable=False),
        _utc("added_at", False),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "book_id", name="uq_wishlist_item_user_book"),
    )
    op.create_index("ix_wishlist_item_book_id", "wishlist_item", ["book_id"])

    op.create_table(
        "restock_watch",
        sa.Column("book_id", sa.Integer(), nullable=False),
        _utc("sold_out_since", True),
        sa.Column("restock_count", sa.Integer(), nullable=False),
        _utc("last_restocked_at", True),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("book_id"),
    )


def _create_recommendation_tables() -> None:
    op.create_table(
        "goodbooks_rating",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "book_id"),
    )
    op.create_index("ix_goodbooks_rating_book_id", "goodbooks_rating", ["book_id"])

    op.create_table(
        "book_neighbour",
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("neighbour_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["neighbour_id"], ["book.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("book_id", "rank"),
    )
    op.create_index(
        "ix_book_neighbour_neighbour_id", "book_neighbour", ["neighbour_id"]
    )

    op.create_table(
        "recommendation_build",
        sa.Column("id", sa.Integer(), nullable=False),
        _utc("started_at", False),
        _utc("finished_at", False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("readers", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("books", sa.Integer(), nullable=False),
        sa.Column("rating_neighbours", sa.Integer(), nullable=False),
        sa.Column("category_neighbours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def upgrade() -> None:
    _add_book_columns()
    _create_review_tables()
    _create_wishlist_tables()
    _create_recommendation_tables()


def downgrade() -> None:
    op.drop_table("recommendation_build")
    op.drop_index("ix_book_neighbour_neighbour_id", table_name="book_neighbour")
    op.drop_table("book_neighbour")
    op.drop_index("ix_goodbooks_rating_book_id", table_name="goodbooks_rating")
    op.drop_table("goodbooks_rating")
    op.drop_table("restock_watch")
    op.drop_index("ix_wishlist_item_book_id", table_name="wishlist_item")
    op.drop_table("wishlist_item")
    op.drop_index("ix_review_vote_user_id", table_name="review_vote")
    op.drop_table("review_vote")
    op.drop_index("ix_review_user_id", table_name="review")
    op.drop_index("ix_review_book_created", table_name="review")
    op.drop_table("review")
    # The shown rating goes back to the imported one, which is what it was before.
    op.execute(
        "UPDATE book SET average_rating = imported_rating, "
        "rating_count = imported_rating_count"
    )
    # SQLite 3.35 and later drop a column in place, which keeps the book triggers.
    op.drop_column("book", "imported_rating_count")
    op.drop_column("book", "imported_rating")
