"""The offline answers of `rag serve`'s APIs, computed in a second process.

One process serves the page, the APIs and their HTTP with one GIL: under load, the offline answerer's CPU (about
half of an API call's) and Gradio's queue wait for each other. A second process answers on the other core instead,
with an `Assistant` of its own on the same index (evals/results/load.md). It only reads, and follows what the
serving process (or any other) wrote through the manifest's generation, as any second process does
(rag/store/index.py); a question that comes while it has not caught up with a write (its lexical index is
rebuilt in seconds) is sent back and answered by the serving process, so that an answer asked once an upload
has returned sees the upload, as without a second process.

Questions to an LLM wait on the network, not the CPU: they stay in the serving process. Until the second process
is ready, and for a question it could not answer because it died, the serving process answers itself; a process
that died after it was ready is started again, at most once in RESTART_AFTER_S (one that could not start, whose
error it printed, is not: the serving process answers everything).
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Sequence

from rag.answering.base import Answer
from rag.assistant import MAX_QUESTION_CHARS, Assistant, History
from rag.cli_corpus import loading
from rag.settings import Settings

RESTART_AFTER_S = 10.0
# What the second process says: once when it is ready; then of each question, its answer, its error, or that it
# has not caught up with the index.
READY, ANSWERED, FAILED, BEHIND = "ready", "answered", "failed", "behind"


class AnswerProcess:
    def __init__(self, assistant: Assistant, connections: int):
        """`connections`: questions the second process answers at once; more wait for one of them."""
        self.local = assistant
        self.connections = connections
        self.process: multiprocessing.process.BaseProcess | None = None
        self._context = multiprocessing.get_context("spawn")  # a fork would copy the serving process's threads
        self._changed = threading.Condition()
        self._free: list[Connection] = []  # of the current process, once it is ready
        self._ready = False
        self._closed = False
        self._generation = 0  # of the current process: a connection of an older one is closed when given back
        self._started_at = 0.0
        with self._changed:
            self._start()

    def ask(self, question: str, history: History | None = None, *, mode: str | None = None,
            date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] = (),
            id: str | None = None) -> Answer:
        """`Assistant.ask`, answered by the second process when it is ready and the answer is offline."""
        keywords = dict(mode=mode, date_from=date_from, date_to=date_to, sources=sources, id=id)
        borrowed = self._borrow() if (mode or self.local.settings.default_mode) == "extractive" else None
        if borrowed is None:
            return self.local.ask(question, history, **keywords)
        generation, connection = borrowed
        try:
            connection.send(((question, history), keywords))
            outcome, value = connection.recv()
        except (EOFError, OSError):
            connection.close()
            self._died(generation)
            return self.local.ask(question, history, **keywords)
        self._give_back(generation, connection)
        if outcome == BEHIND:
            return self.local.ask(question, history, **keywords)
        if outcome == FAILED:
            raise value
        return value

    @property
    def ready(self) -> bool:
        return self._ready

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._forget()
        if self.process is not None:
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(10)

    def _borrow(self) -> tuple[int, Connection] | None:
        """A free connection to the ready process (waiting for one while all answer), or None: answer here."""
        with self._changed:
            while self._ready and not self._free:
                self._changed.wait()
            return (self._generation, self._free.pop()) if self._ready else None

    def _give_back(self, generation: int, connection: Connection) -> None:
        with self._changed:
            if generation == self._generation and self._ready:
                self._free.append(connection)
                self._changed.notify()
            else:
                connection.close()

    def _start(self) -> None:
        """Starts a process (with the lock held); its connections become free once it says it is ready."""
        self._generation += 1
        self._started_at = time.monotonic()
        pairs = [self._context.Pipe() for _ in range(self.connections)]
        self.process = self._context.Process(target=_serve, name="rag-answers", daemon=True,
                                             args=(self.local.settings, self.local.index.dir, [c for _, c in pairs]))
        self.process.start()
        for _, child in pairs:
            child.close()
        threading.Thread(target=self._await_ready, args=(self._generation, [p for p, _ in pairs]),
                         name="rag-answers-ready", daemon=True).start()

    def _await_ready(self, generation: int, connections: list[Connection]) -> None:
        try:
            for connection in connections:
                if connection.recv() != READY:
                    raise OSError("the answer process said something else than that it was ready")
        except (EOFError, OSError):
            for connection in connections:
                connection.close()
            self._died(generation, restart=False)
            return
        with self._changed:
            if generation != self._generation or self._closed:
                for connection in connections:
                    connection.close()
                return
            self._free, self._ready = connections, True
            self._changed.notify_all()

    def _died(self, generation: int, restart: bool = True) -> None:
        """Questions are answered here from now on, or until another process, started RESTART_AFTER_S after the
        dead one was (at the soonest), is ready."""
        with self._changed:
            if generation != self._generation or self._closed:
                return
            self._forget()
            self._generation += 1
            if not restart:
                return
            wait = max(0.0, RESTART_AFTER_S - (time.monotonic() - self._started_at))
        timer = threading.Timer(wait, self._restart, (self._generation,))
        timer.daemon = True
        timer.start()

    def _restart(self, generation: int) -> None:
        with self._changed:
            if generation == self._generation and not self._closed:
                self.process.join(1)
                self._start()

    def _forget(self) -> None:
        """Closes the free connections (the process exits when it sees one closed); waiting questions are
        answered here."""
        for connection in self._free:
            connection.close()
        self._free, self._ready = [], False
        self._changed.notify_all()


def _serve(settings: Settings, index_dir: Path, connections: list[Connection]) -> None:
    """The second process: a thread a connection, until the serving process closes one or dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the serving process, which closes the connections
    gone = threading.Event()
    with loading():  # as `rag serve` loads: what it loads is kept out of the collector's full passes
        assistant = Assistant(settings=settings, index_dir=index_dir, preload=True)
    with assistant:
        _warm_up(assistant)
        for connection in connections:
            threading.Thread(target=_answer, args=(assistant, connection, gone), daemon=True).start()
        gone.wait()


def _warm_up(assistant: Assistant) -> None:
    """Answers one question (a release's title) before saying it is ready: what a first answer loads (the question
    models, Chroma's HNSW index, the catalogue of series; 0.3 s and more) is then not loaded while users wait."""
    title = next((d["title"] for d in assistant.documents() if (d["title"] or "").strip()), None)
    if title:
        assistant.ask(title[:MAX_QUESTION_CHARS])


def _answer(assistant: Assistant, connection: Connection, gone: threading.Event) -> None:
    try:
        connection.send(READY)
        while True:
            arguments, keywords = connection.recv()
            try:
                result = (ANSWERED, assistant.ask(*arguments, **keywords)) if assistant.caught_up() else (BEHIND, None)
            except Exception as error:  # noqa: BLE001 (raised again in the serving process)
                result = (FAILED, error)
            try:
                connection.send(result)
            except (pickle.PicklingError, TypeError, AttributeError) as unpicklable:
                connection.send((FAILED, RuntimeError(f"{result[1]!r} ({unpicklable})")))
    except (EOFError, OSError):
        gone.set()
