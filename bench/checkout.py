"""Measure checkouts per second on PostgreSQL, and check that no copy is oversold.

Two scenarios, each on a fresh database created on the server and dropped after:

- spread: every buyer orders a different book (no contention on stock rows);
- one book: every buyer wants the same book, which has fewer copies than buyers.

Each buyer is a confirmed user with one cart of one line, set up before the clock
starts. Worker processes, like the server's workers, each run threads with their
own connections that call `place_order` with the test card gateway, as the REST API
does, until every buyer has tried once or the time limit passes. Afterwards the script checks, per book, that the copies sold
equal the stock taken and that no stock is negative, and it fails if any check
fails. The figures go to the "Checkout" section of docs/benchmarks.md.

    python bench/checkout.py [--buyers 2000] [--one-book-buyers 1000]
        [--one-book-stock 600] [--processes 2] [--threads 6] [--seconds 120]
        [--postgres-url URL]

Traffic stays on the machine: the only server used is the PostgreSQL at the given
URL (127.0.0.1 by default), and each scenario stops after its buyers or its time
limit, whichever comes first.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import write_section
from sky_readers.accounts.models import User
from sky_readers.cart.models import Cart, CartItem
from sky_readers.catalog.models import Book
from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from sky_readers.core.settings import normalise_database_url
from sky_readers.core.types import utcnow
from sky_readers.orders.checkout import place_order
from sky_readers.orders.errors import OutOfStockError
from sky_readers.orders.models import Order, OrderItem
from sky_readers.orders.payments import CardDetails, use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_ORDERS_PER_SECOND = 150
ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Load Street",
    "city": "Portland",
    "region": "ME",
    "postal_code": "04101",
    "country": "US",
}
CARD = CardDetails(number="4242424242424242", expiry="12/39", cvc="123")
# A bcrypt hash that no password matches; buyers never log in here.
UNUSABLE_HASH = "$2b$04$" + "x" * 53

logger = logging.getLogger("bench.checkout")


@dataclasses.dataclass
class Outcome:
    """What one scenario measured and checked."""

    name: str
    buyers: int
    attempted: int
    placed: int
    sold_out: int
    errors: int
    seconds: float
    latencies: list[float]
    oversold_books: int
    negative_stock_books: int
    stock_left: int

    @property
    def orders_per_second(self) -> float:
        """Orders placed per second of wall-clock time."""
        return self.placed / self.seconds if self.seconds else 0.0


def _buyers(engine: Engine, book_ids: list[int]) -> list[tuple[int, int]]:
    """Insert one confirmed user per book id with a cart of one copy of it."""
    now = utcnow()
    run = uuid.uuid4().hex[:8]
    users = [
        {
            "email": f"bench-{run}-{index}@example.test",
            "name": f"Bench Buyer {index}",
            "password_hash": UNUSABLE_HASH,
            "role": "shopper",
            "is_active": True,
            "email_confirmed_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for index in range(len(book_ids))
    ]
    with engine.begin() as connection:
        user_ids = (
            connection.execute(
                insert(User).returning(User.id, sort_by_parameter_order=True), users
            )
            .scalars()
            .all()
        )
        carts = [
            {
                "user_id": uid,
                "status": "open",
                "notice": "",
                "created_at": now,
                "updated_at": now,
            }
            for uid in user_ids
        ]
        cart_ids = (
            connection.execute(
                insert(Cart).returning(Cart.id, sort_by_parameter_order=True), carts
            )
            .scalars()
            .all()
        )
        lines = [
            {
                "cart_id": cart_id,
                "book_id": book_id,
                "quantity": 1,
                "price_when_added": Decimal("9.99"),
                "added_at": now,
            }
            for cart_id, book_id in zip(cart_ids, book_ids, strict=True)
        ]
        connection.execute(insert(CartItem), lines)
    return list(zip(user_ids, cart_ids, strict=True))


def _books(engine: Engine, count: int, stock: int) -> list[int]:
    now = utcnow()
    rows = [
        {
            "title": f"Bench Book {index}",
            "description": "",
            "price": Decimal("9.99"),
            "currency": "USD",
            "stock_on_hand": stock,
            "average_rating": Decimal("0"),
            "rating_count": 0,
            "is_archived": False,
            "created_at": now,
            "updated_at": now,
        }
        for index in range(count)
    ]
    with engine.begin() as connection:
        return list(
            connection.execute(
                insert(Book).returning(Book.id, sort_by_parameter_order=True), rows
            ).scalars()
        )


_start_barrier: Barrier | None = None


def _keep_barrier(barrier: Barrier) -> None:
    # A barrier reaches worker processes only as an initializer argument.
    global _start_barrier
    _start_barrier = barrier


def _run_slice(
    url: str, buyers: list[tuple[int, int]], threads: int, seconds: float
) -> dict:
    """Check out a slice of the buyers from `threads` threads in this process.

    Returns:
        Counts, latencies of placed orders, and the monotonic start and end times.
    """
    engine = build_engine(url)
    deadline = 0.0
    next_index = iter(range(len(buyers)))
    lock = threading.Lock()
    result = {"attempted": 0, "placed": 0, "sold_out": 0, "errors": 0, "latencies": []}

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            user_id, cart_id = buyers[index]
            started = time.perf_counter()
            outcome = "placed"
            try:
                with Session(engine, expire_on_commit=False) as session:
                    user = session.get(User, user_id)
                    place_order(
                        session,
                        user=user,
                        cart_id=cart_id,
                        payment_method="test_card",
                        address=ADDRESS,
                        card=CARD,
                        idempotency_key=f"bench-{cart_id}-{uuid.uuid4().hex}",
                    )
            except OutOfStockError:
                outcome = "sold_out"
            except Exception:
                logger.exception("checkout of cart %s failed", cart_id)
                outcome = "errors"
            elapsed = time.perf_counter() - started
            with lock:
                result["attempted"] += 1
                result[outcome] += 1
                if outcome == "placed":
                    result["latencies"].append(elapsed)

    try:
        with use_gateway(TestCardGateway()):
            _start_barrier.wait(timeout=60)
            result["started"] = time.monotonic()
            deadline = result["started"] + seconds
            with ThreadPoolExecutor(max_workers=threads) as pool:
                for future in [pool.submit(worker) for _ in range(threads)]:
                    future.result()
            result["ended"] = time.monotonic()
    finally:
        engine.dispose()
    return result


def _run_buyers(
    url: str,
    buyers: list[tuple[int, int]],
    processes: int,
    threads: int,
    seconds: float,
) -> dict:
    """Let the buyers check out from several processes until done or out of time."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    slices = [buyers[number::processes] for number in range(processes)]
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_keep_barrier,
        initargs=(barrier,),
    ) as pool:
        futures = [
            pool.submit(_run_slice, url, part, threads, seconds) for part in slices
        ]
        results = [future.result() for future in futures]
    total = {
        key: sum(r[key] for r in results)
        for key in ("attempted", "placed", "sold_out", "errors")
    }
    total["latencies"] = [value for r in results for value in r["latencies"]]
    total["seconds"] = max(r["ended"] for r in results) - min(
        r["started"] for r in results
    )
    return total


