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

Other processes' changes: before every question `follow()` compares the manifest's `generation` with the one
this process last saw; when it moved, Chroma's view is reopened (an embedded Chroma client never sees vectors
another process wrote), the releases the manifest no longer holds are left out of the lexical index at once,
and a new lexical index is loaded or built in a thread and swapped in when ready, so no question waits for
it. Until then a dense hit counts when the lexical index holds its chunk or, for a chunk written since, when
the manifest does; others belong to a write not committed yet. Writers and a process that opens the index
catch up at once (`refresh()`).

Several hosts (`RAG_DATABASE_URL` with `RAG_CHROMA_HOST`): the manifest and the writer lock are on a PostgreSQL
server and the vectors on a Chroma server, which all hosts share; the index folder holds only this host's
lexical index, rebuilt from the shared manifest when its generation moves (`rag.store.postgres`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Callable, ContextManager

import numpy as np

from rag.chunking import Chunk
from rag.documents import Document
from rag.embeddings import Embedder
from rag.settings import Settings
from rag.store.lexical import LexicalIndex, bm25_idf
from rag.store.lock import FileLock, IndexBusy, WriterLock
from rag.store.manifest import Manifest, StoredChunk
from rag.store.near import NearDuplicates, signature, to_blob
from rag.store.postgres import AdvisoryLock
from rag.store.vectors import EmbeddingMismatch, UnreadableCollection, VectorStore, date_number
from rag.text import TERMS_VERSION, terms

__all__ = ["Index", "EmbeddingMismatch", "IndexBusy"]

OVERFETCH = 10
MIN_FETCH = 600
TERMS_KEPT = 4096  # releases whose stems `document_terms` keeps
NEWER_KEPT = 1000  # releases added by another process whose words are known before the lexical index is rebuilt


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
        self._seen = -1  # the manifest generation this process's Chroma view and removals show
        self._follower: threading.Thread | None = None  # building a newer lexical index
        self._newer: LexicalIndex | None = None  # meanwhile, of the releases added since the older one
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

    @property
    def generation(self) -> int:
        """The manifest generation this process follows (its lexical index may be older: see `follow`)."""
        return self._seen

    def stale(self) -> bool:
        """Whether there is something to catch up with: another process changed the index since this process last
        looked (one SQLite read), or its lexical index is older and no thread is building a newer one."""
        return self.manifest.generation != self._seen or (self._behind() and self._follower is None)

    def _behind(self) -> bool:
        return self.lexical.generation < self._seen

    @property
    def following(self) -> bool:
        """Whether this process is catching up with another's writes (`follow`): its lexical index is being built."""
        return self._follower is not None

    def refresh(self, force: bool = False) -> bool:
        """Catches up with changes made by other processes; cheap (one SQLite read) when there were none."""
        generation = self.manifest.generation
        if generation == self._seen and not self._behind() and not force:
            return False
        if self.lexical is not None:
            self.vectors.reopen()
            self.near.invalidate()
        self.lexical, self._newer = self._load_lexical(generation), None
        self._seen = generation
        return True

    def follow(self, exclusive: ContextManager) -> None:
        """Catches up with changes made by other processes without keeping a question waiting for a lexical index.

        Called holding `exclusive`, the lock this process's readers of the index share: Chroma's view is reopened,
        the releases removed since the lexical index was built are left out of it and the words of those added
        since are read (`_catch_up_with_manifest`); a newer one is loaded (the writer's saved copy on this host)
        or built from the manifest in a thread, which swaps it in holding `exclusive`."""
        generation = self.manifest.generation
        if generation != self._seen:
            self.vectors.reopen()
            self.near.invalidate()
            self._seen = generation
            self._catch_up_with_manifest(self.lexical)
        if self._behind() and self._follower is None:
            self._follower = threading.Thread(target=self._build_newer, args=(exclusive,), daemon=True,
                                              name="lexical-index")
            self._follower.start()

    def _catch_up_with_manifest(self, lexical: LexicalIndex) -> None:
        """While `lexical` is older than the manifest: the releases removed since are left out of it, and the
        words of those added since (up to NEWER_KEPT of them) are known beside its own."""
        self._newer = None
        if lexical.generation >= self._seen:
            return
        held, known = set(self.manifest.all_doc_ids()), set(lexical.documents)
        lexical.forget(known - held)
        if 0 < len(added := held - known) <= NEWER_KEPT:
            self._newer = LexicalIndex.build(self.manifest.chunk_rows(added), self._seen)

    def idf(self, term: str) -> float | None:
        """BM25 idf of a stem in the lexical index, counting the releases added since it was built (`follow`)."""
        newer = self._newer
        if newer is None:
            return self.lexical.idf(term)
        return bm25_idf(self.lexical.df.get(term, 0) + newer.df.get(term, 0), len(self.lexical) + len(newer))

    def spellings(self, stem: str) -> list[str]:
        """The stems of the lexical index that begin like this one (`LexicalIndex.spellings`), and of releases
        added since it was built."""
        return self._with_newer(self.lexical.spellings(stem), lambda newer: newer.spellings(stem))

    def sounding_like(self, stem: str) -> list[str]:
        """`LexicalIndex.sounding_like`, and of releases added since it was built."""
        return self._with_newer(self.lexical.sounding_like(stem), lambda newer: newer.sounding_like(stem))

    def _with_newer(self, found: list[str], of_newer: Callable[[LexicalIndex], list[str]]) -> list[str]:
        newer = self._newer
        return found if newer is None else found + [t for t in of_newer(newer) if t not in found]

    def _build_newer(self, exclusive: ContextManager) -> None:
        try:
            with contextlib.closing(self.manifest.another()) as manifest:
                while True:
                    generation = self._seen
                    saved = _saved_lexical(self.lexical_dir)
                    lexical = (saved if saved is not None and saved.generation >= generation else
                               LexicalIndex.build(manifest.all_chunk_rows(), generation)).prepare()
                    with exclusive:
                        if lexical.generation > self.lexical.generation:
                            self._catch_up_with_manifest(lexical)
                            self.lexical = lexical
                        if not self._behind():
                            self._follower = None
                            return
        except Exception:  # noqa: BLE001 (the next question starts another; meanwhile the older index answers)
            logging.getLogger(__name__).exception("building the lexical index in the background failed")
            self._follower = None

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
            self.lexical, self._newer = LexicalIndex.build(self.manifest.all_chunk_rows(), generation), None
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
            try:
                stored = self.vectors.all_ids()
            except UnreadableCollection as error:
                # A kill mid-write can leave Chroma's own log unreadable («Failed to apply logs to the hnsw
                # segment writer»): the manifest holds every chunk's text, so the vectors are made again.
                logging.getLogger(__name__).warning("%s; rewriting its vectors from the manifest", error)
                self.vectors.recreate()
                stored, pending = set(), self.manifest.all_doc_ids()
            self.vectors.delete(sorted(stored - known))
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
        if self._terms_generation != self._seen or len(self._terms) > TERMS_KEPT:
            self._terms, self._terms_generation = {}, self._seen
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
        lexical = self.lexical
        filtered = date_from is not None or date_to is not None or bool(sources) or bool(documents)
        mask = lexical.filter_mask(date_from, date_to, sources, documents)
        rows = lexical.row_of
        hits = self.vectors.query(vector, max(n * OVERFETCH, MIN_FETCH) if filtered else n)
        newer = self._written_since(lexical, [c for c, _ in hits if c not in rows], date_from, date_to, sources,
                                    documents)
        return [(chunk_id, score) for chunk_id, score in hits
                if chunk_id in newer or (chunk_id in rows and (mask is None or mask[rows[chunk_id]]))][:n]

    def _written_since(self, lexical: LexicalIndex, chunk_ids: list[str], date_from: int | None, date_to: int | None,
                       sources: list[str] | None, documents: tuple[str, ...]) -> set[str]:
        """Of chunks the lexical index lacks, those that pass the filters and that the manifest holds, while a
        newer lexical index is being built; the others belong to a write another process has not committed."""
        if not chunk_ids or lexical.generation >= self._seen:
            return set()
        return {chunk_id for chunk_id, chunk in self.manifest.chunks(chunk_ids).items()
                if (date_from is None or date_number(chunk.date) >= date_from)
                and (date_to is None or 0 < date_number(chunk.date) <= date_to)
                and (not sources or chunk.source in sources) and (not documents or chunk.doc_id in documents)}

    def stats(self) -> dict:
        return {"documents": self.manifest.document_count(), "chunks": len(self.lexical),
                "vectors": self.vectors.count(), "embedding": self.embedder.id, "store": self.vectors.where,
                "manifest": self.manifest.where}


def _saved_lexical(folder: Path) -> LexicalIndex | None:
    """The copy a writer on this host saved, or None while it is missing or being replaced."""
    try:
        return LexicalIndex.load(folder)
    except (OSError, ValueError):
        return None
