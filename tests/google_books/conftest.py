"""Fixtures of the Google Books tests: the recorded responses and the fake server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sky_readers.adapters.google_books import (
    GoogleBooksClient,
    get_google_books_client,
)
from sky_readers.core.settings import get_settings
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


@pytest.fixture
def google_books_settings(monkeypatch, fake_google_books) -> Iterator[FakeGoogleBooks]:
    """Point the store's settings, and so its shared client, at the fake server.

    Two attempts and no cache keep the error tests short and independent.
    """
    monkeypatch.setenv("GOOGLE_BOOKS_API_URL", fake_google_books.api_url)
    monkeypatch.setenv("GOOGLE_BOOKS_API_KEY", "")
    monkeypatch.setenv("GOOGLE_BOOKS_COUNTRY", "")
    monkeypatch.setenv("GOOGLE_BOOKS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("GOOGLE_BOOKS_CACHE_TTL_SECONDS", "0")
    monkeypatch.setenv("GOOGLE_BOOKS_READ_TIMEOUT_SECONDS", "1")
    _forget_settings()
    yield fake_google_books
    monkeypatch.undo()
    _forget_settings()


def _forget_settings() -> None:
    if get_google_books_client.cache_info().currsize:
        get_google_books_client().close()
    get_google_books_client.cache_clear()
    get_settings.cache_clear()
