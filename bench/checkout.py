"""Measure checkouts per second on PostgreSQL, and check that no copy is oversold.

Three scenarios, each on a fresh database created on the server and dropped after:

- spread: every buyer orders a different book (no contention on stock rows);
- one book: every buyer wants the same book, which has fewer copies than buyers;
- plain SQL: the spread buyers again, writing the same rows with the same
  statements as plain SQL (bench/raw_checkout.py), which bounds what
  `place_order` can reach on this machine.

Each buyer is a confirmed user with one cart of one line, set up before the clock
starts. Worker processes, like the server's workers, each run threads. Each thread
does what a request of the REST API does: it loads the shopper and calls
`place_order` with the test card gateway in a session of its own. The threads go on
until every buyer has tried once or the time limit passes. Afterwards the script checks, per book, that the copies sold equal the
stock taken and that no stock is negative, and it fails if any check fails.

The machine is shared, so the rate depends on what else runs. The script therefore
also reports where the CPU went during each run, read from /proc: the buyer
processes, the PostgreSQL backends of the benchmark database, and the rest of the
machine. The figures go to the "Checkout" section of docs/benchmarks.md.

    python bench/checkout.py [--buyers 2000] [--one-book-buyers 1000]
        [--one-book-stock 600] [--processes 2] [--threads 6] [--seconds 120]
        [--postgres-url URL] [--no-raw] [--no-report]

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
import resource
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import raw_checkout
from bench.report import write_section
from sky_readers.accounts.models import User
from sky_readers.cart.models import Cart, CartItem
from sky_readers.catalog.models import Book
from sky_readers.core import migrations
from sky_readers.core.db import build_engine
from sky_readers.core.settings import normalise_database_url
from sky_readers.core.types import utcnow
from sky_readers.orders.checkout import place_order
from sky_readers.orders.errors import OutOfStockError, Shortage
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
    """Figures and checks of one scenario."""

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
    # CPU seconds spent while the buyers ran: by the buyer processes, by the
    # PostgreSQL backends serving them, and by the whole machine. None means
    # that /proc could not be read.
    client_cpu: float
    server_cpu: float | None
    machine_cpu: float | None

    @property
    def orders_per_second(self) -> float:
        """Orders placed per second of wall-clock time."""
        return self.placed / self.seconds if self.seconds else 0.0

    @property
    def capacity(self) -> float | None:
        """Orders per second all cores could carry with nothing else running.

        The cores divided by the CPU time of one checkout, Python and PostgreSQL
        together: what the rate would be if the other load of the machine, which
        shares it with other work, went away.
        """
        if self.server_cpu is None or not self.attempted:
            return None
        per_order = (self.client_cpu + self.server_cpu) / self.attempted
        return (os.cpu_count() or 1) / per_order if per_order else None

    def cpu_per_order(self, seconds: float | None) -> str:
        """CPU milliseconds per attempted checkout, or "n/a"."""
        if seconds is None or not self.attempted:
            return "n/a"
        return f"{seconds / self.attempted * 1000:.1f}"


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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float | None:
    """CPU seconds all cores spent on anything but idling, since boot."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(value) for value in fields]
    # user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS


def _process_cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds of a process on this machine, if readable."""
    try:
        text_stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = text_stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the benchmark database.

    The server runs on this machine (127.0.0.1), so its backends are processes
    here; for a remote server nothing is readable and the map is empty.
    """
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        seconds = {pid: _process_cpu_seconds(pid) for pid in pids}
    return {pid: value for pid, value in seconds.items() if value is not None}


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _keep_barrier(barrier: Barrier) -> None:
    # A barrier reaches worker processes only as an initializer argument.
    global _start_barrier
    _start_barrier = barrier


Buyer = tuple[Callable[[int, int], None], Callable[[], None]]


def _domain_checkout(engine: Engine) -> Buyer:
    """Check out as the REST API does: load the shopper, call `place_order`.

    Returns:
        The checkout of one cart, and what closes its connections (the pool's).
    """

    def checkout(user_id: int, cart_id: int) -> None:
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

    return checkout, engine.dispose


