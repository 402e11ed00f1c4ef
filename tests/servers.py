"""Starting a real server as a subprocess for a test, and stopping it whatever happens."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], ready_url: str, log: Path, timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    """Runs `command` until `ready_url` answers; fails the test with the server's output if it never does."""
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.3)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
