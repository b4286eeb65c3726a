"""A throwaway redis-server on 127.0.0.1, shaped like Azure's managed Redis.

Managed Redis rejects CONFIG, so Reflex cannot switch on the keyspace events that
its lock waiter needs. This server has them preset instead (`K$sgxe`), as the Bicep
templates configure them. Nothing is saved to disk.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import free_port, stop_process_group

# Seconds allowed for redis-server to reply to PING after it starts.
REDIS_START_TIMEOUT = 10


def _replies_to_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def managed_redis_like_server(folder: Path) -> Iterator[str]:
    """Run redis-server on a free port of 127.0.0.1 until the block ends.

    Skips the test when redis-server is not installed (Debian package redis-server).

    Args:
        folder: Working folder of the server.

    Yields:
        The server's URL for database 0, such as redis://127.0.0.1:40123/0.
    """
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--rename-command", "CONFIG", ""]
    command += ["--notify-keyspace-events", "K$sgxe"]
    process = subprocess.Popen(
        command,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while not _replies_to_ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"redis-server did not answer PING on 127.0.0.1:{port} within "
                    f"{REDIS_START_TIMEOUT} s (exit status {process.poll()})"
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process_group(process, grace_seconds=10)
