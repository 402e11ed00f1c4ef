"""Chroma vector store: embedded (PersistentClient in the index folder) or a Chroma server.

Chroma holds vectors with their doc_id, date (YYYYMMDD) and source, so the collection stands on its own;
the text lives in the manifest, and filters are applied by the index (see `Index.dense_search`). Vectors are always computed by our embedder and passed in, so Chroma never tries
to download its default model.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from rag.settings import Settings
from rag.store.lock import opening

MAX_BATCH = 5000
# Chroma's default graph (16 neighbours a node, 100 explored while building and searching) lost true
# nearest passages: on 300 queries over the 5,736 vectors of an evaluation corpus, one top-20 list in 20
# missed a passage (once the true first, at cosine 0.77), and two builds of the same vectors answered
# differently. With these, the lists equal the exact search but for passages of equal score, and two
# ingests of one corpus differ in 4 top-30 lists of 300, at their tail. Cost, on 85k vectors: 2.2× the
# build time and 1.6× the query time (3 ms) of the default (evals/bench_hnsw.py, evals/results/hnsw-*.md).
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200, "ef_search": 200}


class EmbeddingMismatch(RuntimeError):
    pass


class UnreadableCollection(RuntimeError):
    pass


def date_number(iso_date: str) -> int:
    return int(iso_date.replace("-", "")) if iso_date else 0


class VectorStore:
    def __init__(self, settings: Settings, index_dir: Path, embedding_id: str, dimension: int, rebuild: bool = False):
        """`rebuild` drops the collection first (its vectors are then rewritten from the manifest)."""
        self.settings = settings
        self.index_dir = index_dir
        self.name = settings.chroma_collection
        self._count: int | None = None
        self._metadata = {"embedding_id": embedding_id, "dimension": dimension}
        with self._opening():
            self._connect()
            if rebuild and self.name in [c.name for c in self.client.list_collections()]:
                self.client.delete_collection(self.name)
            self.collection = self._collection()
        stored = (self.collection.metadata or {}).get("embedding_id")
        if stored != embedding_id:
            raise EmbeddingMismatch(
                f"the index at {self.where} (collection {self.name!r}) was built with embedding {stored!r}, "
                f"but the settings ask for {embedding_id!r}. Use the model it was built with "
                f"(RAG_EMBEDDING_MODEL={stored}) or rebuild it with `rag reindex`."
            )

    def _connect(self) -> None:
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            self.client = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                              settings=chroma_settings)
            self.where = f"Chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
        else:
            self.client = chromadb.PersistentClient(path=str(self.index_dir / "chroma"), settings=chroma_settings)
            self.where = str(self.index_dir / "chroma")

    def _opening(self):
        """Embedded, one process at a time creates the database and the collection; a server does it itself."""
        return contextlib.nullcontext() if self.settings.chroma_host else opening(self.index_dir / "chroma.open.lock")

    def _collection(self):
        return self.client.get_or_create_collection(
            self.name, configuration={"hnsw": HNSW}, metadata=self._metadata, embedding_function=None)

    def reopen(self) -> None:
        """A fresh view after another process wrote: an embedded client keeps the HNSW index it loaded and
        never sees other processes' vectors (measured with chromadb 1.5.9: `count()` and `get()` follow,
        `query()` does not), while a new one reads them from disk (~80 ms). A server is always current."""
        self._count = None
        if not self.settings.chroma_host:
            self.client.close()
            with self._opening():
                self._connect()
                self.collection = self._collection()

    def close(self) -> None:
        self.client.close()

    def upsert(self, ids: list[str], vectors: np.ndarray, doc_ids: list[str], dates: list[str], sources: list[str]) -> None:
        self._count = None
        for start in range(0, len(ids), MAX_BATCH):
            end = start + MAX_BATCH
            self.collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                metadatas=[
                    {"doc_id": d, "date": date_number(t), "source": s}
                    for d, t, s in zip(doc_ids[start:end], dates[start:end], sources[start:end])
                ],
            )

    def recreate(self) -> None:
        """Drops the collection and makes it anew, empty: for a collection Chroma can no longer read (a
        process killed while Chroma wrote it), whose vectors the caller then rewrites from the manifest."""
        self._count = None
        self.client.delete_collection(self.name)
        self.collection = self._collection()

    def delete(self, ids: list[str]) -> None:
        self._count = None
        for start in range(0, len(ids), MAX_BATCH):
            self.collection.delete(ids=ids[start : start + MAX_BATCH])

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            try:
                page = self.collection.get(include=[], limit=MAX_BATCH, offset=offset)["ids"]
            except InternalError as error:
                raise UnreadableCollection(f"Chroma cannot read the collection {self.name!r} at {self.where}: "
                                           f"{error}") from error
            ids.update(page)
            if len(page) < MAX_BATCH:
                return ids
            offset += MAX_BATCH

    def count(self) -> int:
        return self.collection.count()

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first; passages of equal score in the order of their ids, so
        that duplicate texts rank the same way in every build."""
        if self._count is None:
            self._count = self.count()  # cached: asking Chroma costs 14 ms a query at 85k vectors
        total = self._count
        if total == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(n, total), include=["distances"]
        )
        hits = [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0])]
        return sorted(hits, key=lambda hit: (-hit[1], hit[0]))
