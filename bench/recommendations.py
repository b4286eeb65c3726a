"""Measure the recommendations: offline hit rate at 10, and the build time.

Quality: the goodbooks ratings sample is split per reader. For every reader with at
least MIN_LIKES liked books (4 or 5 stars), one liked book is held out at random.
The similarities are computed from all other likes with the store's own code
(`item_neighbours`). The reader's top 10 come from `score_books` over the books
they still like, topped up with the most liked books when it finds fewer than 10.
A hit is a held-out book among the 10. The popularity baseline recommends the 10
most liked books of the training likes that the reader has not rated. Each split
uses its own seed; the figures are the mean and the per-split values.

Build time: a fresh database gets the goodbooks catalogue (10,000 books) and the
ratings sample, then `build_recommendations` runs RUNS times, on SQLite and on
PostgreSQL when a server answers; the median is reported.

    python bench/recommendations.py [--splits 5] [--runs 3] [--postgres-url URL]
        [--no-postgres]

The figures go to the "Recommendations" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import write_section
from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.core import db, migrations
from sky_readers.core.settings import get_settings, normalise_database_url
from sky_readers.recommendations.build import LIKED_FROM_STARS, build_recommendations
from sky_readers.recommendations.ratings_import import import_ratings
from sky_readers.recommendations.similarity import item_neighbours, score_books

TOP_N = 10
# Liked books a reader needs to take part: one held out, at least two to learn from.
MIN_LIKES = 3
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

logger = logging.getLogger("bench.recommendations")


def read_ratings(path: Path) -> list[tuple[int, int, int]]:
    """Read (reader, goodbooks book id, stars) rows from a ratings CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (int(row["user_id"]), int(row["book_id"]), int(row["rating"]))
            for row in csv.DictReader(handle)
        ]


def evaluate_split(ratings: list[tuple[int, int, int]], seed: int) -> dict[str, float]:
    """Hold out one liked book per reader and score both recommenders on it."""
    rng = random.Random(seed)
    liked: dict[int, list[int]] = defaultdict(list)
    rated: dict[int, set[int]] = defaultdict(set)
    for reader, book, stars in ratings:
        rated[reader].add(book)
        if stars >= LIKED_FROM_STARS:
            liked[reader].append(book)
    held = {
        reader: rng.choice(sorted(books))
        for reader, books in liked.items()
        if len(books) >= MIN_LIKES
    }
    training = [
        (reader, book)
        for reader, books in liked.items()
        for book in books
        if held.get(reader) != book
    ]
    popular = [book for book, _count in Counter(b for _r, b in training).most_common()]
    neighbours = item_neighbours(training)

    item_hits = popular_hits = covered = 0
    for reader, target in held.items():
        seen = rated[reader] - {target}
        kept = [book for book in liked[reader] if book != target]
        picks = [book for book, _score in score_books(kept, neighbours, seen)]
        covered += bool(picks)
        picks = picks[:TOP_N]
        picks += [b for b in popular if b not in seen and b not in picks][
            : TOP_N - len(picks)
        ]
        baseline = [b for b in popular if b not in seen][:TOP_N]
        item_hits += target in picks
        popular_hits += target in baseline
    readers = len(held)
    return {
        "readers": readers,
        "item": item_hits / readers,
        "popular": popular_hits / readers,
        "coverage": covered / readers,
    }


def _timed_builds(url: str, folder: Path, ratings: Path, runs: int) -> list[float]:
    migrations.upgrade(url)
    engine = db.build_engine(url)
    try:
        with Session(engine) as session:
            import_goodbooks(session, folder)
            import_ratings(session, ratings)
            session.commit()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            report = build_recommendations(engine)
            times.append(time.perf_counter() - started)
            logger.info("Build: %s", report.summary())
    finally:
        engine.dispose()
    return times


def sqlite_build_times(folder: Path, ratings: Path, runs: int) -> list[float]:
    """Time builds in a new SQLite file."""
    with tempfile.TemporaryDirectory(prefix="bench-recommendations-") as tmp:
        return _timed_builds(
            f"sqlite:///{Path(tmp) / 'store.db'}", folder, ratings, runs
        )


def postgres_build_times(
    server_url: str, folder: Path, ratings: Path, runs: int
) -> list[float] | None:
    """Time builds in a new PostgreSQL database; None when the server is unreachable."""
    server_url = normalise_database_url(server_url)
    name = f"bench_recommendations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 (any connection failure skips it)
        logger.warning("PostgreSQL skipped: %s", exc)
        admin.dispose()
        return None
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        return _timed_builds(url, folder, ratings, runs)
    finally:
        db._engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    """Run the evaluation and the build timings, and write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", type=int, default=5, help="Random hold-out splits.")
    parser.add_argument(
        "--runs", type=int, default=3, help="Timed builds per database."
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    folder = get_settings().shared_data_dir / "goodbooks-10k"
    ratings_path = folder / "ratings_sample.csv"
    ratings = read_ratings(ratings_path)
    splits = [evaluate_split(ratings, seed) for seed in range(1, args.splits + 1)]
    for number, split in enumerate(splits, start=1):
        logger.info("Split %d: %s", number, split)
    item = statistics.mean(s["item"] for s in splits)
    popular = statistics.mean(s["popular"] for s in splits)
    coverage = statistics.mean(s["coverage"] for s in splits)

    sqlite_times = sqlite_build_times(folder, ratings_path, args.runs)
    postgres_times = (
        None
        if args.no_postgres
        else postgres_build_times(args.postgres_url, folder, ratings_path, args.runs)
    )

    readers = splits[0]["readers"]
    per_split = ", ".join(f"{s['item']:.3f} vs {s['popular']:.3f}" for s in splits)
    lines = [
        f"Offline quality on `ratings_sample.csv` ({len(ratings):,} ratings): "
        f"{readers} readers with at least {MIN_LIKES} liked books, one liked book "
        f"held out per reader, {len(splits)} random splits.",
        "",
        "| recommender | hit rate at 10 (mean) |",
        "| --- | --- |",
        f"| item-to-item similarity, popular top-up | {item:.3f} |",
        f"| most liked books (baseline) | {popular:.3f} |",
        "",
        f"- Ratio item-to-item / popularity: {item / popular:.2f}",
        f"- Per split (item-to-item vs popularity): {per_split}",
        f"- Readers for whom the similarity alone found a book: {coverage:.0%}",
        "",
        "Build of the similar-books table (`python -m sky_readers recommendations "
        "build`) over the 10,000-book goodbooks catalogue with the ratings sample:",
        "",
        "| database | median build time | runs |",
        "| --- | --- | --- |",
        f"| SQLite | {statistics.median(sqlite_times):.2f} s | {len(sqlite_times)} |",
    ]
    if postgres_times:
        lines.append(
            f"| PostgreSQL | {statistics.median(postgres_times):.2f} s "
            f"| {len(postgres_times)} |"
        )
    else:
        lines.append("| PostgreSQL | not measured (no server) | 0 |")
    path = write_section("Recommendations", "\n".join(lines))
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
