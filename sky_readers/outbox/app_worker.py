"""Run a mail worker inside the web app for as long as the app runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from sky_readers.core.settings import get_settings
from sky_readers.outbox.backends import create_backend
from sky_readers.outbox.errors import EmailConfigurationError
from sky_readers.outbox.worker import MailWorker

logger = logging.getLogger(__name__)

# Seconds the app waits at shutdown for a send in progress to finish.
STOP_TIMEOUT_SECONDS = 30.0


@contextlib.asynccontextmanager
async def mail_worker_lifespan() -> AsyncIterator[None]:
    """Deliver mail in a background thread from app start-up to shutdown.

    The worker is synchronous (database sessions, SMTP, the ACS SDK), so it runs in
    its own thread rather than on the event loop. A backend with invalid settings
    is logged and the app starts without a worker; the mail stays queued.
    """
    try:
        worker = MailWorker.from_settings(create_backend())
    except EmailConfigurationError as exc:
        logger.error("Mail worker not started: %s. Mail stays in the outbox.", exc)
        yield
        return

    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run, args=(stop,), name="mail-worker", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, STOP_TIMEOUT_SECONDS)
        if thread.is_alive():
            # The lease of the mail being sent runs out, and another worker retries.
            logger.warning(
                "Mail worker %s did not stop within %.0f s",
                worker.worker_id,
                STOP_TIMEOUT_SECONDS,
            )


def register_mail_worker(app: Any) -> bool:
    """Add the mail worker to a Reflex app's lifespan tasks if MAIL_WORKER_IN_APP.

    Args:
        app: The `rx.App`, or anything with `register_lifespan_task`.

    Returns:
        Whether the worker was registered.
    """
    if not get_settings().mail_worker_in_app:
        logger.info(
            "MAIL_WORKER_IN_APP is false: run `python -m sky_readers mail worker`"
        )
        return False
    app.register_lifespan_task(mail_worker_lifespan)
    return True
