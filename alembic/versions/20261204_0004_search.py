"""Add catalog search indexes.

PostgreSQL gets the `pg_trgm` and `unaccent` extensions, an immutable wrapper of
unaccent (the extension's function is only stable, so indexes cannot use it), the
`book_search` table with a weighted `tsvector` and its GIN index, trigram indexes for
literal and misspelt text, and `search_term`, the vocabulary that typo correction
looks up by trigram similarity. `book_search` also copies each book's rating count
and archived flag, so a search without other filters ranks its matches without
reading `book` for each of them.

SQLite gets the FTS5 table `book_fts` (one row per book, rowid = book id), the
`book_fts_vocab` table that lists its terms, and a trigger that drops a deleted book's
row. NOTE: SQLite batch migrations copy a table to change it, which drops its
triggers; a later migration that alters `book` on SQLite must create
`book_fts_after_book_delete` again.

None of these objects are models: sky_readers.catalog.search_index fills them, and
tests/test_migrations.py leaves them out of the model comparison.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 10:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _upgrade_postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'unaccent'"
            )
        )
        .scalar_one()
    )
    # Naming the dictionary and the schema makes the result independent of
    # search_path, which is what allows IMMUTABLE.
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION search_unaccent(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT {_quote(schema)}.unaccent(
            '{_quote(schema)}.unaccent'::regdictionary, value) $$
        """
    )
    op.execute(
        """
        CREATE TABLE book_search (
            book_id integer PRIMARY KEY REFERENCES book (id) ON DELETE CASCADE,
            title_text text NOT NULL DEFAULT '',
            authors_text text NOT NULL DEFAULT '',
            extra_text text NOT NULL DEFAULT '',
            phrase_text text NOT NULL DEFAULT '',
            rating_count integer NOT NULL DEFAULT 0,
            is_archived boolean NOT NULL DEFAULT false,
            document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', search_unaccent(title_text)), 'A')
                || setweight(
                    to_tsvector('simple', search_unaccent(authors_text)), 'B')
                || setweight(to_tsvector('simple', search_unaccent(extra_text)), 'C')
            ) STORED
        )
        """
    )
    # Without fastupdate, writes go straight into the GIN trees. With it, they wait
    # in a pending list that every search scans until the next vacuum, which made
    # searches after a catalog import about a hundred times slower.
    op.execute(
        "CREATE INDEX ix_book_search_document ON book_search "
        "USING gin (document) WITH (fastupdate = off)"
    )
    op.execute(
        "CREATE INDEX ix_book_search_phrase_trgm ON book_search "
        "USING gin (phrase_text gin_trgm_ops) WITH (fastupdate = off)"
    )
    op.execute("CREATE TABLE search_term (term text PRIMARY KEY)")
    # GiST, unlike GIN, returns the nearest terms first (ORDER BY term <-> 'x'), so a
    # typo lookup reads a few index pages instead of every term.
    op.execute(
        "CREATE INDEX ix_search_term_trgm ON search_term "
        "USING gist (term gist_trgm_ops)"
    )


def _upgrade_sqlite() -> None:
    op.execute(
        """
        CREATE VIRTUAL TABLE book_fts USING fts5(
            title_text, authors_text, extra_text, phrase_text UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3 4'
        )
        """
    )
    op.execute("CREATE VIRTUAL TABLE book_fts_vocab USING fts5vocab(book_fts, 'row')")
    op.execute(
        """
        CREATE TRIGGER book_fts_after_book_delete AFTER DELETE ON book
        BEGIN
            DELETE FROM book_fts WHERE rowid = old.id;
        END
        """
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_term")
        op.execute("DROP TABLE IF EXISTS book_search")
        op.execute("DROP FUNCTION IF EXISTS search_unaccent(text)")
        # The extensions stay: other objects of the database may use them.
    else:
        op.execute("DROP TRIGGER IF EXISTS book_fts_after_book_delete")
        op.execute("DROP TABLE IF EXISTS book_fts_vocab")
        op.execute("DROP TABLE IF EXISTS book_fts")
