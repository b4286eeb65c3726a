"""Time the goodbooks-10k import on fresh SQLite and PostgreSQL databases.

Each run migrates an empty database, imports the 10,000 books with their tag rows
and commits (the first import), then imports the same files again (the second,
no-op import). The figures go to the "Goodbooks import" section of
docs/benchmarks.md.

    python bench/import_goodbooks.py [--runs 3] [--postgres-url URL] [--no-postgres]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import write_section
from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.core import db, migrations
from sky_readers.core.settings import get_settings, normalise_database_url

TARGET_SECONDS = 15.0
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

logger = logging.getLogger("bench.import_goodbooks")


def _timed_imports(url: str, folder: Path) -> tuple[float, float, str]:
    """Migrate the database at `url`, then time a first and a second import."""
    migrations.upgrade(url)
    engine = db.build_engine(url)
    try:
        started = time.perf_counter()
        with Session(engine) as session:
            first = import_goodbooks(session, folder)
            session.commit()
        first_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with Session(engine) as session:
            second = import_goodbooks(session, folder)
            session.commit()
        second_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if first.created != first.read - first.skipped_total or second.created:
        msg = f"unexpected counts: first {first}, second {second}"
        raise RuntimeError(msg)
    counts = (
        f"{first.read} read, {first.created} created, "
        f"{first.skipped_total} skipped; second run {second.created} created, "
        f"{second.updated} updated"
    )
    return first_seconds, second_seconds, counts


def run_sqlite(folder: Path, runs: int) -> list[tuple[float, float, str]]:
    """Time `runs` imports, each into a new SQLite file."""
    results = []
    for number in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-goodbooks-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'store.db'}"
            results.append(_timed_imports(url, folder))
        logger.info("SQLite run %d: %.2f s, %.2f s", number + 1, *results[-1][:2])
    return results


def run_postgres(
    server_url: str, folder: Path, runs: int
) -> list[tuple[float, float, str]]:
    """Time `runs` imports, each into a database created for it on the server."""
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    results = []
    try:
        for number in range(runs):
            name = f"bench_goodbooks_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(server_url).set(database=name)
            try:
                results.append(
                    _timed_imports(url.render_as_string(hide_password=False), folder)
                )
            finally:
                with admin.connect() as connection:
                    connection.execute(
                        text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    )
            logger.info(
                "PostgreSQL run %d: %.2f s, %.2f s", number + 1, *results[-1][:2]
            )
    finally:
        admin.dispose()
    return results


def _row(backend: str, results: list[tuple[float, float, str]]) -> str:
    firsts = [first for first, _second, _counts in results]
    seconds = [second for _first, second, _counts in results]
    median = statistics.median(firsts)
    verdict = "yes" if median < TARGET_SECONDS else "**no**"
    return (
        f"| {backend} | {median:.2f} | {min(firsts):.2f} | {max(firsts):.2f} | "
        f"{statistics.median(seconds):.2f} | {median / TARGET_SECONDS:.0%} | "
        f"{verdict} |"
    )


def main() -> int:
    """Run the benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Runs per backend.")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="goodbooks-10k folder (default: SHARED_DATA_DIR/goodbooks-10k).",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
        help="PostgreSQL server URL on which to create the benchmark databases.",
    )
    parser.add_argument("--no-postgres", action="store_true", help="Time SQLite only.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("sky_readers").setLevel(logging.WARNING)

    folder = args.data or get_settings().shared_data_dir / "goodbooks-10k"
    load_before = os.getloadavg()[0]
    sqlite_results = run_sqlite(folder, args.runs)
    postgres_results = (
        [] if args.no_postgres else run_postgres(args.postgres_url, folder, args.runs)
    )

    target = (
        "Target: the first import of the 10,000 books of goodbooks-10k (books.csv, "
        "tags.csv and the 999,912 rows of book_tags.csv) into an empty, migrated "
        f"database takes under {TARGET_SECONDS:.0f} s. Each run uses a new database; "
        f"{args.runs} runs per backend. Times are wall-clock seconds of "
        "`import_goodbooks` plus the commit, measured in one process."
    )
    header = (
        "| backend | first import, median (s) | min (s) | max (s) | "
        "second (no-op) import, median (s) | median / target | under target |"
    )
    lines = [
        target,
        "",
        header,
        "|---|---|---|---|---|---|---|",
        _row("SQLite (file)", sqlite_results),
    ]
    if postgres_results:
        lines.append(_row("PostgreSQL (127.0.0.1)", postgres_results))
    lines += [
        "",
        f"Counts of every run: {sqlite_results[0][2]}.",
        (
            f"One-minute load average: {load_before:.1f} before the runs, "
            f"{os.getloadavg()[0]:.1f} after (other processes share the machine)."
        ),
    ]
    if postgres_results:
        sqlite_median = statistics.median(first for first, _s, _c in sqlite_results)
        postgres_median = statistics.median(first for first, _s, _c in postgres_results)
        lines.append(
            f"PostgreSQL takes {postgres_median / sqlite_median:.1f} times as long as "
            "SQLite for the first import in this run."
        )
    path = write_section("Goodbooks import", "\n".join(lines))
    print("\n".join(lines))
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
