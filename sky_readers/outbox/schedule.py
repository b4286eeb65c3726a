"""Retry schedule of outbox mail: exponential backoff with jitter."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from sky_readers.core.settings import Settings


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetrySchedule:
    """Exponential backoff with jitter between the attempts at one mail."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    multiplier: float = 4.0
    max_seconds: float = 12 * 3600.0
    # The wait is scaled by a random factor in [1 - jitter, 1 + jitter].
    jitter: float = 0.2

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrySchedule:
        """Read the EMAIL_MAX_ATTEMPTS and EMAIL_RETRY_* settings."""
        return cls(
            max_attempts=settings.email_max_attempts,
            base_seconds=settings.email_retry_base_seconds,
            multiplier=settings.email_retry_multiplier,
            max_seconds=settings.email_retry_max_seconds,
            jitter=settings.email_retry_jitter,
        )

    def delay(
        self, failed_attempts: int, rng: Callable[[float, float], float] | None = None
    ) -> float:
        """Return the wait in seconds after the given number of failed attempts.

        Args:
            failed_attempts: Attempts made so far, all failed (1 after the first).
            rng: Function returning a uniform random number between its two
                arguments; random.uniform by default.

        Returns:
            min(max_seconds, base_seconds * multiplier**(failed_attempts - 1)),
            scaled by the jitter factor.
        """
        exponent = max(0, failed_attempts - 1)
        try:
            wait = min(self.max_seconds, self.base_seconds * self.multiplier**exponent)
        except OverflowError:
            wait = self.max_seconds
        uniform = rng or random.uniform
        return wait * uniform(1 - self.jitter, 1 + self.jitter)