def _raw_checkout(engine: Engine) -> Buyer:
    """Write the same rows with plain SQL on a connection kept by the thread.

    Returns:
        The checkout of one cart, and what closes the threads' connections.
    """
    mail = raw_checkout.sample_mail()
    local = threading.local()
    opened = []

    def checkout(user_id: int, cart_id: int) -> None:
        if not hasattr(local, "dbapi"):
            local.dbapi = engine.raw_connection()
            opened.append(local.dbapi)
        dbapi = local.dbapi
        try:
            with dbapi.cursor() as cursor:
                raw_checkout.place(
                    cursor,
                    user_id=user_id,
                    cart_id=cart_id,
                    email=f"buyer-{user_id}@example.test",
                    address=ADDRESS,
                    mail=mail,
                )
            dbapi.commit()
        except raw_checkout.SoldOutError as exc:
            dbapi.rollback()
            raise OutOfStockError([Shortage(exc.args[0], "", 1, 0)]) from exc
        except BaseException:
            dbapi.rollback()
            raise

    def close() -> None:
        for dbapi in opened:
            dbapi.close()
        engine.dispose()

    return checkout, close


def _run_slice(
    url: str, buyers: list[tuple[int, int]], threads: int, seconds: float, raw: bool
) -> dict:
    """Check out a slice of the buyers from `threads` threads in this process.

    Returns:
        Counts, latencies of placed orders, and the monotonic start and end times.
    """
    engine = build_engine(url)
    checkout, close = (_raw_checkout if raw else _domain_checkout)(engine)
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
                checkout(user_id, cart_id)
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
            result["machine_started"] = _machine_busy_seconds()
            cpu_started = _own_cpu_seconds()
            deadline = result["started"] + seconds
            with ThreadPoolExecutor(max_workers=threads) as pool:
                for future in [pool.submit(worker) for _ in range(threads)]:
                    future.result()
            result["client_cpu"] = _own_cpu_seconds() - cpu_started
            result["ended"] = time.monotonic()
            result["machine_ended"] = _machine_busy_seconds()
        # Read before the pool closes the connections and their backends exit.
        result["backend_cpu"] = _backend_cpu(engine)
    finally:
        close()
    return result


