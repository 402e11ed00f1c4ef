"""The Assistant's thread lock on its index: questions read it together, a write has it alone.

The web chat answers from several threads. Retrieval reads the index (the lexical index, Chroma, the
manifest) and never changes it, so readers share the lock: while one waits for Chroma or SQLite, which
release the GIL, another computes. A write (ingest, removal, restore, a feed sync, catching up with another
process's writes) holds it alone. A waiting writer lets no new reader in, so a steady stream of questions
never starves an upload. Both are re-entrant in their thread, and the writer may also read; a reader must
not ask to write (it would wait for itself).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class SharedLock:
    def __init__(self):
        self._changed = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._writes = 0  # how deep the writer thread holds it
        self._writers_waiting = 0
        self._reads = threading.local()  # how deep this thread reads

    def __enter__(self) -> "SharedLock":
        """Held alone (`with lock:`)."""
        me = threading.get_ident()
        with self._changed:
            if self._writer != me:
                self._writers_waiting += 1
                self._changed.wait_for(lambda: self._writer is None and not self._readers)
                self._writers_waiting -= 1
                self._writer = me
            self._writes += 1
        return self

    def __exit__(self, *exc) -> None:
        with self._changed:
            self._writes -= 1
            if not self._writes:
                self._writer = None
                self._changed.notify_all()

    @property
    def reading(self) -> bool:
        """Whether this thread reads now (or writes, which includes reading)."""
        return getattr(self._reads, "depth", 0) > 0 or self._writer == threading.get_ident()

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Held with other readers."""
        if self.reading:
            yield
            return
        with self._changed:
            self._changed.wait_for(lambda: self._writer is None and not self._writers_waiting)
            self._readers += 1
        self._reads.depth = 1
        try:
            yield
        finally:
            self._reads.depth = 0
            with self._changed:
                self._readers -= 1
                if not self._readers:
                    self._changed.notify_all()