def _check_stock(engine: Engine, initial: dict[int, int]) -> tuple[int, int, int]:
    """Compare each book's stock taken with the copies on its orders."""
    with Session(engine) as session:
        stock = dict(
            session.execute(
                select(Book.id, Book.stock_on_hand).where(Book.id.in_(list(initial)))
            ).all()
        )
        sold = dict(
            session.execute(
                select(OrderItem.book_id, func.sum(OrderItem.quantity))
                .join(Order, Order.id == OrderItem.order_id)
                .group_by(OrderItem.book_id)
            ).all()
        )
    oversold = sum(
        1
        for book_id, start in initial.items()
        if start - stock[book_id] != sold.get(book_id, 0)
    )
    negative = sum(1 for value in stock.values() if value < 0)
    return oversold, negative, sum(stock.values())


def run_scenario(
    name: str,
    url: str,
    *,
    buyers: int,
    books: int,
    stock: int,
    processes: int,
    threads: int,
    seconds: float,
) -> Outcome:
    """Set up a scenario in a migrated database, run its buyers and check the stock."""
    engine = build_engine(url)
    try:
        book_ids = _books(engine, books, stock)
        buyer_books = [book_ids[index % books] for index in range(buyers)]
        buyer_rows = _buyers(engine, buyer_books)
        initial = dict.fromkeys(book_ids, stock)
        logger.info("%s: %d buyers, %d books of %d copies", name, buyers, books, stock)
        run = _run_buyers(url, buyer_rows, processes, threads, seconds)
        oversold, negative, left = _check_stock(engine, initial)
    finally:
        engine.dispose()
    return Outcome(
        name=name,
        buyers=buyers,
        attempted=run["attempted"],
        placed=run["placed"],
        sold_out=run["sold_out"],
        errors=run["errors"],
        seconds=run["seconds"],
        latencies=run["latencies"],
        oversold_books=oversold,
        negative_stock_books=negative,
        stock_left=left,
    )


