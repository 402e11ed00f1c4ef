"""Ingestion: inputs (files, pages, feed items) -> documents -> chunks -> index, incremental and safe to interrupt.

Each document is classified against the manifest: unchanged (same record hash: skipped), updated
(same id, other content: its chunks are replaced), duplicate (same text as another id, or a near duplicate
of another release: reported, not stored), or added. Documents are written in batches so embedding and
Chroma work in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from rag.chunking import Chunk, chunk_document
from rag.documents import Document, LoadError, iter_input_files, load_path
from rag.messages import InputError
from rag.store.index import Index
from rag.store.near import signature
from rag.web import Item, Unchanged

BATCH_CHUNKS = 2000


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    failed: list[LoadError] = field(default_factory=list)
    files: int = 0
    chunks: int = 0

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "duplicate": len(self.duplicates) + len(self.near_duplicates), "failed": len(self.failed)}

    def to_dict(self) -> dict:
        return {
            **self.counts(),
            "files": self.files,
            "chunks": self.chunks,
            "duplicates": [{"doc_id": d, "same_as": s} for d, s in self.duplicates],
            "near_duplicates": [{"doc_id": d, "near": n, "similarity": round(j, 3)}
                                for d, n, j in self.near_duplicates],
            "failures": [{"where": e.where, "reason": e.reason} for e in self.failed],
        }


@dataclass
class IngestProgress:
    files_done: int
    files_total: int
    documents: int
    current: str


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(frozen=True)
class Input:
    """One file or address; `load` reads it when its turn comes."""
    name: str
    load: Callable[[], Iterable[Item]]


def file_inputs(paths: Iterable[Path], max_bytes: int) -> list[Input]:
    return [Input(str(path), partial(load_path, path, root, max_bytes)) for path, root in iter_input_files(paths)]


def ingest(index: Index, inputs: list[Input], chunk_chars: int,
           on_progress: ProgressCallback | None = None) -> IngestSummary:
    summary = IngestSummary()
    # The whole run under the writer lock: what it classified against the manifest stays true until it writes.
    with index.writing():
        run = _Run(index, summary, chunk_chars)
        documents = 0
        try:
            for number, source in enumerate(inputs, start=1):
                summary.files += 1
                for item in source.load():
                    if isinstance(item, LoadError):
                        summary.failed.append(item)
                        continue
                    if isinstance(item, Unchanged):
                        summary.unchanged.append(item.doc_id)
                        continue
                    documents += 1
                    run.classify(item)
                    if on_progress and documents % 200 == 0:
                        on_progress(IngestProgress(number - 1, len(inputs), documents, source.name))
                if on_progress:
                    on_progress(IngestProgress(number, len(inputs), documents, source.name))
            run.settle_twins()
            run.batch.flush()
        except BaseException:
            # Signatures of documents that were never written must not stay in the near-duplicate index.
            index.near.invalidate()
            raise
        finally:
            index.finish()
    return summary


class _Run:
    """What one ingest run has met so far: content hash -> id, id -> record hash, and documents whose twin
    is a stored document that this same run may still change."""

    def __init__(self, index: Index, summary: IngestSummary, chunk_chars: int):
        self.index = index
        self.summary = summary
        self.chunk_chars = chunk_chars
        self.batch = _Batch(index, summary)
        self.seen: dict[str, str] = {}
        self.records: dict[str, str] = {}
        self.stored_twins: list[tuple[Document, str]] = []
        self.written: set[str] = set()
        # Into an empty index, nothing stored can match: skip two lookups a document (160k at 80k releases).
        self.stored_before = not index.manifest.is_empty()

    def classify(self, doc: Document) -> None:
        if doc.id in self.records:
            if self.records[doc.id] == doc.record_hash:
                self.summary.duplicates.append((doc.id, doc.id))
            else:
                self.summary.failed.append(
                    LoadError(doc.origin, InputError("id_twice", id=doc.id)))
            return
        self.records[doc.id] = doc.record_hash
        stored = self.index.manifest.hashes(doc.id) if self.stored_before else None
        if stored and stored[0] == doc.record_hash:
            self.summary.unchanged.append(doc.id)
            self.seen.setdefault(doc.content_hash, doc.id)
            return
        twin = self.seen.get(doc.content_hash)
        if twin is None and self.stored_before:
            stored_twin = self.index.manifest.doc_with_content(doc.content_hash)
            if stored_twin and stored_twin != doc.id:
                self.stored_twins.append((doc, stored_twin))
                return
        if twin and twin != doc.id:
            self.summary.duplicates.append((doc.id, twin))
            return
        minhash = signature(doc.text)
        # A new id only: an edit of a stored release under its own id is its update.
        near = None if stored else self.index.near.find(minhash, exclude=doc.id)
        if near:
            self.summary.near_duplicates.append((doc.id, *near))
            return
        self._store(doc, updated=bool(stored), minhash=minhash)

    def settle_twins(self) -> None:
        """A stored twin that this run replaced with other text no longer holds this text: store the document."""
        for doc, twin in self.stored_twins:
            if twin in self.written and doc.content_hash not in self.seen:
                self._store(doc, updated=bool(self.index.manifest.hashes(doc.id)))
            else:
                self.summary.duplicates.append((doc.id, self.seen.get(doc.content_hash, twin)))

    def _store(self, doc: Document, updated: bool, minhash: np.ndarray | None = None) -> None:
        self.seen[doc.content_hash] = doc.id
        self.written.add(doc.id)
        (self.summary.updated if updated else self.summary.added).append(doc.id)
        minhash = signature(doc.text) if minhash is None else minhash
        # Seen at once by the near-duplicate index, so that later documents of this run meet it.
        self.index.near.track({doc.id: minhash})
        self.batch.add(doc, chunk_document(doc, self.chunk_chars), minhash)


class _Batch:
    def __init__(self, index: Index, summary: IngestSummary):
        self.index = index
        self.summary = summary
        self.documents: list[Document] = []
        self.chunks: list[Chunk] = []
        self.signatures: dict[str, np.ndarray] = {}

    def add(self, doc: Document, chunks: list[Chunk], minhash: np.ndarray) -> None:
        self.documents.append(doc)
        self.chunks.extend(chunks)
        self.signatures[doc.id] = minhash
        if len(self.chunks) >= BATCH_CHUNKS:
            self.flush()

    def flush(self) -> None:
        self.index.write(self.documents, self.chunks, self.signatures)
        self.summary.chunks += len(self.chunks)
        self.documents, self.chunks, self.signatures = [], [], {}
