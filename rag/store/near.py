"""Near duplicates: MinHash LSH over word shingles of the normalised text.

A release re-published with small edits (a dropped lead paragraph, a reworded or added sentence, typos, a
new title) has another content hash but nearly the same 5-word shingles. Each document's MinHash
signature is stored in the manifest (table `signatures`), so the LSH index is rebuilt from the manifest
whenever it is needed; it is built in memory on the first ingest that asks and kept in step by the index.
The threshold was measured on pairs made from the real releases (bench/near_duplicates.py, README).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from rag.text import words

if TYPE_CHECKING:
    from rag.store.manifest import Manifest

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
# datasketch 2's default hashing: 32-bit values, stored as 4 bytes each.
SCHEME = "affine32"


def shingles(text: str) -> set[bytes]:
    tokens = words(text)
    if len(tokens) <= SHINGLE_WORDS:
        return {" ".join(tokens).encode()}
    return {" ".join(tokens[i : i + SHINGLE_WORDS]).encode() for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def signature(text: str) -> LeanMinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(list(shingles(text)))
    return LeanMinHash(minhash)


def to_blob(minhash: LeanMinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint32).tobytes()


def from_blob(blob: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme=SCHEME)


class NearDuplicates:
    """The LSH index of the signatures the manifest stores."""

    def __init__(self, manifest: Manifest, threshold: float):
        self.manifest = manifest
        self.db = manifest.db
        self.threshold = threshold
        self._lsh: MinHashLSH | None = None
        # Signatures the LSH holds that the manifest has not committed yet (an ingest run's pending batch).
        self._unsaved: dict[str, LeanMinHash] = {}

    @property
    def lsh(self) -> MinHashLSH:
        if self._lsh is None:
            self._lsh = self._build()
        return self._lsh

    def _build(self) -> MinHashLSH:
        # Documents stored before signatures were kept get theirs from their stored text, once.
        missing = [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM signatures)")]
        if missing:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?)",
                                    [(d, to_blob(signature(t))) for d, t in self.manifest.stored_texts(missing).items()])
        lsh = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM)
        with lsh.insertion_session() as session:
            for doc_id, blob in self.db.execute("SELECT doc_id, minhash FROM signatures"):
                session.insert(doc_id, from_blob(blob), check_duplication=False)
        return lsh

    def find(self, minhash: LeanMinHash, exclude: str) -> tuple[str, float] | None:
        """The most similar stored document other than `exclude` at or above the threshold, with its
        estimated Jaccard similarity; LSH candidates are checked against the threshold by their signatures."""
        best: tuple[str, float] | None = None
        for doc_id in self.lsh.query(minhash):
            if doc_id == exclude:
                continue
            similarity = minhash.jaccard(other) if (other := self._signature(doc_id)) is not None else 0.0
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (doc_id, similarity)
        return best

    def _signature(self, doc_id: str) -> LeanMinHash | None:
        if doc_id in self._unsaved:
            return self._unsaved[doc_id]
        row = self.db.execute("SELECT minhash FROM signatures WHERE doc_id = ?", (doc_id,)).fetchone()
        return from_blob(row[0]) if row else None

    def track(self, signed: dict[str, LeanMinHash]) -> None:
        """Documents about to be written (or just written) replace their earlier signatures in a built LSH."""
        if self._lsh is None:
            return
        self.untrack(signed)
        for doc_id, minhash in signed.items():
            self._lsh.insert(doc_id, minhash, check_duplication=False)
        self._unsaved.update(signed)

    def untrack(self, doc_ids: Iterable[str]) -> None:
        if self._lsh is None:
            return
        for doc_id in doc_ids:
            self._unsaved.pop(doc_id, None)
            if doc_id in self._lsh:
                self._lsh.remove(doc_id)

    def committed(self, signed: dict[str, LeanMinHash]) -> None:
        """The manifest now holds these signatures: the LSH gets those it was not given before the write."""
        fresh = {d: m for d, m in signed.items() if self._unsaved.pop(d, None) is None}
        self.track(fresh)
        for doc_id in fresh:
            self._unsaved.pop(doc_id, None)

    def invalidate(self) -> None:
        """After a failed write: the next query rebuilds from what the manifest holds."""
        self._lsh = None
        self._unsaved.clear()
