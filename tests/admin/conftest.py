"""Fixtures of the admin tests: Azurite for Blob Storage, API clients, card payments."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from sky_readers.adapters.storage import set_storage
from sky_readers.adapters.storage.local import LocalFolderStorage
from sky_readers.api.app import create_api
from sky_readers.core.settings import PROJECT_ROOT
from sky_readers.orders.payments import use_gateway
from sky_readers.orders.payments.test_card import TestCardGateway

AZURITE_MAIN = PROJECT_ROOT / "tools/azurite/node_modules/azurite/dist/src/blob/main.js"
# Azurite's published development account; it exists only inside the emulator.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
    "KBHBeksoGMGw=="
)
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def azurite(tmp_path_factory) -> Iterator[str]:
    """Start Azurite's blob service on a free port of 127.0.0.1 for the session.

    Yields:
        The connection string of its development account.
    """
    node = shutil.which("node")
    if node is None or not AZURITE_MAIN.is_file():
        pytest.fail(
            f"Azurite is not installed ({AZURITE_MAIN}) or node is missing: run "
            "`make test-unit`, which runs `npm ci` in tools/azurite first",
            pytrace=False,
        )
    port = _free_port()
    folder = tmp_path_factory.mktemp("azurite")
    log = (folder / "azurite.log").open("wb")
    process = subprocess.Popen(
        [
            node,
            str(AZURITE_MAIN),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--skipApiVersionCheck",
            "--inMemoryPersistence",
            "--extentMemoryLimit",
            "256",
            "--disableTelemetry",
            "--silent",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        # Anything Azurite writes besides its memory store lands in the temporary folder.
        cwd=folder,
    )
    endpoint = f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                # Any HTTP status means the server listens.
                httpx.get(f"{endpoint}?comp=list", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "Azurite did not start: "
                        + (folder / "azurite.log").read_text(errors="replace"),
                        pytrace=False,
                    )
                time.sleep(0.05)
        yield (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};BlobEndpoint={endpoint}"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture
def local_storage(tmp_path) -> Iterator[LocalFolderStorage]:
    """A local folder backend that `get_storage` returns during the test."""
    storage = LocalFolderStorage(tmp_path / "covers")
    previous = set_storage(storage)
    yield storage
    set_storage(previous)


@pytest.fixture
def client(engine) -> Iterator[TestClient]:
    """API client on the test database, without following redirects."""
    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def card_gateway() -> Iterator[TestCardGateway]:
    """A fresh test card gateway for the checkouts that build orders."""
    with use_gateway(TestCardGateway()) as gateway:
        yield gateway
