"""The fake Google Books server: matching, controls, loopback binding and the CLI."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sky_readers.devtools.fake_google_books import FakeGoogleBooks
from tests.google_books.recordings import index_entries

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _control_url(fake: FakeGoogleBooks, name: str) -> str:
    return f"http://127.0.0.1:{fake.port}/_control/{name}"


def test_fake_binds_loopback(fake_google_books):
    assert fake_google_books._server.server_address[0] == "127.0.0.1"
    assert fake_google_books.api_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "entry",
    [e for e in index_entries() if (e.get("request") or {}).get("url_is_exact")],
    ids=lambda e: e["file"],
)
def test_fake_serves_recorded_url(fake_google_books, recordings, entry):
    """Test that a recorded request URL gets its recorded body, byte for byte.

    When one URL was recorded twice, the first recording is served.
    """
    first = next(
        e
        for e in index_entries()
        if (e.get("request") or {}).get("url") == entry["request"]["url"]
    )
    recorded = httpx.URL(entry["request"]["url"])
    url = f"http://127.0.0.1:{fake_google_books.port}{recorded.raw_path.decode()}"
    response = httpx.get(url)
    assert response.status_code == entry["http_status"]
    body = response.content
    assert hashlib.sha1(body).hexdigest() == first["sha1"]
    assert body.startswith(b"\xef\xbb\xbf") == first["utf8_bom"]


def test_fake_control_fail_over_http(fake_google_books):
    state = httpx.post(
        _control_url(fake_google_books, "fail"),
        json={"status": 429, "count": 1, "retry_after": 7},
    ).json()
    assert state["pending"][0]["status"] == 429
    url = f"{fake_google_books.api_url}/volumes/49T5twEACAAJ"
    limited = httpx.get(url)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert httpx.get(url).status_code == 200
    log = httpx.get(_control_url(fake_google_books, "requests")).json()
    assert log["request_count"] == 2


def test_fake_control_reset(fake_google_books):
    httpx.post(
        _control_url(fake_google_books, "fail"), json={"status": 500, "count": 3}
    )
    httpx.get(f"{fake_google_books.api_url}/volumes/49T5twEACAAJ")
    state = httpx.post(_control_url(fake_google_books, "reset")).json()
    assert state == {"request_count": 0, "pending": []}
    assert httpx.get(f"{fake_google_books.api_url}/volumes/49T5twEACAAJ").is_success


def test_fake_control_rejects_bad_options(fake_google_books):
    response = httpx.post(
        _control_url(fake_google_books, "fail"), json={"status": "often"}
    )
    assert response.status_code == 400
    assert "invalid control options" in response.json()["error"]


def test_fake_unknown_volume_404(fake_google_books):
    response = httpx.get(f"{fake_google_books.api_url}/volumes/zzzzzzzzzzzz")
    assert response.status_code == 404
    assert response.json()["error"]["errors"][0]["reason"] == "notFound"


def test_fake_empty_query_400(fake_google_books):
    response = httpx.get(f"{fake_google_books.api_url}/volumes", params={"q": ""})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Missing query."


def test_fake_isbn10_matches_isbn13(fake_google_books):
    response = httpx.get(
        f"{fake_google_books.api_url}/volumes", params={"q": "isbn:0684801523"}
    )
    assert response.json()["items"][0]["id"]
    assert response.json()["totalItems"] == 1


def test_fake_stop_releases_port(recordings):
    fake = FakeGoogleBooks(recordings, port=0).start()
    port = fake.port
    fake.hang_next(60)
    fake.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), 1):
        pass


def test_fake_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        FakeGoogleBooks(tmp_path / "missing")


def _start_cli(recordings: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sky_readers",
            "dev",
            "fake-google-books",
            "--port",
            "0",
            "--fixtures",
            str(recordings),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    first_line = process.stdout.readline()
    assert first_line.startswith("Fake Google Books API at "), first_line
    return process, first_line.split(" at ", 1)[1].strip()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops(recordings, stop_signal):
    process, api_url = _start_cli(recordings)
    try:
        assert api_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{api_url}/volumes/49T5twEACAAJ", timeout=10)
        assert response.status_code == 200
        assert response.content.startswith(b"\xef\xbb\xbf")
    finally:
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "stopped" in stderr


def test_cli_missing_fixtures(tmp_path):
    result = subprocess.run(  # noqa: PLW1510 - the exit code is the subject
        [
            sys.executable,
            "-m",
            "sky_readers",
            "dev",
            "fake-google-books",
            "--port",
            "0",
            "--fixtures",
            str(tmp_path / "nope"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "--fixtures" in result.stderr
    assert "Traceback" not in result.stderr
