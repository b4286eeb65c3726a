"""The app's periodic rebuild of the similar-books table."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from sky_readers.core.db import session_scope
from sky_readers.core.periodic import PeriodicJob
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow
from sky_readers.recommendations.build import (
    BuildReport,
    build_recommendations,
    last_build,
)

logger = logging.getLogger(__name__)

# Seconds after start-up before the first check, so the app serves pages at once.
FIRST_CHECK_DELAY_SECONDS = 10.0
# Maximum seconds between two checks of whether a build is due.
MAX_CHECK_INTERVAL_SECONDS = 300.0


def build_if_due(engine: Engine | None = None) -> BuildReport | None:
    """Build the recommendations unless the last build is younger than the interval.

    Several server processes each run the job, and the build log in the database
    keeps them from rebuilding one after another.

    Returns:
        The build's report, or None when no build was due.
    """
    interval = get_settings().recommendations_rebuild_seconds
    with session_scope(engine) as session:
        last = last_build(session)
    if last is not None:
        age = (utcnow() - last.finished_at).total_seconds()
        if age < interval:
            return None
    return build_recommendations(engine)


def recommendations_job() -> PeriodicJob:
    """Describe the app's rebuild job, from RECOMMENDATIONS_REBUILD_SECONDS."""
    interval = get_settings().recommendations_rebuild_seconds
    return PeriodicJob(
        name="recommendations",
        run=build_if_due,
        interval_seconds=min(interval, MAX_CHECK_INTERVAL_SECONDS),
        first_delay_seconds=FIRST_CHECK_DELAY_SECONDS,
    )
