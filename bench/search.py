"""Measure catalog search latency on PostgreSQL, next to a naive ILIKE scan.

Run from the project root: `python -m bench.search` (about fifteen to twenty-five minutes
on a 2-core machine).

The benchmark creates its own database on the PostgreSQL server named by
BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), drops it
at the end, and writes its figures to the "Search latency" section of
docs/benchmarks.md. It runs two rounds on the same database:

1. the 10,000 goodbooks books, imported and indexed as the store does it;
2. the same books plus 990,000 generated ones, 1,000,000 in all.

Generated books get titles of words drawn from the goodbooks titles with their real
frequencies (so "the" is as common as in real titles) and authors drawn from the
goodbooks author names. They are written with COPY straight into `book`, `author`,
`book_author`, `book_search` and `search_term`; the words are already folded, so the
index rows equal what `refresh_search_index` writes. The GIN and trigram indexes are
built after the load.

Each round runs the same query set (at least 200 queries, a quarter with one typo)
once to warm the caches, then three times timed. "Server-side latency" is the time of
`search_books` in this process: the SQL and the building of the result page, without
HTTP. The naive baseline is `title ILIKE '%q%' OR an author name ILIKE '%q%'`, ordered
by number of ratings, which is what a store without a search index would run.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import isbnlib
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bench.report import write_section
from sky_readers.catalog import search_text
from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.catalog.search import SearchQuery, load_summaries, search_books
from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from sky_readers.core.settings import get_settings, normalise_database_url

logger = logging.getLogger("bench.search")

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 20261204
TOTAL_BOOKS = 1_000_000
# Query mix: clean queries by kind, then typo queries (a quarter of all).
CLEAN_QUERIES = {
    "title start": 50,
    "full title": 20,
    "author surname": 30,
    "author name": 20,
    "title word and author": 20,
    "title word": 20,
    "isbn": 10,
    "topic": 10,
}
TYPO_QUERIES = 60
# Queries of the naive scan on the large catalog, where each takes about a second.
NAIVE_SAMPLE = 60
# Timed passes over the query set; every pass counts towards median and p95.
TIMED_PASSES = 3
# Results that count as a hit when the intended book is among them.
HIT_DEPTH = 20
# Targets of the 95th percentile, in milliseconds.
TARGET_P95_MS = {10_000: 30.0, TOTAL_BOOKS: 100.0}

NAIVE_SQL = sa.text(
    """
    SELECT b.id, count(*) OVER () AS total
    FROM book b
    WHERE NOT b.is_archived AND (
        b.title ILIKE :pattern ESCAPE '\\'
        OR EXISTS (
            SELECT 1 FROM book_author ba JOIN author a ON a.id = ba.author_id
            WHERE ba.book_id = b.id AND a.name ILIKE :pattern ESCAPE '\\'
        )
    )
    ORDER BY b.rating_count DESC, b.id
    LIMIT 20
    """
)


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    """A query, its kind, and the book it was built from."""

    text: str
    kind: str
    book_id: int
    typo: bool = False


@dataclasses.dataclass
class Timing:
    """Latencies of one engine over the query set, in milliseconds, and its hits."""

    # One list per query, with one latency per timed pass.
    per_query: list[list[float]] = dataclasses.field(default_factory=list)
    typo_hits: int = 0
    typo_total: int = 0

    @property
    def samples(self) -> list[float]:
        """Every timed latency, of every query and pass."""
        return [sample for runs in self.per_query for sample in runs]

    @property
    def median(self) -> float:
        """Median latency."""
        return statistics.median(self.samples)

    def subset(self, queries: list[BenchQuery], chosen: list[BenchQuery]) -> Timing:
        """Return the latencies of the chosen queries, from a run over `queries`."""
        chosen_ids = {id(query) for query in chosen}
        runs = [
            runs
            for query, runs in zip(queries, self.per_query, strict=True)
            if id(query) in chosen_ids
        ]
        return Timing(per_query=runs)

    @property
    def p95(self) -> float:
        """95th percentile latency (nearest rank)."""
        ordered = sorted(self.samples)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# ---------------------------------------------------------------------------------
# Database


@dataclasses.dataclass
class BenchDatabase:
    """A database created for this run on the benchmark server."""

    server_url: str
    name: str = dataclasses.field(
        default_factory=lambda: f"bench_search_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    )

    @property
    def url(self) -> str:
        """URL of the benchmark database."""
        return (
            make_url(self.server_url)
            .set(database=self.name)
            .render_as_string(hide_password=False)
        )

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(
            normalise_database_url(self.server_url), isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
        engine.dispose()

    def create(self) -> None:
        """Create the database and run the store's migrations on it."""
        self._admin(f'CREATE DATABASE "{self.name}"')
        migrations.upgrade(self.url)

    def drop(self) -> None:
        """Drop the database, closing other connections to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _vacuum(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


# ---------------------------------------------------------------------------------
# Queries


def _typo(word: str, rng: random.Random) -> str:
    """Apply one random edit to a word: delete, insert, replace or swap letters."""
    position = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    edit = rng.choice(["delete", "insert", "replace", "swap"])
    if edit == "delete":
        return word[:position] + word[position + 1 :]
    if edit == "insert":
        return word[:position] + letter + word[position:]
    if edit == "replace":
        replacement = letter if letter != word[position] else "x"
        return word[:position] + replacement + word[position + 1 :]
    return (
        word[: position - 1]
        + word[position]
        + word[position - 1]
        + word[position + 1 :]
    )


def _with_typo(query: BenchQuery, rng: random.Random) -> BenchQuery | None:
    words = query.text.split()
    long_words = [
        i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()
    ]
    if not long_words:
        return None
    index = rng.choice(long_words)
    words[index] = _typo(words[index], rng)
    return BenchQuery(" ".join(words), query.kind, query.book_id, typo=True)


def build_queries(engine: Engine) -> list[BenchQuery]:
    """Build the query set from the 2,000 most rated goodbooks books."""
    rng = random.Random(SEED)
    with engine.connect() as connection:
        books = connection.execute(
            sa.text(
                "SELECT b.id, b.title, b.isbn10, b.isbn13, "
                "array_agg(a.name ORDER BY ba.position) AS authors "
                "FROM book b JOIN book_author ba ON ba.book_id = b.id "
                "JOIN author a ON a.id = ba.author_id "
                "GROUP BY b.id ORDER BY b.rating_count DESC LIMIT 2000"
            )
        ).all()
        topics = [
            (row.name, row.book_id)
            for row in connection.execute(
                sa.text(
                    "SELECT c.name, min(bc.book_id) AS book_id FROM category c "
                    "JOIN book_category bc ON bc.category_id = c.id GROUP BY c.name"
                )
            )
        ]

    def title_words(title: str) -> list[str]:
        return title.split(":")[0].split()

    makers: dict[str, Callable] = {
        "title start": lambda b: " ".join(title_words(b.title)[: rng.randint(2, 4)]),
        "full title": lambda b: b.title,
        "author surname": lambda b: b.authors[0].split()[-1],
        "author name": lambda b: b.authors[0],
        "title word and author": lambda b: (
            max(title_words(b.title), key=len) + " " + b.authors[0].split()[-1]
        ),
        "title word": lambda b: max(title_words(b.title), key=len),
        "isbn": lambda b: rng.choice(
            [b.isbn13, isbnlib.mask(b.isbn13) or b.isbn13, b.isbn10 or b.isbn13]
        ),
    }
    queries: list[BenchQuery] = []
    seen: set[str] = set()
    for name, book_id in rng.sample(topics, min(CLEAN_QUERIES["topic"], len(topics))):
        seen.add(name.lower())
        queries.append(BenchQuery(name, "topic", book_id))
    for kind, count in CLEAN_QUERIES.items():
        made = 0
        while kind in makers and made < count:
            book = rng.choice(books)
            if kind == "isbn" and not book.isbn13:
                continue
            text = makers[kind](book).strip()
            if not text or text.lower() in seen:
                continue
            seen.add(text.lower())
            queries.append(BenchQuery(text, kind, book.id))
            made += 1
    sources = [q for q in queries if q.kind not in ("isbn", "topic")]
    typos: list[BenchQuery] = []
    while len(typos) < TYPO_QUERIES:
        typo = _with_typo(rng.choice(sources), rng)
        if typo is not None and typo.text.lower() not in seen:
            seen.add(typo.text.lower())
            typos.append(typo)
    queries += typos
    rng.shuffle(queries)
    return queries


# ---------------------------------------------------------------------------------
# Timed runs


def _run_ours(session: Session, query: BenchQuery) -> list[int]:
    return [book.id for book in search_books(session, SearchQuery(q=query.text)).items]


def _run_naive(session: Session, query: BenchQuery) -> list[int]:
    pattern = "%" + search_text.escape_like(query.text) + "%"
    rows = session.execute(NAIVE_SQL, {"pattern": pattern}).all()
    ids = [row[0] for row in rows]
    load_summaries(session, ids)
    return ids


def naive_sample(queries: list[BenchQuery]) -> list[BenchQuery]:
    """Pick NAIVE_SAMPLE queries with the same share of typos as the whole set."""
    typos = [query for query in queries if query.typo]
    clean = [query for query in queries if not query.typo]
    typo_count = round(NAIVE_SAMPLE * len(typos) / len(queries))
    return clean[: NAIVE_SAMPLE - typo_count] + typos[:typo_count]


def measure(
    engine: Engine,
    queries: list[BenchQuery],
    run: Callable[[Session, BenchQuery], list],
    passes: int = TIMED_PASSES,
) -> Timing:
    """Run every query once to warm up, then `passes` times timed.

    Each run has its own session. Passes go through the whole set in turn, so a
    burst of load from another process spreads over many queries instead of
    landing on every run of one.
    """
    for query in queries:
        with Session(engine) as session:
            run(session, query)
    timing = Timing(per_query=[[] for _query in queries])
    for number in range(passes):
        for query, runs in zip(queries, timing.per_query, strict=True):
            with Session(engine) as session:
                started = time.perf_counter()
                ids = run(session, query)
                runs.append((time.perf_counter() - started) * 1000)
            if number == 0 and query.typo:
                timing.typo_total += 1
                timing.typo_hits += query.book_id in ids[:HIT_DEPTH]
    return timing


# ---------------------------------------------------------------------------------
# Generated catalog


def _copy(engine: Engine, table: str, columns: str, rows: Iterator[str]) -> None:
    """COPY text-format rows into a table, 50,000 rows per statement, one commit."""
    statement = f"COPY {table} ({columns}) FROM STDIN"
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            buffer = io.StringIO()
            for count, row in enumerate(rows, 1):
                buffer.write(row)
                if count % 50_000 == 0:
                    buffer.seek(0)
                    cursor.copy_expert(statement, buffer)
                    buffer = io.StringIO()
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
        raw.commit()
    finally:
        raw.close()


def _escape_copy(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\t", " ")
        .replace("\n", "\\n")
        .replace("\r", " ")
    )


def generate_books(engine: Engine, count: int) -> None:
    """Add `count` generated books with one author each, already indexed."""
    rng = random.Random(SEED + 1)
    with engine.connect() as connection:
        titles = connection.execute(sa.text("SELECT title_text FROM book_search")).all()
        names = connection.execute(sa.text("SELECT name FROM author")).scalars().all()
        first_id = connection.execute(sa.text("SELECT max(id) FROM book")).scalar_one()
        first_author = connection.execute(
            sa.text("SELECT max(id) FROM author")
        ).scalar_one()
    # Every word occurrence of the real titles, so common words stay common.
    word_pool = [word for (title,) in titles for word in title.split()]
    first_names = [name.split()[0] for name in names if len(name.split()) > 1]
    surnames = [name.split()[-1] for name in names]

    author_count = count // 20
    authors = []
    for _ in range(author_count):
        name = f"{rng.choice(first_names)} {rng.choice(surnames)}"
        authors.append(name)
    author_ids = range(first_author + 1, first_author + 1 + author_count)

    def author_rows() -> Iterator[str]:
        for author_id, name in zip(author_ids, authors, strict=True):
            key = f"generated {author_id}"
            yield (
                f"{author_id}\t{_escape_copy(name)}\t{key}\tgenerated-{author_id}"
                "\t2026-01-01 00:00:00+00\n"
            )

    _copy(engine, "author", "id, name, name_key, slug, created_at", author_rows())

    # (book id, title, author index, number of ratings) of every generated book.
    books: list[tuple[int, str, int, int]] = []
    languages = ["en"] * 8 + ["fr", "de", "es", "it"]

    def book_rows() -> Iterator[str]:
        for offset in range(count):
            book_id = first_id + 1 + offset
            words = rng.choices(word_pool, k=rng.randint(2, 6))
            title = " ".join(words).capitalize()
            author_index = rng.randrange(author_count)
            ratings = min(int(rng.paretovariate(1.1) * 20), 5_000_000)
            books.append((book_id, title, author_index, ratings))
            rating = f"{rng.uniform(2.5, 5.0):.2f}"
            price = f"{rng.randint(299, 4999) / 100:.2f}"
            yield (
                f"{book_id}\t{_escape_copy(title)}\t\t{rng.choice(languages)}\t"
                f"{price}\tUSD\t{rng.randint(0, 30)}\t{rating}\t{ratings}\tf\t"
                f"{rng.randint(1900, 2025)}\t"
                "2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
            )

    _copy(
        engine,
        "book",
        "id, title, description, language, price, currency, stock_on_hand, "
        "average_rating, rating_count, is_archived, published_year, created_at, "
        "updated_at",
        book_rows(),
    )
    _copy(
        engine,
        "book_author",
        "book_id, author_id, position",
        (
            f"{book_id}\t{author_ids[index]}\t0\n"
            for book_id, _title, index, _ratings in books
        ),
    )
    _copy(
        engine,
        "book_search",
        "book_id, title_text, authors_text, extra_text, phrase_text, rating_count",
        (
            f"{book_id}\t{search_text.term_text(title)}\t"
            f"{search_text.term_text(authors[index])}\t\t"
            f"{_escape_copy(search_text.phrase(title))}\\n"
            f"{_escape_copy(search_text.phrase(authors[index]))}\t{ratings}\n"
            for book_id, title, index, ratings in books
        ),
    )
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "SELECT setval('book_id_seq', (SELECT max(id) FROM book)), "
                "setval('author_id_seq', (SELECT max(id) FROM author))"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO search_term (term) "
                "SELECT DISTINCT word FROM book_search, unnest(string_to_array("
                "authors_text || ' ' || title_text, ' ')) AS word "
                "WHERE book_id > :first AND word <> '' ON CONFLICT DO NOTHING"
            ),
            {"first": first_id},
        )


def drop_search_indexes(engine: Engine) -> None:
    """Drop the GIN indexes of book_search, to build them once after the load."""
    with engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_book_search_document"))
        connection.execute(sa.text("DROP INDEX ix_book_search_phrase_trgm"))


def create_search_indexes(engine: Engine) -> None:
    """Build the GIN indexes of book_search as migration 0004 defines them."""
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
        connection.execute(
            sa.text(
                "CREATE INDEX ix_book_search_document ON book_search "
                "USING gin (document) WITH (fastupdate = off)"
            )
        )
        connection.execute(
            sa.text(
                "CREATE INDEX ix_book_search_phrase_trgm ON book_search "
                "USING gin (phrase_text gin_trgm_ops) WITH (fastupdate = off)"
            )
        )


# ---------------------------------------------------------------------------------
# Report


def _row(
    books: int, queries: int, ours: Timing, naive: Timing, ours_paired: Timing
) -> str:
    """Format one table row; ratios compare the two engines on the same queries."""
    target = TARGET_P95_MS.get(books)
    verdict = (
        "none"
        if target is None
        else f"{target:.0f} ms: " + ("met" if ours.p95 < target else "missed")
    )
    return (
        f"| {books:,} | {queries} | {ours.median:.1f} | {ours.p95:.1f} | "
        f"{len(naive.per_query)} | {naive.median:.1f} | {naive.p95:.1f} | "
        f"{naive.median / ours_paired.median:.0f}x | "
        f"{naive.p95 / ours_paired.p95:.0f}x | "
        f"{verdict} | {ours.typo_hits}/{ours.typo_total} | "
        f"{naive.typo_hits}/{naive.typo_total} |"
    )


def report(rows: list[str], queries: list[BenchQuery], timings: list[str]) -> str:
    """Build the Markdown section: the table, the query mix and the load times."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in CLEAN_QUERIES.items())
    header = (
        "| Books | Search queries | Search median ms | Search p95 ms | "
        "ILIKE queries | ILIKE median ms | ILIKE p95 ms | Median ratio | p95 ratio "
        "| p95 target | Typo hits, search | Typo hits, ILIKE |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    )
    return "\n".join(
        [
            "Server-side latency of `search_books` (SQL plus building the page of "
            "20 book cards, in process, no HTTP) on PostgreSQL, next to a naive "
            "`ILIKE '%q%'` scan of titles and author names that builds the same "
            "cards. Each query ran once to warm the caches, then "
            f"{TIMED_PASSES} times timed, in {TIMED_PASSES} passes over the "
            "set; median and p95 are over every timed run. "
            "Ratios are ILIKE time divided by search time over the same queries. "
            f"On the large catalog the ILIKE scan runs {NAIVE_SAMPLE} of the "
            "queries, with the same "
            "share of typos. Typo hits count the typo queries whose intended book "
            f"is among the first {HIT_DEPTH} results.",
            "",
            header,
            *rows,
            "",
            f"Query set: {len(queries)} queries, {kinds}, and {TYPO_QUERIES} "
            f"({TYPO_QUERIES * 100 // len(queries)} %) with one typo (a letter "
            "deleted, inserted, replaced or two swapped) in a word of five or more "
            "letters; built from the 2,000 most rated goodbooks books with a fixed "
            "seed. The 1,000,000-book round has the goodbooks books plus generated "
            "ones whose titles use the goodbooks title words with their real "
            "frequencies.",
            "",
            *timings,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run both rounds and write the report; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--books",
        type=int,
        default=TOTAL_BOOKS,
        help="catalog size of the second round, goodbooks included (default "
        f"{TOTAL_BOOKS:,})",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="print the figures without writing docs/benchmarks.md",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("sky_readers").setLevel(logging.WARNING)

    server_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL)
    database = BenchDatabase(server_url)
    database.create()
    logger.info("Created database %s", database.name)
    engine = build_engine(database.url)
    rows: list[str] = []
    timings: list[str] = []
    try:
        started = time.perf_counter()
        with Session(engine) as session:
            # The import indexes the books it writes, as the store's loaders do.
            import_goodbooks(session, get_settings().shared_data_dir / "goodbooks-10k")
            session.commit()
        _vacuum(engine)
        with engine.connect() as connection:
            real_books = connection.execute(
                sa.text("SELECT count(*) FROM book")
            ).scalar_one()
        timings.append(
            f"- Import and index of {real_books:,} goodbooks books: "
            f"{time.perf_counter() - started:.0f} s."
        )
        queries = build_queries(engine)
        logger.info("Timing %d queries on %d books", len(queries), real_books)
        ours = measure(engine, queries, _run_ours)
        naive = measure(engine, queries, _run_naive)
        rows.append(_row(real_books, len(queries), ours, naive, ours))
        logger.info("10k: search p95 %.1f ms, ILIKE p95 %.1f ms", ours.p95, naive.p95)

        started = time.perf_counter()
        drop_search_indexes(engine)
        generate_books(engine, args.books - real_books)
        loaded = time.perf_counter() - started
        create_search_indexes(engine)
        _vacuum(engine)
        built = time.perf_counter() - started - loaded
        timings.append(
            f"- Load of {args.books - real_books:,} generated books with COPY: "
            f"{loaded:.0f} s; GIN index build and VACUUM ANALYZE: {built:.0f} s."
        )
        logger.info("Timing %d queries on %d books", len(queries), args.books)
        ours = measure(engine, queries, _run_ours)
        sample = naive_sample(queries)
        naive = measure(engine, sample, _run_naive)
        paired = ours.subset(queries, sample)
        rows.append(_row(args.books, len(queries), ours, naive, paired))
        logger.info("1M: search p95 %.1f ms, ILIKE p95 %.1f ms", ours.p95, naive.p95)
    finally:
        engine.dispose()
        database.drop()
        logger.info("Dropped database %s", database.name)

    body = report(rows, queries, timings)
    print(body)
    if not args.no_report:
        command = " ".join(["python -m bench.search", *(argv or sys.argv[1:])])
        path = write_section("Search latency", body, command=command.strip())
        logger.info("Wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
