"""The catalog search index: what it stores, how it is refreshed, how it is queried.

Each book has one index row, written by `refresh_search_index` from the book, its
authors and its categories, all passed through `search_text`:

- `title_text`: terms of the title, subtitle and series (weight A on PostgreSQL);
- `authors_text`: terms of the author names (weight B);
- `extra_text`: terms of the description and the category names (weight C);
- `phrase_text`: folded title, subtitle, series and authors with their punctuation,
  for literal matches of text such as "100%" or "snake_case".

PostgreSQL keeps the rows in `book_search` (with a generated weighted `tsvector`) and
the vocabulary in `search_term`; SQLite keeps them in the FTS5 table `book_fts`, whose
vocabulary `book_fts_vocab` lists. The migration 0004 creates all of them.

The index follows the ORM: when a session commits changes to books, authors, categories
or their links, the books concerned are refreshed in the same transaction (see
`_collect_changes`). Bulk writes that bypass the ORM, such as catalog imports with Core
inserts, call `refresh_search_index` themselves.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from rapidfuzz.distance import OSA
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from sky_readers.catalog import search_text
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category

logger = logging.getLogger(__name__)

# Rows written per statement during a refresh.
REFRESH_BATCH = 500
# Terms shorter than this are never corrected: too many words are one edit away.
MIN_FUZZY_LENGTH = 4
# Corrections kept per query term, closest first; common short words have dozens of
# neighbours one edit away ("hary": gary, hard, hare, harry, mary ...).
MAX_ALTERNATIVES = 40
# Trigram similarity (0 to 1) a vocabulary term needs on PostgreSQL before its edit
# distance is computed; low enough for "tolkein" and "tolkien" (0.33).
TRIGRAM_THRESHOLD = 0.2
# Vocabulary terms fetched per query term on PostgreSQL, most similar first.
TRIGRAM_CANDIDATES = 200
# How long a process reuses the SQLite vocabulary it read, in seconds. Refreshes in
# the same process drop it at once; other processes see new terms after this delay.
VOCABULARY_CACHE_SECONDS = 30.0

FIELDS = ("title_text", "authors_text", "extra_text")
_PG_WEIGHTS = {"title_text": "A", "authors_text": "B", "extra_text": "C"}

book_search_table = sa.table(
    "book_search",
    sa.column("book_id", sa.Integer),
    sa.column("title_text", sa.Text),
    sa.column("authors_text", sa.Text),
    sa.column("extra_text", sa.Text),
    sa.column("phrase_text", sa.Text),
    # Copies of the book's columns, for ranking without a join (PostgreSQL only).
    sa.column("rating_count", sa.Integer),
    sa.column("is_archived", sa.Boolean),
    sa.column("document"),
)
book_fts_table = sa.table(
    "book_fts",
    sa.column("rowid", sa.Integer),
    sa.column("title_text", sa.Text),
    sa.column("authors_text", sa.Text),
    sa.column("extra_text", sa.Text),
    sa.column("phrase_text", sa.Text),
)
_search_term_table = sa.table("search_term", sa.column("term", sa.Text))
_fts_vocab_table = sa.table("book_fts_vocab", sa.column("term", sa.Text))
# Database URL to (time read, every term), for SQLite only.
_vocabulary_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


@dataclasses.dataclass(frozen=True)
class TermGroup:
    """Terms of which any one may match: the typed term, corrections, prefixes."""

    exact: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """Tell whether the group has any term at all."""
        return bool(self.exact or self.prefixes)


def is_postgresql(session: Session) -> bool:
    """Tell whether the session talks to PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


# ---------------------------------------------------------------------------------
# Queries on the index


def _pg_quote(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def _fts5_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _pg_tsquery(groups: Sequence[TermGroup], field: str | None) -> str:
    weight = _PG_WEIGHTS[field] if field else ""
    parts = []
    for group in groups:
        options = [
            f"{_pg_quote(term)}:{weight}" if weight else _pg_quote(term)
            for term in group.exact
        ]
        options += [f"{_pg_quote(term)}:*{weight}" for term in group.prefixes]
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)


def _fts5_query(groups: Sequence[TermGroup], field: str | None) -> str:
    parts = []
    for group in groups:
        options = [_fts5_quote(term) for term in group.exact]
        options += [_fts5_quote(term) + "*" for term in group.prefixes]
        expression = "(" + " OR ".join(options) + ")"
        parts.append(f"{{{field}}} : {expression}" if field else expression)
    return " AND ".join(parts)


