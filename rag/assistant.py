"""The Python API, and the one place that wires the parts together.

    from rag import Assistant
    with Assistant.open("var/index") as assistant:
        assistant.ingest(["corpus/"])
        answer = assistant.ask("Куда прибыл премьер-министр Казахстана?")
        print(answer.answer, answer.citations)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable, Sequence

from rag.answering.base import Answer, Answerer, unique_documents
from rag.answering.extractive import ExtractiveAnswerer
from rag.embeddings import Embedder
from rag.ingest import IngestSummary, ProgressCallback, ingest
from rag.query import build_query
from rag.retrieval import Filters, retrieve
from rag.settings import Settings
from rag.store.index import Index

History = Sequence[dict | str]


class Assistant:
    def __init__(self, settings: Settings | None = None, index_dir: Path | str | None = None,
                 rebuild: bool = False, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self.embedder = embedder or Embedder(self.settings)
        self.index = Index(self.settings, self.embedder, Path(index_dir) if index_dir else None, rebuild=rebuild)
        self.answerers: dict[str, Answerer] = {
            "extractive": ExtractiveAnswerer(
                idf=lambda term: self.index.lexical.idf(term),
                embed=self.embedder.embed,
                max_sentences=self.settings.answer_sentences,
                max_passages=self.settings.answer_passages,
                min_evidence=self.settings.min_evidence,
            )
        }

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
        return ingest(self.index, [Path(p) for p in paths], int(self.settings.max_file_mb * 2**20),
                      self.settings.chunk_chars, on_progress)

    def documents(self) -> list[dict]:
        return self.index.documents()

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Removes documents; returns the ids that were not found."""
        return self.index.remove(list(doc_ids))

    def stats(self) -> dict:
        return self.index.stats()

    def ask(self, question: str, history: History | None = None, *, mode: str | None = None,
            date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] = (),
            id: str | None = None) -> Answer:
        if not question or not question.strip():
            raise ValueError("question is empty")
        mode = mode or self.settings.mode
        if mode not in self.answerers:
            raise ValueError(f"unknown answer mode {mode!r}; available: {', '.join(self.answerers)}")
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query = build_query(question, _questions(history))
        timings["query"] = _ms(started)

        step = time.perf_counter()
        passages = retrieve(self.index, query, self.settings, Filters.from_iso(date_from, date_to, sources))
        timings["retrieval"] = _ms(step)

        step = time.perf_counter()
        draft = self.answerers[mode].answer(query, passages)
        timings["answer"] = _ms(step)
        timings["total"] = _ms(started)
        return Answer(
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
        )


def _questions(history: History | None) -> list[str]:
    """Earlier user questions from history given as strings or {"q": ...} / {"role": "user", "content": ...}."""
    result = []
    for turn in history or []:
        if isinstance(turn, str):
            result.append(turn)
        elif isinstance(turn, dict) and turn.get("q"):
            result.append(str(turn["q"]))
        elif isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            result.append(turn["content"])
    return result


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
