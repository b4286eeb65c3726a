"""`mail` commands: run the delivery worker, list the outbox, retry dead mail."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from sky_readers.core.db import session_scope
from sky_readers.core.errors import SkyReadersError
from sky_readers.outbox import services
from sky_readers.outbox.backends import create_backend
from sky_readers.outbox.models import EmailStatus
from sky_readers.outbox.worker import MailWorker

logger = logging.getLogger(__name__)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        msg = f"must be 1 or more, not {number}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        msg = f"must be more than 0, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return number


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `mail` command group."""
    parser = groups.add_parser("mail", help="Deliver and inspect outgoing mail.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    worker = commands.add_parser(
        "worker",
        help="Deliver queued mail with the EMAIL_BACKEND until stopped.",
        description=(
            "Deliver queued mail until SIGINT or SIGTERM. Several workers may run at "
            "once, in one or several processes: each mail is claimed by one of them."
        ),
    )
    worker.add_argument(
        "--once", action="store_true", help="Deliver the mail due now, then exit."
    )
    worker.add_argument(
        "--batch",
        type=_positive_int,
        default=None,
        help="Mails claimed per round (default: MAIL_WORKER_BATCH_SIZE).",
    )
    worker.add_argument(
        "--poll-seconds",
        type=_positive_float,
        default=None,
        help=(
            "Seconds to sleep when nothing is due (default: MAIL_WORKER_POLL_SECONDS)."
        ),
    )
    worker.set_defaults(handler=_worker)

    listing = commands.add_parser(
        "list", help="List outbox mail, newest first, with counts per status."
    )
    listing.add_argument(
        "--status",
        default="all",
        choices=["all", *[s.value for s in EmailStatus]],
        help="Show only mail in this status (default: all).",
    )
    listing.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        help=f"Most mails to show, up to {services.MAX_PAGE_SIZE} (default: 20).",
    )
    listing.add_argument(
        "--attempts", action="store_true", help="Show each mail's attempts too."
    )
    listing.set_defaults(handler=_list)

    retry = commands.add_parser(
        "retry", help="Queue a dead mail again with a fresh set of attempts."
    )
    retry.add_argument("id", type=int, help="Outbox id of the dead mail.")
    retry.set_defaults(handler=_retry)


def _worker(args: argparse.Namespace) -> int:
    worker = MailWorker.from_settings(
        create_backend(), batch_size=args.batch, poll_seconds=args.poll_seconds
    )
    if args.once:
        logger.info("Mail worker %s delivering what is due", worker.worker_id)
        try:
            counts = worker.run_once()
        finally:
            worker.backend.close()
        logger.info(
            "Mail worker %s finished: %d sent, %d retries scheduled, %d dead",
            worker.worker_id,
            counts.sent,
            counts.retrying,
            counts.dead,
        )
        print(
            f"{counts.sent} sent, {counts.retrying} to retry later, "
            f"{counts.dead} dead ({counts.claimed} claimed)"
        )
        return 0

    stop = threading.Event()

    def _request_stop(signum, _frame) -> None:
        logger.info(
            "Mail worker %s got %s", worker.worker_id, signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    worker.run(stop)
    return 0


def _list(args: argparse.Namespace) -> int:
    if args.limit > services.MAX_PAGE_SIZE:
        msg = f"--limit must be at most {services.MAX_PAGE_SIZE}, not {args.limit}"
        raise SkyReadersError(msg)
    with session_scope() as session:
        page = services.list_outbox(session, status=args.status, limit=args.limit)
    print("  ".join(f"{name}: {number}" for name, number in page.counts.items()))
    print(f"{'ID':>6}  {'STATUS':<9} {'TRIES':>5}  {'CREATED':<20} {'KIND':<24} TO")
    for mail in page.data:
        created = mail.created_at.strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{mail.id:>6}  {mail.status:<9} {mail.attempts:>5}  {created:<20} "
            f"{mail.kind:<24} {mail.to_address}"
        )
        if mail.last_error and mail.status != EmailStatus.SENT.value:
            print(f"{'':>8}last error: {mail.last_error}")
        if args.attempts:
            for attempt in mail.attempt_log:
                started = attempt.started_at.strftime("%Y-%m-%d %H:%M:%S")
                detail = attempt.error or attempt.provider_message_id or ""
                print(
                    f"{'':>8}#{attempt.number} {started} {attempt.outcome:<16} {detail}"
                )
    if page.count > len(page.data):
        print(f"({len(page.data)} of {page.count} shown; raise --limit for more)")
    return 0


def _retry(args: argparse.Namespace) -> int:
    with session_scope() as session:
        mail = services.retry_dead(session, args.id, by="the command line")
        print(f"Mail {mail.id} to {mail.to_address} is queued again.")
    return 0