def index_table(session: Session) -> sa.TableClause:
    """Return the table that holds the index rows on the session's database."""
    return book_search_table if is_postgresql(session) else book_fts_table


def index_join_condition(session: Session) -> ColumnElement[bool]:
    """Return the condition that joins the index rows to `book`."""
    if is_postgresql(session):
        return book_search_table.c.book_id == col(Book.id)
    return book_fts_table.c.rowid == col(Book.id)


def matches(
    session: Session, groups: Sequence[TermGroup], field: str | None = None
) -> ColumnElement[bool]:
    """Build a condition on a row of `book` joined to its index row.

    Every group must match, each by any of its terms, in `field` or in any field.
    Terms are quoted for the full-text query language and the query is a bound
    parameter, so quotes or operators typed by a shopper stay plain text.

    Args:
        session: Session whose database decides the SQL.
        groups: Term groups, none empty.
        field: One of FIELDS, or None for every field.
    """
    if is_postgresql(session):
        query = sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"),
            sa.bindparam(None, _pg_tsquery(groups, field), type_=sa.Text),
        )
        return book_search_table.c.document.op("@@")(query)
    match = sa.literal_column("book_fts").op("MATCH")(
        sa.bindparam(None, _fts5_query(groups, field), type_=sa.Text)
    )
    return col(Book.id).in_(sa.select(book_fts_table.c.rowid).where(match))


def max_edits(term: str) -> int:
    """Return how many edits a correction of a query term may be away from it."""
    if len(term) < MIN_FUZZY_LENGTH or any(char.isdigit() for char in term):
        return 0
    return 1 if len(term) < 6 else 2


def _closest(term: str, candidates: Iterable[str]) -> list[str]:
    limit = max_edits(term)
    scored = []
    for candidate in candidates:
        if candidate == term or abs(len(candidate) - len(term)) > limit:
            continue
        distance = OSA.distance(term, candidate, score_cutoff=limit)
        if distance <= limit:
            scored.append((distance, candidate))
    scored.sort()
    return [candidate for _distance, candidate in scored[:MAX_ALTERNATIVES]]


def _pg_candidates(session: Session, terms: Sequence[str]) -> dict[str, list[str]]:
    """Fetch, per term, the vocabulary terms most similar by trigrams, in one query.

    The inner query walks the GiST trigram index nearest first (ORDER BY <->) and
    stops after TRIGRAM_CANDIDATES terms. The outer filter then drops terms less
    similar than TRIGRAM_THRESHOLD. The result equals filtering with the "%"
    operator first, but needs no pg_trgm.similarity_threshold setting, and so no
    extra statement.
    """
    rows = session.execute(
        sa.text(
            "SELECT wanted.term, near.term FROM unnest(CAST(:terms AS text[])) "
            "AS wanted(term) CROSS JOIN LATERAL ("
            "SELECT s.term, s.term <-> wanted.term AS distance FROM search_term s "
            "ORDER BY s.term <-> wanted.term LIMIT :limit) AS near "
            "WHERE near.distance <= :max_distance"
        ),
        {
            "terms": list(terms),
            "limit": TRIGRAM_CANDIDATES,
            # A little slack, because the distance is a float4.
            "max_distance": 1 - TRIGRAM_THRESHOLD + 1e-6,
        },
    ).all()
    found: dict[str, list[str]] = {term: [] for term in terms}
    for wanted, near in rows:
        found[wanted].append(near)
    return found


def _sqlite_vocabulary(session: Session) -> tuple[str, ...]:
    """Read every term of the FTS5 index, cached per database for a short while."""
    key = str(session.get_bind().url)
    cached = _vocabulary_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < VOCABULARY_CACHE_SECONDS:
        return cached[1]
    vocabulary = tuple(session.execute(sa.select(_fts_vocab_table.c.term)).scalars())
    _vocabulary_cache[key] = (now, vocabulary)
    return vocabulary


