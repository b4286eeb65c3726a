"""Fixtures of the Google Books tests: the recorded responses and the fake server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sky_readers.adapters.google_books import GoogleBooksClient
from sky_readers.devtools.fake_google_books import FakeGoogleBooks
from tests.google_books.recordings import recordings_dir


@pytest.fixture(scope="session")
def recordings() -> Path:
    folder = recordings_dir()
    if not (folder / "INDEX.json").exists():
        pytest.skip(f"recorded Google Books responses not found in {folder}")
    return folder


@pytest.fixture
def fake_google_books(recordings) -> Iterator[FakeGoogleBooks]:
    """A fake Google Books API on 127.0.0.1 serving the recordings."""
    with FakeGoogleBooks(recordings, port=0) as server:
        yield server


class SleepRecorder:
    """Replacement for time.sleep that records each wait and waits for real."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(
    fake_google_books, sleeps
) -> Iterator[Callable[..., GoogleBooksClient]]:
    """Build clients against the fake with short timeouts and backoff."""
    clients: list[GoogleBooksClient] = []

    def build(**options) -> GoogleBooksClient:
        settings = {
            "base_url": fake_google_books.api_url,
            "api_key": "",
            "country": "",
            "connect_timeout": 2.0,
            "read_timeout": 2.0,
            "max_attempts": 3,
            "backoff_initial": 0.01,
            "backoff_max": 0.05,
            "sleep": sleeps,
        } | options
        client = GoogleBooksClient(**settings)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
