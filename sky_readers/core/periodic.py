"""Jobs that the web app runs in background threads at a fixed interval.

Each job runs in its own daemon thread from app start-up to shutdown and opens its
own database sessions, so a slow run never holds up a page or an API request. An
error in one run is logged and the job runs again at the next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

logger = logging.getLogger(__name__)

# Seconds the app waits at shutdown for a run in progress to finish.
STOP_TIMEOUT_SECONDS = 30.0


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    """A function that runs every `interval_seconds`, first after `first_delay_seconds`."""

    name: str
    run: Callable[[], object]
    interval_seconds: float
    first_delay_seconds: float = 0.0

    def loop(self, stop: threading.Event) -> None:
        """Run the job until `stop` is set, waiting the interval between two runs."""
        logger.info("Job %s started: every %.0f s", self.name, self.interval_seconds)
        delay = self.first_delay_seconds
        while not stop.wait(delay):
            try:
                self.run()
            except Exception:
                logger.exception(
                    "Job %s failed; it runs again in %.0f s",
                    self.name,
                    self.interval_seconds,
                )
            delay = self.interval_seconds
        logger.info("Job %s stopped", self.name)


def job_lifespan(
    job: PeriodicJob,
) -> Callable[[], contextlib.AbstractAsyncContextManager]:
    """Build a lifespan task that runs `job` in a thread while the app runs."""

    @contextlib.asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        stop = threading.Event()
        thread = threading.Thread(
            target=job.loop, args=(stop,), name=f"job-{job.name}", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            await asyncio.to_thread(thread.join, STOP_TIMEOUT_SECONDS)
            if thread.is_alive():
                logger.warning(
                    "Job %s did not stop within %.0f s", job.name, STOP_TIMEOUT_SECONDS
                )

    return lifespan


def register_job(app: Any, job: PeriodicJob) -> bool:
    """Add a job to a Reflex app's lifespan tasks, unless its interval is 0.

    Args:
        app: The `rx.App`, or anything with `register_lifespan_task`.
        job: The job.

    Returns:
        Whether the job was registered.
    """
    if job.interval_seconds <= 0:
        logger.info("Job %s is switched off (interval 0)", job.name)
        return False
    app.register_lifespan_task(job_lifespan(job))
    return True
