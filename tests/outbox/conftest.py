"""Fixtures of the outbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sky_readers.devtools.fake_acs import FakeAcsServer
from sky_readers.outbox.backends.acs import AcsBackend
from tests.outbox.fixtures import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A plain SMTP sink on 127.0.0.1."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def fake_acs() -> Iterator[FakeAcsServer]:
    """The fake ACS Email API on 127.0.0.1, with timeouts that stall 1.5 s."""
    with FakeAcsServer(seed=7) as server:
        server.set_timeout_seconds(1.5)
        yield server


@pytest.fixture
def acs_backend(fake_acs) -> Iterator[AcsBackend]:
    """An ACS backend on the fake, with a 0.5 s read timeout and quick polls."""
    backend = AcsBackend(
        endpoint=fake_acs.endpoint,
        access_key=fake_acs.access_key,
        request_timeout=0.5,
        poll_interval=0.02,
        poll_timeout=3,
    )
    yield backend
    backend.close()
