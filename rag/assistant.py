"""The Python API, and the one place that wires the parts together.

    from rag import Assistant
    with Assistant.open("var/index") as assistant:
        assistant.ingest(["corpus/"])
        answer = assistant.ask("Куда прибыл премьер-министр Казахстана?")
        print(answer.answer, answer.citations)
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from rag.answering import tagging
from rag.answering.base import Answer, Answerer, Draft, stream_whole, unique_documents
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.parts import joined, question_parts
from rag.answering.timeline import read_timeline, timeline_draft
from rag.chunking import chunk_document
from rag.embeddings import Embedder
from rag.ingest import IngestSummary, ProgressCallback, file_inputs, ingest
from rag.messages import InputError
from rag.query import build_query
from rag.retrieval import Filters, Passage, retrieve
from rag.settings import Settings
from rag.store.index import Index
from rag.store.shared_lock import SharedLock
from rag.sync import Library
from rag.temporal import Plan, Timekeeper
from rag.turns import read_turn
from rag.web import is_url

History = Sequence[dict | str]
# Longer is not a question; the date and answer-type patterns need not read a pasted book.
MAX_QUESTION_CHARS = 2000
# A follow-up draws on the last question or two: older turns are dropped and an earlier turn is cut to
# MAX_QUESTION_CHARS, so no history (web chat, API, `rag ask --history`, the LLM rewrite prompt) costs more.
MAX_HISTORY_TURNS = 10


class Answers(Protocol):
    """What answers a question as `Assistant.ask` does: an assistant, or a second process (rag/answer_process.py)."""

    def ask(self, question: str, history: History | None = None, *, mode: str | None = None,
            date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] = (),
            id: str | None = None) -> Answer: ...


class Assistant:
    def __init__(self, settings: Settings | None = None, index_dir: Path | str | None = None,
                 rebuild: bool = False, embedder: Embedder | None = None, preload: bool = False,
                 on_wait: Callable[[str], None] | None = None):
        """`preload`: load the question models in a thread while the index opens, for a process that is about
        to answer (the CLI's ask, chat, serve and mcp); one that only lists or ingests never pays for them.
        `on_wait` is told when a write waits for another process writing to the same index."""
        self.settings = settings or Settings()
        tagging.keep_models_in(self.settings.cache_dir / "models")
        if preload:
            tagging.preload()
        self.embedder = embedder or Embedder(self.settings)
        self.index = Index(self.settings, self.embedder, Path(index_dir) if index_dir else None, rebuild=rebuild,
                           on_wait=on_wait)
        # The web chat calls from several threads: questions read the index together, a write has it alone
        # (rag/store/shared_lock.py). A write takes the index's cross-process writer lock first (`_writing`), so
        # no thread waits for another process while holding this one.
        self._lock = SharedLock()
        self.library = Library(self.index, self._lock, self.settings)
        self.time = Timekeeper(self.index)
        self.answerers: dict[str, Answerer] = {
            "extractive": ExtractiveAnswerer(
                idf=lambda term: self.index.idf(term),
                embed=self.embedder.embed_remembered,
                document_terms=lambda doc_ids: self.index.document_terms(doc_ids),
                spellings=self._spellings,
                max_sentences=self.settings.answer_sentences,
                max_passages=self.settings.answer_passages,
                min_evidence=self.settings.min_evidence,
            )
        }
        self.chat_model = None
        if self.settings.llm_configured:
            # LangChain's chat models cost a second of imports: only a configured LLM pays for them.
            from rag.answering.llm import LLMAnswerer
            from rag.llm_backend import chat_model

            self.chat_model = chat_model(self.settings)
            self.answerers["llm"] = LLMAnswerer(self.chat_model, self.settings, self.answerers["extractive"])

    def _spellings(self, stem: str, transliterated: bool = False) -> list[str]:
        found = self.index.spellings(stem)
        if not transliterated:
            return found
        # A transliterated name may be spelled otherwise: the corpus's stems of the same consonants and first
        # sound («Japarov» → джапаров → «Жапаров»), never of other sounds («Astana» is no «осет»).
        return found + [t for t in self.index.sounding_like(stem) if t not in found and _same_start(t, stem)]

    @classmethod
    def open(cls, index_dir: Path | str | None = None, settings: Settings | None = None, **kwargs) -> "Assistant":
        return cls(settings=settings, index_dir=index_dir, **kwargs)

    def __enter__(self) -> "Assistant":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.index.close()

    def ingest(self, paths: Iterable[Path | str], on_progress: ProgressCallback | None = None) -> IngestSummary:
        """Files, folders and web addresses (http/https pages, or feeds read once); addresses are fetched
        before the index is locked."""
        reader = self.library.reader()
        inputs = []
        for path in paths:
            if is_url(str(path)):
                inputs.append(self.library.prefetch(str(path), reader))
            else:
                inputs += file_inputs([Path(path)], int(self.settings.max_file_mb * 2**20))
        with self._writing():
            summary = ingest(self.index, inputs, self.settings.chunk_chars, on_progress)
            self.library.save_pages(reader, summary)
        return summary

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with self.index.writing(), self._lock:
            yield

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Shared with other readers, after catching up with what other processes wrote; that is done alone, as
        it reopens the Chroma view that other readers query (the lexical index follows in a thread)."""
        if not self._lock.reading:
            self._follow()
        with self._lock.shared():
            yield

    def caught_up(self) -> bool:
        """Whether this process reads every write committed so far as the process that wrote it does, its lexical
        index included; when not, it starts catching up (meanwhile the writer's answers are the ones to take)."""
        self._follow()
        return not self.index.stale() and not self.index.following

    def _follow(self) -> None:
        if self.index.stale():
            with self._lock:
                self.index.follow(self._lock)

    def history(self, doc_id: str) -> list[dict]:
        """The versions of a release, oldest first: {version, saved_at, chars, current}."""
        with self._lock:  # alone: a release stored before versions were kept gets its version 1 here
            versions = self.index.manifest.versions.history(doc_id)
        if not versions:
            raise InputError("no_such_document", id=doc_id)
        return versions

    def restore(self, doc_id: str, version: int) -> int:
        """Makes an earlier version the current one again (as a new version, whose number is returned)."""
        with self._writing():
            versions = self.history(doc_id)
            doc = self.index.manifest.versions.document(doc_id, version)
            if doc is None:
                raise InputError("no_such_version", id=doc_id, version=version, last=len(versions))
            if versions[version - 1]["current"] or doc.record_hash == self.index.manifest.hashes(doc_id)[0]:
                raise InputError("already_current", id=doc_id, version=version)
            self.index.write([doc], chunk_document(doc, self.settings.chunk_chars))
            self.index.finish()
            return self.history(doc_id)[-1]["version"]

    def documents(self) -> list[dict]:
        with self._reading():
            return self.index.documents()

    def sources(self) -> list[str]:
        """The distinct sources of the indexed releases, for filters."""
        return sorted({d["source"] for d in self.documents() if d["source"]})

    def passages(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """Stored text of passages by chunk id (a citation's `chunk_id`), to show a quote in its context."""
        with self._reading():
            return {chunk_id: chunk.text for chunk_id, chunk in self.index.chunks(list(chunk_ids)).items()}

    def document(self, doc_id: str) -> dict | None:
        """A release's metadata and its whole text (its passages joined, their overlaps once), or None."""
        with self._reading():
            found = next((d for d in self.index.documents() if d["doc_id"] == doc_id), None)
            if found is None:
                return None
            chunks = self.index.document_chunks(doc_id)
        return {**found, "text": _joined([c.text for c in chunks])}

    def search(self, query: str, k: int | None = None, *, date_from: str | None = None, date_to: str | None = None,
               sources: Sequence[str] = ()) -> list[Passage]:
        """The `k` best passages for a query (default: `top_k`), best first, without answering."""
        if not query or not query.strip():
            raise InputError("empty_question")
        if len(query) > MAX_QUESTION_CHARS:
            raise InputError("question_too_long", length=len(query), limit=MAX_QUESTION_CHARS)
        settings = self.settings if k is None else self.settings.model_copy(update={"top_k": max(1, k)})
        filters = Filters.from_iso(date_from, date_to, sources)
        with self._reading():
            return retrieve(self.index, build_query(query, []), settings, filters)

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Removes documents; returns the ids that were not found."""
        with self._writing():
            return self.index.remove(list(doc_ids))

    def stats(self) -> dict:
        with self._reading():
            return self.index.stats()

    def ask(self, question: str, history: History | None = None, *, mode: str | None = None,
            date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] = (),
            id: str | None = None) -> Answer:
        """Answer a question; the same as `ask_stream` without the intermediate text."""
        for event in self.ask_stream(question, history, mode=mode, date_from=date_from, date_to=date_to,
                                     sources=sources, id=id):
            if isinstance(event, Answer):
                return event
        raise RuntimeError("the answerer ended without an answer")

    def ask_stream(self, question: str, history: History | None = None, *, mode: str | None = None,
                   date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] = (),
                   id: str | None = None) -> Iterator[str | Answer]:
        """Yields pieces of the answer text as they are produced, then the complete `Answer`."""
        if not question or not question.strip():
            raise InputError("empty_question")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError("question_too_long", length=len(question), limit=MAX_QUESTION_CHARS)
        mode = mode or self.settings.default_mode
        if mode not in self.answerers:
            available = ", ".join(self.answerers)
            raise InputError("llm_not_configured", available=available) if mode == "llm" else InputError(
                "unknown_mode", mode=mode, available=available)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        filters = Filters.from_iso(date_from, date_to, sources)
        earlier = _questions(history)
        query = build_query(question, earlier)
        # A relative turn («а на следующем заседании?») is resolved against the conversation, not rewritten away.
        if mode == "llm" and earlier and self.settings.llm_rewrite_followups and read_turn(question) is None:
            from rag.answering.llm import rewrite_question

            standalone = rewrite_question(self.chat_model, self.settings, question, earlier, query.language)
            if standalone != question:
                query = build_query(standalone, [])
        timings["query"] = _ms(started)

        # A question asking of two events, each of its own period, is answered offline part by part.
        parts = question_parts(question, earlier) if mode == "extractive" else []
        step = time.perf_counter()
        with self._reading():
            searched = [self._search(part, earlier, filters) for part in parts or [query]]
        plan, passages, rows = searched[0]
        if parts:
            passages, rows = _interleaved([found for _, found, _ in searched]), []
        timings["retrieval"] = _ms(step)

        step = time.perf_counter()
        draft = None
        # The offline answer to "how did X change" is the timeline's, each value with its citation; a question
        # in parts is the join of its parts' answers.
        if parts:
            summary = joined([self.answerers[mode].answer(p.query, found) for p, found, _ in searched], parts)
        else:
            summary = timeline_draft(rows, query.language) if mode == "extractive" else None
        for event in stream_whole(summary) if summary else self.answerers[mode].stream(plan.query, passages):
            if isinstance(event, Draft):
                draft = event
            else:
                timings.setdefault("first_token", _ms(started))
                yield event
        timings["answer"] = _ms(step)
        timings["total"] = _ms(started)
        yield Answer(
            id=id,
            question=question,
            answer=draft.answer,
            refused=draft.refused,
            citations=[vars(c) for c in draft.citations],
            retrieved=[{"doc_id": p.doc_id, "chunk_id": p.chunk_id, "score": round(p.score, 6)} for p in passages],
            timings_ms=timings,
            mode=mode,
            search_query=query.search_text,
            closest=[{"doc_id": p.doc_id, "title": p.title, "date": p.date, "url": p.url}
                     for p in unique_documents(passages)[:3]] if draft.refused else [],
            notice=draft.notice,
            refusal_reason=draft.refusal_reason,
            timeline=[row.to_dict() for row in rows],
        )

    def _search(self, query, earlier: list[str], filters: Filters) -> tuple[Plan, list[Passage], list]:
        """The plan for a question, the passages retrieved for it, and the rows of its timeline if it asks one."""
        plan = self._plan(query, earlier, filters)
        passages = retrieve(self.index, plan.query, self.settings, plan.filters)
        rows = read_timeline(plan.timeline, self.index.document_chunks, plan.quantity) if plan.timeline else []
        return plan, passages, rows

    def _plan(self, query, earlier: list[str], filters: Filters) -> Plan:
        return self.time.plan(query, filters, lambda: self._cited(earlier, filters))

    def _cited(self, earlier: list[str], filters: Filters) -> str | None:
        """The release the offline answer to the last earlier question cites first, of its period when it names
        one (else its best passage's): the release a relative turn of the next question starts from."""
        plan = self._plan(build_query(earlier[-1], earlier[:-1]), earlier[:-1], filters)
        passages = retrieve(self.index, plan.query, self.settings, plan.filters)
        cited = self.answerers["extractive"].answer(plan.query, passages).citations
        dates = plan.query.dates
        of_period = [c for c in cited if dates and c.date and dates.start <= int(c.date.replace("-", "")) <= dates.end]
        return (of_period or cited)[0].doc_id if cited else passages[0].doc_id if passages else None


def _interleaved(found: list[list[Passage]]) -> list[Passage]:
    """The passages found for each part of a question, best of each first, each passage once."""
    seen, result = set(), []
    for rank in range(max(len(f) for f in found)):
        for passage in (f[rank] for f in found if rank < len(f)):
            if passage.chunk_id not in seen:
                seen.add(passage.chunk_id)
                result.append(passage)
    return result


def _same_start(term: str, stem: str) -> bool:
    return term[0] == stem[0] or {term[0], stem[0]} <= {"ж", "д"}


def _questions(history: History | None) -> list[str]:
    """The last MAX_HISTORY_TURNS earlier user questions, oldest first, each at most MAX_QUESTION_CHARS long,
    from history given as strings or {"q": ...} / {"role": "user", "content": ...}."""
    result: list[str] = []
    for turn in reversed(history or []):
        if len(result) == MAX_HISTORY_TURNS:
            break
        if isinstance(turn, str):
            text = turn
        elif isinstance(turn, dict) and turn.get("q"):
            text = str(turn["q"])
        elif isinstance(turn, dict) and turn.get("role") == "user":
            text = _text_of(turn.get("content"))
        else:
            continue
        if text:
            result.append(text[:MAX_QUESTION_CHARS])
    return result[::-1]


def _joined(texts: list[str]) -> str:
    """Passages in order, each without the sentence it repeats from the one before (rag/chunking.py)."""
    result = texts[0] if texts else ""
    for text in texts[1:]:
        overlap = next((n for n in range(min(len(result), len(text)), 0, -1) if result.endswith(text[:n])), 0)
        result += (" " if not overlap else "") + text[overlap:]
    return result


def _text_of(content: object) -> str:
    """Message content as a string, or as a list of blocks [{"type": "text", "text": ...}] (Gradio 6)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
