"""The app's periodic back-in-stock sweep."""

from __future__ import annotations

from sky_readers.core.db import session_scope
from sky_readers.core.periodic import PeriodicJob
from sky_readers.core.settings import get_settings
from sky_readers.wishlist.restock import SweepReport, sweep_restocked

# Seconds after start-up before the first sweep.
FIRST_SWEEP_DELAY_SECONDS = 5.0


def sweep_once() -> SweepReport:
    """Run one sweep in its own transaction, which queues the notices it finds."""
    with session_scope() as session:
        return sweep_restocked(session)


def restock_job() -> PeriodicJob:
    """Describe the app's sweep job, from RESTOCK_SWEEP_SECONDS."""
    return PeriodicJob(
        name="restock-sweep",
        run=sweep_once,
        interval_seconds=get_settings().restock_sweep_seconds,
        first_delay_seconds=FIRST_SWEEP_DELAY_SECONDS,
    )