def _run_buyers(
    url: str,
    buyers: list[tuple[int, int]],
    processes: int,
    threads: int,
    seconds: float,
    raw: bool,
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
            pool.submit(_run_slice, url, part, threads, seconds, raw) for part in slices
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
    total["client_cpu"] = sum(r["client_cpu"] for r in results)
    # Each process reads every backend of the database, so the latest reading counts.
    backends: dict[int, float] = {}
    for r in results:
        for pid, value in r["backend_cpu"].items():
            backends[pid] = max(value, backends.get(pid, 0.0))
    total["backend_cpu"] = backends
    machine = [(r["machine_started"], r["machine_ended"]) for r in results]
    total["machine_cpu"] = (
        None
        if any(value is None for pair in machine for value in pair)
        else max(end for _start, end in machine) - min(start for start, _end in machine)
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
    raw: bool = False,
) -> Outcome:
    """Set up a scenario in a migrated database, run its buyers and check the stock.

    With `raw`, the buyers write their checkouts with plain SQL (see
    bench/raw_checkout.py) instead of calling `place_order`.
    """
    engine = build_engine(url)
    try:
        book_ids = _books(engine, books, stock)
        buyer_books = [book_ids[index % books] for index in range(buyers)]
        buyer_rows = _buyers(engine, buyer_books)
        initial = dict.fromkeys(book_ids, stock)
        logger.info("%s: %d buyers, %d books of %d copies", name, buyers, books, stock)
        # Backends that set the scenario up count only what they do during the run.
        setup_cpu = _backend_cpu(engine)
        run = _run_buyers(url, buyer_rows, processes, threads, seconds, raw)
        oversold, negative, left = _check_stock(engine, initial)
    finally:
        engine.dispose()
    server_cpu = None
    if run["backend_cpu"]:
        server_cpu = sum(
            value - setup_cpu.get(pid, 0.0) for pid, value in run["backend_cpu"].items()
        )
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
        client_cpu=run["client_cpu"],
        server_cpu=server_cpu,
        machine_cpu=run["machine_cpu"],
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


def _cpu_row(outcome: Outcome) -> str:
    cores = os.cpu_count() or 1
    busy = "n/a"
    other = "n/a"
    if outcome.machine_cpu is not None and outcome.seconds:
        busy = f"{outcome.machine_cpu / (outcome.seconds * cores):.0%}"
        if outcome.server_cpu is not None:
            rest = outcome.machine_cpu - outcome.client_cpu - outcome.server_cpu
            other = outcome.cpu_per_order(max(rest, 0.0))
    return (
        f"| {outcome.name} | {outcome.cpu_per_order(outcome.client_cpu)} | "
        f"{outcome.cpu_per_order(outcome.server_cpu)} | {other} | {busy} |"
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
    parser.add_argument(
        "--no-raw",
        action="store_true",
        help="Skip the plain SQL scenario that bounds what place_order can reach.",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("sky_readers").setLevel(logging.WARNING)

    outcomes = []
    load_before = os.getloadavg()[0]
    scenarios = [
        ("spread: one book per buyer", args.buyers, args.buyers, 100, False),
        (
            "one book for every buyer",
            args.one_book_buyers,
            1,
            args.one_book_stock,
            False,
        ),
    ]
    if not args.no_raw:
        scenarios.append(
            ("spread, plain SQL: upper bound", args.buyers, args.buyers, 100, True)
        )
    for name, buyers, books, stock, raw in scenarios:
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
                    raw=raw,
                )
            )
        finally:
            _drop_database(admin, database)
        logger.info("%s: %.0f orders/s", name, outcomes[-1].orders_per_second)

    spread, single, *bound = outcomes
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
    # Stock contention, not CPU, bounds the one-book rate, so it has no capacity.
    carried = [
        f"{outcome.capacity:.0f} orders/s ({outcome.name})"
        for outcome in (spread, *bound)
        if outcome.capacity is not None
    ]
    capacity = (
        [
            "With nothing else on the machine, its cores would carry about "
            + " and ".join(carried)
            + ": the cores divided by the Python and PostgreSQL CPU time per "
            "checkout."
        ]
        if carried
        else []
    )
    lines = [
        f"Target: at least {TARGET_ORDERS_PER_SECOND} orders per second on "
        "PostgreSQL without contention, and no oversold copy ever. Each buyer is a "
        "confirmed user with a one-line cart prepared before the clock starts. "
        f"{args.processes} processes of {args.threads} threads load the shopper and "
        "call `place_order` (test card payment, confirmation mail into the outbox) "
        "in a session per checkout, as a request of the REST API does. They go on "
        f"until every buyer tried once or {args.seconds:.0f} s passed. Latency is "
        "per placed order.",
        "",
        "| scenario | buyers | tried | placed | sold out | errors | wall (s) | "
        "orders/s | median (ms) | p95 (ms) | books oversold | stock left |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(_row(outcome) for outcome in outcomes),
        "",
        "Where the CPU went, in milliseconds per tried checkout: the buyer "
        "processes (Python), the PostgreSQL backends serving them, and everything "
        f"else on the machine meanwhile; busy is the share of all {os.cpu_count()} "
        "cores in use during the run.",
        "",
        "| scenario | buyers' Python | PostgreSQL | other | busy |",
        "|---|---|---|---|---|",
        *(_cpu_row(outcome) for outcome in outcomes),
        "",
        f"Without contention: {spread.orders_per_second:.0f} orders/s, "
        f"{spread.orders_per_second / TARGET_ORDERS_PER_SECOND:.0%} of the target "
        f"({verdict}). On one book: {single.orders_per_second:.0f} orders/s, "
        f"{single.orders_per_second / max(spread.orders_per_second, 1e-9):.2f} times the "
        "rate without contention.",
        *(
            f"The same rows written with plain SQL, one connection per thread and "
            f"nothing else (bench/raw_checkout.py): {raw.orders_per_second:.0f} "
            "orders/s."
            for raw in bound
        ),
        *capacity,
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