def similar_terms(session: Session, terms: Iterable[str]) -> dict[str, list[str]]:
    """Find, for each query term, the index terms within `max_edits(term)` edits.

    An edit inserts, deletes or replaces a letter, or swaps two neighbours, so
    "tolkein" finds "tolkien" and "hary" finds "harry". PostgreSQL picks candidates by
    trigram similarity through the trigram index of `search_term`; SQLite compares
    with every term of its FTS5 vocabulary. Both then apply the same edit distance.

    Returns:
        For every term, up to MAX_ALTERNATIVES other terms, by distance and then
        alphabetically; an empty list for terms too short to correct.
    """
    wanted = [term for term in dict.fromkeys(terms) if max_edits(term)]
    found: dict[str, list[str]] = {term: [] for term in terms}
    if not wanted:
        return found
    if is_postgresql(session):
        candidates = _pg_candidates(session, wanted)
        for term in wanted:
            found[term] = _closest(term, candidates[term])
    else:
        vocabulary = _sqlite_vocabulary(session)
        for term in wanted:
            found[term] = _closest(term, vocabulary)
    return found


def forget_vocabulary(session: Session) -> None:
    """Drop this process's cached vocabulary of the session's database."""
    _vocabulary_cache.pop(str(session.get_bind().url), None)


# ---------------------------------------------------------------------------------
# Refresh


@dataclasses.dataclass
class _Document:
    title: str
    subtitle: str | None
    series: str | None
    description: str
    rating_count: int = 0
    is_archived: bool = False
    authors: list[str] = dataclasses.field(default_factory=list)
    categories: list[str] = dataclasses.field(default_factory=list)

    def row(self, book_id: int) -> dict[str, object]:
        titles = [self.title, self.subtitle or "", self.series or ""]
        return {
            "book_id": book_id,
            "title_text": search_text.term_text(" ".join(titles)),
            "authors_text": search_text.term_text(" ".join(self.authors)),
            "extra_text": search_text.term_text(
                " ".join([self.description, *self.categories])
            ),
            "phrase_text": "\n".join(
                search_text.phrase(text) for text in [*titles, *self.authors] if text
            ),
            "rating_count": self.rating_count,
            "is_archived": self.is_archived,
        }


def _load_documents(session: Session, book_ids: Sequence[int]) -> dict[int, _Document]:
    books = session.exec(
        select(
            Book.id,
            Book.title,
            Book.subtitle,
            Book.series,
            Book.description,
            Book.rating_count,
            Book.is_archived,
        ).where(col(Book.id).in_(book_ids))
    ).all()
    documents = {
        row[0]: _Document(
            title=row[1],
            subtitle=row[2],
            series=row[3],
            description=row[4] or "",
            rating_count=row[5] or 0,
            is_archived=bool(row[6]),
        )
        for row in books
    }
    authors = session.exec(
        select(BookAuthor.book_id, Author.name)
        .join(Author, col(Author.id) == col(BookAuthor.author_id))
        .where(col(BookAuthor.book_id).in_(book_ids))
        .order_by(col(BookAuthor.book_id), col(BookAuthor.position))
    ).all()
    for book_id, name in authors:
        documents[book_id].authors.append(name)
    categories = session.exec(
        select(BookCategory.book_id, Category.name)
        .join(Category, col(Category.id) == col(BookCategory.category_id))
        .where(col(BookCategory.book_id).in_(book_ids))
        .order_by(col(BookCategory.book_id), col(BookCategory.position))
    ).all()
    for book_id, name in categories:
        documents[book_id].categories.append(name)
    return documents


def _write_postgresql(
    session: Session, book_ids: Sequence[int], rows: list[dict[str, object]]
) -> None:
    from sqlalchemy.dialects.postgresql import insert

    present = {row["book_id"] for row in rows}
    gone = [book_id for book_id in book_ids if book_id not in present]
    if gone:
        session.execute(
            sa.delete(book_search_table).where(book_search_table.c.book_id.in_(gone))
        )
    if not rows:
        return
    statement = insert(book_search_table)
    statement = statement.on_conflict_do_update(
        index_elements=[book_search_table.c.book_id],
        set_={
            name: statement.excluded[name]
            for name in (
                "title_text",
                "authors_text",
                "extra_text",
                "phrase_text",
                "rating_count",
                "is_archived",
            )
        },
    )
    session.execute(statement, rows)
    session.execute(
        sa.text(
            "INSERT INTO search_term (term) "
            "SELECT DISTINCT unnest(tsvector_to_array(document)) FROM book_search "
            "WHERE book_id = ANY(:ids) ON CONFLICT DO NOTHING"
        ),
        {"ids": sorted(present)},
    )


