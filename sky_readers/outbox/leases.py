"""Lease renewal of claimed outbox mail while a worker delivers it."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """Renew a worker's leases on some claimed mails in a thread, while in use.

    The renew function leaves alone rows that are no longer the worker's or no
    longer being sent, so renewing a whole batch until its last mail is done is safe.
    NOTE: a send that never returns keeps its lease for as long as the process
    lives. Every backend bounds its sends with timeouts for that reason.
    """

    def __init__(
        self,
        items: Sequence[Any],
        renew: Callable[[list[Any]], set[int]],
        lease: dt.timedelta,
        worker_id: str,
    ) -> None:
        """Prepare the thread; it starts on entering the `with` block.

        Args:
            items: Claimed mails whose leases to keep.
            renew: Function that extends the leases of the given claimed mails.
            lease: Length of one lease; renewals come every third of it.
            worker_id: The worker's id, for the thread name and the log.
        """
        self.items = list(items)
        self.renew = renew
        self.interval = lease.total_seconds() / 3
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"mail-lease-{worker_id}", daemon=True
        )

    def __enter__(self) -> LeaseKeeper:
        """Start renewing."""
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        """Stop renewing and wait for the thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.renew(self.items)
            except SQLAlchemyError as exc:
                logger.warning(
                    "Mail worker %s could not renew its leases: %s",
                    self.worker_id,
                    exc,
                )
