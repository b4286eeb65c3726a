"""Helpers for the servers that tests start as subprocesses on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen, *, grace_seconds: float) -> None:
    """Stop a process that leads its own group, and every process in that group.

    Sends SIGTERM to the group, then SIGKILL when the leader has not exited after
    `grace_seconds`. Start the process with `start_new_session=True`.
    """
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
