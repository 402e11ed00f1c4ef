"""Ingestion: files -> documents -> chunks -> index, incremental and safe to interrupt.

Each document is classified against the manifest: unchanged (same record hash: skipped), updated
(same id, other content: its chunks are replaced), duplicate (same text as another id: reported, not
stored), or added. Documents are written in batches so embedding and Chroma work in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rag.chunking import Chunk, chunk_document
from rag.documents import Document, LoadError, iter_input_files, load_path
from rag.store.index import Index

BATCH_CHUNKS = 2000


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    failed: list[LoadError] = field(default_factory=list)
    files: int = 0
    chunks: int = 0

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "duplicate": len(self.duplicates), "failed": len(self.failed)}

    def to_dict(self) -> dict:
        return {
            **self.counts(),
            "files": self.files,
            "chunks": self.chunks,
            "duplicates": [{"doc_id": d, "same_as": s} for d, s in self.duplicates],
            "failures": [{"where": e.where, "reason": e.reason} for e in self.failed],
        }


@dataclass
class IngestProgress:
    files_done: int
    files_total: int
    documents: int
    current: str


ProgressCallback = Callable[[IngestProgress], None]


def ingest(index: Index, paths: Iterable[Path], max_bytes: int, chunk_chars: int,
           on_progress: ProgressCallback | None = None) -> IngestSummary:
    summary = IngestSummary()
    files = list(iter_input_files(Path(p) for p in paths))
    batch = _Batch(index, summary)
    seen_content: dict[str, str] = {}
    run_hashes: dict[str, str] = {}
    documents = 0
    try:
        for number, (path, root) in enumerate(files, start=1):
            summary.files += 1
            for item in load_path(path, root, max_bytes):
                if isinstance(item, LoadError):
                    summary.failed.append(item)
                    continue
                documents += 1
                _classify(item, index, seen_content, run_hashes, summary, batch, chunk_chars)
                if on_progress and documents % 200 == 0:
                    on_progress(IngestProgress(number - 1, len(files), documents, str(path)))
            if on_progress:
                on_progress(IngestProgress(number, len(files), documents, str(path)))
        batch.flush()
    finally:
        index.finish()
    return summary


def _classify(doc: Document, index: Index, seen: dict[str, str], run_hashes: dict[str, str],
              summary: IngestSummary, batch: "_Batch", chunk_chars: int) -> None:
    """`seen`: content hash -> id, and `run_hashes`: id -> record hash, of documents met earlier in this run."""
    if doc.id in run_hashes:
        if run_hashes[doc.id] == doc.record_hash:
            summary.duplicates.append((doc.id, doc.id))
        else:
            summary.failed.append(LoadError(doc.origin, f"id {doc.id!r} appears twice with different content; kept the first"))
        return
    run_hashes[doc.id] = doc.record_hash
    stored = index.manifest.hashes(doc.id)
    if stored and stored[0] == doc.record_hash:
        summary.unchanged.append(doc.id)
        seen.setdefault(doc.content_hash, doc.id)
        return
    twin = seen.get(doc.content_hash) or index.manifest.doc_with_content(doc.content_hash)
    if twin and twin != doc.id:
        summary.duplicates.append((doc.id, twin))
        return
    seen[doc.content_hash] = doc.id
    (summary.updated if stored else summary.added).append(doc.id)
    batch.add(doc, chunk_document(doc, chunk_chars))


class _Batch:
    def __init__(self, index: Index, summary: IngestSummary):
        self.index = index
        self.summary = summary
        self.documents: list[Document] = []
        self.chunks: list[Chunk] = []

    def add(self, doc: Document, chunks: list[Chunk]) -> None:
        self.documents.append(doc)
        self.chunks.extend(chunks)
        if len(self.chunks) >= BATCH_CHUNKS:
            self.flush()

    def flush(self) -> None:
        self.index.write(self.documents, self.chunks)
        self.summary.chunks += len(self.chunks)
        self.documents, self.chunks = [], []