def _write_sqlite(
    session: Session, book_ids: Sequence[int], rows: list[dict[str, object]]
) -> None:
    session.execute(
        sa.delete(book_fts_table).where(book_fts_table.c.rowid.in_(list(book_ids)))
    )
    if rows:
        session.execute(
            sa.text(
                "INSERT INTO book_fts "
                "(rowid, title_text, authors_text, extra_text, phrase_text) "
                "VALUES (:book_id, :title_text, :authors_text, :extra_text, "
                ":phrase_text)"
            ),
            rows,
        )


def _clear_index(session: Session) -> None:
    if is_postgresql(session):
        session.execute(sa.text("TRUNCATE book_search, search_term"))
    else:
        session.execute(sa.text("DELETE FROM book_fts"))


def refresh_search_index(
    session: Session, book_ids: Iterable[int] | None = None
) -> int:
    """Rewrite the index rows of some books, or rebuild the whole index.

    Runs in the caller's transaction, so the index changes commit or roll back with
    the books. Ids of books that no longer exist lose their rows.

    Args:
        session: Open session; pending changes are flushed first.
        book_ids: Books to refresh; None rebuilds every row and, on PostgreSQL, the
            vocabulary, which otherwise only grows.

    Returns:
        Number of index rows written.
    """
    session.flush()
    if book_ids is None:
        _clear_index(session)
        ids = list(session.exec(select(Book.id).order_by(col(Book.id))).all())
    else:
        ids = sorted(set(book_ids))
    writer = _write_postgresql if is_postgresql(session) else _write_sqlite
    written = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        documents = _load_documents(session, batch)
        rows = [documents[book_id].row(book_id) for book_id in sorted(documents)]
        writer(session, batch, rows)
        written += len(rows)
    forget_vocabulary(session)
    if book_ids is None:
        if is_postgresql(session):
            # Fresh statistics let the planner use the GIN index right away.
            session.execute(sa.text("ANALYZE book_search, search_term"))
        logger.info("Rebuilt the search index: %d books", written)
    return written


# ---------------------------------------------------------------------------------
# Keeping the index in step with ORM changes

_PENDING_BOOKS = "search_index_pending_books"
_PENDING_AUTHORS = "search_index_pending_authors"
_PENDING_CATEGORIES = "search_index_pending_categories"


def _collect_changes(session: OrmSession, _flush_context) -> None:
    """Remember which books a flush touched, to refresh them before commit."""
    books = session.info.setdefault(_PENDING_BOOKS, set())
    authors = session.info.setdefault(_PENDING_AUTHORS, set())
    categories = session.info.setdefault(_PENDING_CATEGORIES, set())
    for instance in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(instance, Book) and instance.id is not None:
            books.add(instance.id)
        elif isinstance(instance, BookAuthor | BookCategory):
            books.add(instance.book_id)
        elif isinstance(instance, Author) and instance.id is not None:
            authors.add(instance.id)
        elif isinstance(instance, Category) and instance.id is not None:
            categories.add(instance.id)


def _refresh_before_commit(session: OrmSession) -> None:
    # Commit calls this hook before its own flush, so flush here to collect the
    # changes still pending.
    session.flush()
    if not any(
        session.info.get(key)
        for key in (_PENDING_BOOKS, _PENDING_AUTHORS, _PENDING_CATEGORIES)
    ):
        return
    books = set(session.info.pop(_PENDING_BOOKS, ()))
    authors = session.info.pop(_PENDING_AUTHORS, set())
    categories = session.info.pop(_PENDING_CATEGORIES, set())
    if authors:
        books.update(
            session.execute(
                sa.select(BookAuthor.book_id).where(
                    col(BookAuthor.author_id).in_(sorted(authors))
                )
            ).scalars()
        )
    if categories:
        books.update(
            session.execute(
                sa.select(BookCategory.book_id).where(
                    col(BookCategory.category_id).in_(sorted(categories))
                )
            ).scalars()
        )
    if books:
        refresh_search_index(session, books)  # type: ignore[arg-type]


def _forget_changes(session: OrmSession, *_args) -> None:
    for key in (_PENDING_BOOKS, _PENDING_AUTHORS, _PENDING_CATEGORIES):
        session.info.pop(key, None)


def install_index_listeners() -> None:
    """Refresh the index rows of changed books in every session's commit; idempotent."""
    for name, listener in (
        ("after_flush", _collect_changes),
        ("before_commit", _refresh_before_commit),
        ("after_rollback", _forget_changes),
    ):
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)


install_index_listeners()
