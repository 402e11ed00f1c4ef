"""The writer lock: one process at a time changes an index (`rag ingest` from cron while `rag serve` runs).

What is locked is a claim: an `fcntl.flock` on `writer.lock` in the index folder (`FileLock`), or, when the
manifest is on a PostgreSQL server shared by several hosts, a session advisory lock there
(`rag.store.postgres.AdvisoryLock`). Both are dropped when their holder dies, even by SIGKILL, so a crashed
writer never leaves the index locked; whoever takes the lock next finds the crashed write's `pending` ids and
repairs them. Readers never take it. Within a process it is reentrant, and it is always taken before the
Assistant's thread lock, so a thread that waits for another process never holds what the threads answering
questions need.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Protocol

POLL_S = 0.2


class IndexBusy(RuntimeError):
    pass


class Claim(Protocol):
    where: str  # what is being written to, for messages

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...

    def holder(self) -> str: ...


def this_process() -> str:
    """Who holds the lock, for the message another process shows while it waits."""
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:3]]) if sys.argv else "python"
    return f"pid {os.getpid()} on {socket.gethostname()} ({command})"


class FileLock:
    """An exclusive `flock` on a file, which also names its holder."""

    def __init__(self, path: Path):
        self.path = path
        self.where = str(path.parent)
        self._file = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(this_process() + "\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()  # closing drops the flock

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"


@contextlib.contextmanager
def opening(path: Path) -> Iterator[None]:
    """A short exclusive `flock`, waited for without limit: for opening a store that the first process to open
    creates (Chroma's embedded database runs its migrations then; two at once fail with "table ... already exists")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class WriterLock:
    def __init__(self, claim: Claim, wait_s: float, on_wait: Callable[[str], None] | None = None):
        self.claim = claim
        self.wait_s = wait_s
        self.on_wait = on_wait or logging.getLogger(__name__).warning
        self._thread_lock = threading.RLock()
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._depth > 0

    @contextlib.contextmanager
    def hold(self, on_acquired: Callable[[], None] = lambda: None) -> Iterator[None]:
        """Waits up to `wait_s` for the lock (saying once that it waits, and for whom), then holds it;
        `on_acquired` runs when this process takes it (not when it already held it)."""
        with self._thread_lock:
            if self._depth == 0:
                self._acquire(wait=True)
            self._depth += 1
            try:
                if self._depth == 1:
                    on_acquired()
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.claim.release()

    @contextlib.contextmanager
    def try_hold(self) -> Iterator[bool]:
        """Holds the lock if it is free now (True), else does nothing (False): for work that a writer in
        another process will do anyway, such as repairing on open."""
        with self._thread_lock:
            got = self._depth > 0 or self._acquire(wait=False)
            if not got:
                yield False
                return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.claim.release()

    def _acquire(self, wait: bool) -> bool:
        deadline = time.monotonic() + self.wait_s
        told = False
        while not self.claim.try_acquire():
            if not wait:
                return False
            if time.monotonic() > deadline:
                raise IndexBusy(f"index busy: {self.claim.holder()} has been writing to {self.claim.where} for "
                                f"longer than {self.wait_s:g} s (RAG_WRITER_WAIT_S); try again later")
            if not told:
                self.on_wait(f"index busy: {self.claim.holder()} is writing to {self.claim.where}; waiting…")
                told = True
            time.sleep(POLL_S)
        return True