def _fresh_database(server_url: str) -> tuple[str, str, Engine]:
    admin = create_engine(
        normalise_database_url(server_url), isolation_level="AUTOCOMMIT"
    )
    name = f"bench_checkout_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_database_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False), name, admin


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _row(outcome: Outcome) -> str:
    latencies = sorted(outcome.latencies) or [0.0]
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return (
        f"| {outcome.name} | {outcome.buyers} | {outcome.attempted} | {outcome.placed} | "
        f"{outcome.sold_out} | {outcome.errors} | {outcome.seconds:.1f} | "
        f"**{outcome.orders_per_second:.0f}** | "
        f"{statistics.median(latencies) * 1000:.0f} | {p95 * 1000:.0f} | "
        f"{outcome.oversold_books} | {outcome.stock_left} |"
    )


def main() -> int:
    """Run both scenarios, write the report section, and fail on any oversold copy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--buyers", type=int, default=2000, help="Buyers of distinct books."
    )
    parser.add_argument(
        "--one-book-buyers", type=int, default=1000, help="Buyers of the single book."
    )
    parser.add_argument(
        "--one-book-stock", type=int, default=600, help="Copies of the single book."
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="Buyer processes (like server workers).",
    )
    parser.add_argument(
        "--threads", type=int, default=6, help="Concurrent buyers per process."
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=120.0,
        help="Time limit per scenario, in seconds.",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
        help="PostgreSQL server on which the benchmark databases are created.",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Print the figures only."
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("sky_readers").setLevel(logging.WARNING)

    outcomes = []
    load_before = os.getloadavg()[0]
    for name, buyers, books, stock in (
        ("spread: one book per buyer", args.buyers, args.buyers, 100),
        (
            "one book for every buyer",
            args.one_book_buyers,
            1,
            args.one_book_stock,
        ),
    ):
        url, database, admin = _fresh_database(args.postgres_url)
        try:
            migrations.upgrade(url)
            outcomes.append(
                run_scenario(
                    name,
                    url,
                    buyers=buyers,
                    books=books,
                    stock=stock,
                    processes=args.processes,
                    threads=args.threads,
                    seconds=args.seconds,
                )
            )
        finally:
            _drop_database(admin, database)
        logger.info("%s: %.0f orders/s", name, outcomes[-1].orders_per_second)

    spread, single = outcomes
    expected_single = min(args.one_book_stock, single.attempted)
    checks = [
        ("no book oversold", all(o.oversold_books == 0 for o in outcomes)),
        ("no stock below zero", all(o.negative_stock_books == 0 for o in outcomes)),
        ("no unexpected error", all(o.errors == 0 for o in outcomes)),
        (
            f"one book: exactly min(stock, buyers) = {expected_single} orders",
            single.placed == expected_single,
        ),
    ]
    verdict = (
        "yes" if spread.orders_per_second >= TARGET_ORDERS_PER_SECOND else "**no**"
    )
    lines = [
        f"Target: at least {TARGET_ORDERS_PER_SECOND} orders per second on "
        "PostgreSQL without contention, and no oversold copy ever. Each buyer is a "
        "confirmed user with a one-line cart prepared before the clock starts; "
        f"{args.processes} processes of {args.threads} threads, each thread with its "
        "own connection, call `place_order` "
        "(test card payment, confirmation mail into the outbox) until every buyer "
        f"tried once or {args.seconds:.0f} s passed. Latency is per placed order.",
        "",
        "| scenario | buyers | tried | placed | sold out | errors | wall (s) | "
        "orders/s | median (ms) | p95 (ms) | books oversold | stock left |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        _row(spread),
        _row(single),
        "",
        f"Without contention: {spread.orders_per_second:.0f} orders/s, "
        f"{spread.orders_per_second / TARGET_ORDERS_PER_SECOND:.0%} of the target "
        f"({verdict}). On one book: {single.orders_per_second:.0f} orders/s, "
        f"{single.orders_per_second / max(spread.orders_per_second, 1e-9):.2f} times the "
        "rate without contention.",
        "Checks: "
        + "; ".join(
            f"{label}: {'passed' if ok else '**FAILED**'}" for label, ok in checks
        )
        + ".",
        f"One-minute load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} "
        "after (PostgreSQL and the benchmark share the machine's cores).",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_report:
        print(f"Wrote {write_section('Checkout', report)}")
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
