"""The index: manifest + Chroma vectors + lexical index, kept in sync, shared by processes.

Write protocol (so that Ctrl-C or kill at any point leaves an index the next writer repairs):
0. the writer takes the index's writer lock (`rag.store.lock`): one writing process at a time;
1. the ids of the documents about to change are recorded as `pending` in the manifest;
2. their old vectors are deleted and new ones upserted in Chroma (ids are deterministic, so a repeat
   never duplicates);
3. the manifest replaces their rows in one transaction, bumps `generation` and `pending` is cleared; the
   lexical index is rebuilt from the manifest after the batch of writes (`finish`).
Whoever takes the lock and finds `pending` non-empty knows its writer died (the lock is free): vectors of
pending documents are rewritten from the manifest and vectors the manifest does not know are deleted.

Other processes' changes: `refresh()` (before every question, and whenever the lock is taken) compares the
manifest's `generation` with the one this process last saw; when it moved, the lexical index is loaded
again and Chroma's view is reopened (an embedded Chroma client never sees vectors another process wrote).
Dense hits are kept only for chunks the lexical index (this process's view of the manifest) holds.

Several hosts (`RAG_DATABASE_URL` with `RAG_CHROMA_HOST`): the manifest and the writer lock are on a PostgreSQL
server and the vectors on a Chroma server, which all hosts share; the index folder holds only this host's
lexical index, rebuilt from the shared manifest when its generation moves (`rag.store.postgres`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable

import numpy as np

from rag.chunking import Chunk
from rag.documents import Document
from rag.embeddings import Embedder
from rag.settings import Settings
from rag.store.lexical import LexicalIndex
from rag.store.lock import FileLock, IndexBusy, WriterLock
from rag.store.manifest import Manifest, StoredChunk
from rag.store.near import NearDuplicates, signature, to_blob
from rag.store.postgres import AdvisoryLock
from rag.store.vectors import EmbeddingMismatch, VectorStore
from rag.text import TERMS_VERSION, terms

__all__ = ["Index", "EmbeddingMismatch", "IndexBusy"]

OVERFETCH = 10
MIN_FETCH = 600
TERMS_KEPT = 4096  # releases whose stems `document_terms` keeps


class Index:
    def __init__(self, settings: Settings, embedder: Embedder, index_dir: Path | None = None, rebuild: bool = False,
                 on_wait: Callable[[str], None] | None = None):
        self.settings = settings
        self.embedder = embedder
        self.dir = Path(index_dir or settings.index_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        shared = settings.database_url is not None
        if shared and not settings.chroma_host:
            raise ValueError("RAG_DATABASE_URL shares the manifest between hosts, and then the vectors must be shared "
                             "too: set RAG_CHROMA_HOST (and RAG_CHROMA_PORT) to the Chroma server they all use")
        self.manifest = Manifest(self.dir / "manifest.sqlite",
                                 settings.database_url.get_secret_value() if shared else None)
        claim = AdvisoryLock(self.manifest.db) if shared else FileLock(self.dir / "writer.lock")
        self.lock = WriterLock(claim, settings.writer_wait_s, on_wait)
        # This host's copy of the lexical index; with a shared manifest, named by the store it was built from.
        self.lexical_dir = self.dir / (f"lexical-{self.manifest.get_meta('store_id')}" if shared else "lexical")
        self.near = NearDuplicates(self.manifest, settings.near_duplicate_threshold)
        self.lexical: LexicalIndex | None = None
        self._seen = -1  # the manifest generation this process's lexical index and Chroma view show
        self._terms: dict[str, frozenset[str]] = {}
        self._terms_generation = -1
        with self.lock.try_hold() as free:
            # Opening only reads unless the lock is free (a writer in another process does the rest).
            writer = free or rebuild
            with self.lock.hold() if writer else contextlib.nullcontext():
                if rebuild:
                    # Marked first, so a rebuild that is interrupted is completed by the next writer's repair.
                    self.manifest.set_pending(self.manifest.all_doc_ids())
                self.vectors = VectorStore(settings, self.dir, embedder.id, embedder.dimension, rebuild=rebuild)
                # Indexes made before terms were versioned have no version: their terms are recomputed.
                if writer and self.manifest.get_meta("terms_version", "1") != TERMS_VERSION:
                    self.manifest.retokenise(terms)
                    self.manifest.set_meta(terms_version=TERMS_VERSION)
                if writer:
                    self._prepare_write()
                else:
                    self.refresh()

    def close(self) -> None:
        self.vectors.close()
        self.manifest.close()

    def writing(self):
        """The writer lock, held for a whole series of writes (an ingest run); waits for another process."""
        return self.lock.hold(on_acquired=self._prepare_write)

    def _prepare_write(self) -> None:
        """The lock was just taken: see what other processes wrote, and complete a write that died."""
        if self.manifest.pending():
            self.refresh(force=True)  # Chroma holds what the dead writer wrote, whatever this process saw
            self.repair()
        else:
            self.refresh()

    def stale(self) -> bool:
        """Whether another process changed the index since this process last looked (one SQLite read)."""
        return self.manifest.generation != self._seen

    def refresh(self, force: bool = False) -> bool:
        """Catches up with changes made by other processes; cheap (one SQLite read) when there were none."""
        generation = self.manifest.generation
        if generation == self._seen and not force:
            return False
        if self.lexical is not None:
            self.vectors.reopen()
            self.near.invalidate()
        self.lexical = self._load_lexical(generation)
        self._seen = generation
        return True

    def _load_lexical(self, generation: int) -> LexicalIndex:
        saved = LexicalIndex.load(self.lexical_dir)
        if saved is not None and saved.generation == generation:
            return saved
        # Stale or missing on disk (a writer is between its manifest commit and `finish`, or died there; or,
        # with a shared manifest, a writer on another host saved its own copy there).
        lexical = LexicalIndex.build(self.manifest.all_chunk_rows(), generation)
        if self.lock.held:
            lexical.save(self.lexical_dir)
        return lexical

    def _refresh_lexical(self) -> None:
        generation = self.manifest.generation
        if self.lexical is None or self.lexical.generation != generation:
            self.lexical = LexicalIndex.build(self.manifest.all_chunk_rows(), generation)
            self.lexical.save(self.lexical_dir)
        self._seen = generation

    def write(self, documents: list[Document], chunks: list[Chunk],
              signatures: dict[str, np.ndarray] | None = None) -> None:
        """Add or replace documents (with all their chunks) atomically as seen by readers of the manifest."""
        if not documents:
            return
        with self.writing():
            given = signatures or {}
            signed = {d.id: given[d.id] if d.id in given else signature(d.text) for d in documents}
            doc_ids = [d.id for d in documents]
            self.manifest.set_pending(doc_ids)
            stale = set(self.manifest.chunk_ids(doc_ids)) - {c.id for c in chunks}
            self.vectors.delete(sorted(stale))
            vectors = self.embedder.embed([c.search_text for c in chunks])
            self.vectors.upsert(
                [c.id for c in chunks], vectors, [c.doc_id for c in chunks], [c.date for c in chunks],
                [c.source for c in chunks],
            )
            self.manifest.replace(documents, chunks, [" ".join(terms(c.search_text)) for c in chunks],
                                  {doc_id: to_blob(minhash) for doc_id, minhash in signed.items()})
            self.near.committed(signed)
            self.manifest.set_pending([])

    def remove(self, doc_ids: list[str]) -> list[str]:
        """Remove documents; returns the ids that were not in the index."""
        with self.writing():
            present = self.manifest.existing(doc_ids)
            if present:
                self.manifest.set_pending(present)
                self.vectors.delete(self.manifest.chunk_ids(present))
                self.manifest.remove(present)
                self.near.untrack(present)
                self.manifest.set_pending([])
                self._refresh_lexical()
        return [d for d in doc_ids if d not in present]

    def finish(self) -> None:
        """Bring the derived lexical index up to date after a series of writes."""
        with self.writing():
            self._refresh_lexical()

    def repair(self) -> None:
        with self.writing():
            pending = self.manifest.pending()
            known = set(self.manifest.chunk_ids(self.manifest.all_doc_ids()))
            self.vectors.delete(sorted(self.vectors.all_ids() - known))
            self._embed_from_manifest(pending)
            self.manifest.set_pending([])

    def _embed_from_manifest(self, doc_ids: list[str]) -> None:
        rows = self.manifest.chunk_texts_for(doc_ids)
        for start in range(0, len(rows), 2000):
            part = rows[start : start + 2000]
            vectors = self.embedder.embed([r[2] for r in part])
            self.vectors.upsert([r[0] for r in part], vectors, [r[1] for r in part], [r[3] for r in part],
                                [r[4] for r in part])

    # Reading

    def documents(self) -> list[dict]:
        return self.manifest.documents()

    def chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        return self.manifest.chunks(chunk_ids)

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        """A document's passages in their order."""
        stored = self.manifest.chunks(self.manifest.chunk_ids([doc_id]))
        return sorted(stored.values(), key=lambda c: c.ordinal)

    def document_terms(self, doc_ids: list[str]) -> set[str]:
        """Every stem of the given documents. The answerer asks for those of the releases it quotes on every
        question, so each release's are kept while the generation this process reads stays the same."""
        if self._terms_generation != self.lexical.generation or len(self._terms) > TERMS_KEPT:
            self._terms, self._terms_generation = {}, self.lexical.generation
        kept = self._terms  # another thread may start a new one meanwhile
        if missing := [d for d in doc_ids if d not in kept]:
            kept.update({d: frozenset(stems) for d, stems in self.manifest.document_terms(missing).items()})
        return set().union(*(kept[d] for d in doc_ids))

    def dense_search(self, vector: np.ndarray, n: int, date_from: int | None = None, date_to: int | None = None,
                     sources: list[str] | None = None, documents: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """Nearest passages; with filters, the nearest of a wider unfiltered search that pass them.

        Chroma's `where` filter costs 75-150 ms a query at 85k passages against 1-5 ms without it, so the
        filter is applied here, to OVERFETCH times more neighbours; BM25's exact mask covers what lies beyond.
        """
        mask = self.lexical.filter_mask(date_from, date_to, sources, documents)
        rows = self.lexical.row_of
        # A vector the lexical index lacks belongs to a write another process has not committed yet.
        if mask is None:
            return [(chunk_id, score) for chunk_id, score in self.vectors.query(vector, n) if chunk_id in rows]
        hits = self.vectors.query(vector, max(n * OVERFETCH, MIN_FETCH))
        return [(chunk_id, score) for chunk_id, score in hits if chunk_id in rows and mask[rows[chunk_id]]][:n]

    def stats(self) -> dict:
        return {"documents": self.manifest.document_count(), "chunks": len(self.lexical),
                "vectors": self.vectors.count(), "embedding": self.embedder.id, "store": self.vectors.where,
                "manifest": self.manifest.where}
