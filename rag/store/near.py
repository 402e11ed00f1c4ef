"""Near duplicates: MinHash LSH over word shingles of the normalised text.

A release re-published with small edits (a dropped lead paragraph, a reworded or added sentence, typos, a
new title) has another content hash but nearly the same 5-word shingles. Each document's MinHash
signature is stored in the manifest (table `signatures`), so the LSH index is rebuilt from the manifest
whenever it is needed; it is built in memory on the first ingest that asks and kept in step by the index.
The threshold was measured on pairs made from the real releases (bench/near_duplicates.py, README).

Signatures and bands are datasketch 2.0's (`MinHash(num_perm=128, seed=1, scheme="affine32")`, `MinHashLSH`),
computed here with numpy: datasketch draws its permutations anew for every signature and walks the bands in
Python, which cost a third of the ingest time at 80k short releases (tests/test_versions_duplicates.py checks
that the values are datasketch's).
"""

from __future__ import annotations

import hashlib
from itertools import accumulate
from typing import TYPE_CHECKING, Iterable

import numpy as np

from rag.text import words

if TYPE_CHECKING:
    from rag.store.manifest import Manifest

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
# MurmurHash3's 32-bit finalizer, which datasketch's "affine32" scheme applies to each SHA-1 hash first.
FMIX = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))
# datasketch's MinHashLSH(threshold, num_perm=128) bands and rows, which it finds by numerical integration
# (scipy); known thresholds skip that import.
BAND_SHAPES = {0.5: (25, 5), 0.6: (18, 7), 0.7: (14, 9), 0.8: (9, 13), 0.9: (5, 25)}


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for SEED: odd multipliers and offsets, modulo 2^32."""
    generator = np.random.RandomState(SEED)
    multipliers = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return multipliers, offsets


MULTIPLIERS, OFFSETS = _permutations()


def _shingle_views(text: str) -> list[memoryview]:
    """Each run of SHINGLE_WORDS words, joined by spaces, as a slice of the words' UTF-8 (one encoding a text,
    not one a shingle); a text of fewer words is one shingle."""
    tokens = words(text)
    data = memoryview(" ".join(tokens).encode())
    if len(tokens) <= SHINGLE_WORDS:
        return [data]
    ends = list(accumulate(len(token.encode()) + 1 for token in tokens))  # past each word and its space
    starts = [0, *ends]
    return [data[starts[i] : ends[i + SHINGLE_WORDS - 1] - 1] for i in range(len(tokens) - SHINGLE_WORDS + 1)]


def shingles(text: str) -> set[bytes]:
    return {bytes(shingle) for shingle in _shingle_views(text)}


def signature(text: str) -> np.ndarray:
    """The MinHash signature of the text's shingles: NUM_PERM uint32 values (a shingle met twice changes no
    minimum, so they are hashed as they come)."""
    digests = b"".join([hashlib.sha1(shingle).digest()[:4] for shingle in _shingle_views(text)])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    shift1, multiply1, shift2, multiply2, shift3 = FMIX
    hashes ^= hashes >> shift1
    hashes *= multiply1
    hashes ^= hashes >> shift2
    hashes *= multiply2
    hashes ^= hashes >> shift3
    return (hashes[:, None] * MULTIPLIERS + OFFSETS).min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    return float(np.count_nonzero(a == b)) / float(NUM_PERM)


def to_blob(minhash: np.ndarray) -> bytes:
    return minhash.astype(np.uint32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint32)


def band_shape(threshold: float) -> tuple[int, int]:
    if threshold in BAND_SHAPES:
        return BAND_SHAPES[threshold]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


class Bands:
    """MinHash LSH: documents whose signatures agree on all the rows of at least one band are candidates."""

    def __init__(self, threshold: float):
        self.bands, self.rows = band_shape(threshold)
        self.tables: list[dict[bytes, set[str]]] = [{} for _ in range(self.bands)]
        self.keys: dict[str, list[bytes]] = {}

    def _keys(self, minhash: np.ndarray) -> list[bytes]:
        data = minhash[: self.bands * self.rows].astype(np.uint32, copy=False).tobytes()
        width = 4 * self.rows
        return [data[i * width : (i + 1) * width] for i in range(self.bands)]

    def insert(self, doc_id: str, minhash: np.ndarray) -> None:
        keys = self.keys[doc_id] = self._keys(minhash)
        for table, key in zip(self.tables, keys):
            table.setdefault(key, set()).add(doc_id)

    def remove(self, doc_id: str) -> None:
        for table, key in zip(self.tables, self.keys.pop(doc_id, ())):
            members = table[key]
            members.discard(doc_id)
            if not members:
                del table[key]

    def query(self, minhash: np.ndarray) -> set[str]:
        found: set[str] = set()
        for table, key in zip(self.tables, self._keys(minhash)):
            found.update(table.get(key, ()))
        return found


class NearDuplicates:
    """The LSH index of the signatures the manifest stores."""

    def __init__(self, manifest: Manifest, threshold: float):
        self.manifest = manifest
        self.db = manifest.db
        self.threshold = threshold
        self._lsh: Bands | None = None
        # Signatures the LSH holds that the manifest has not committed yet (an ingest run's pending batch).
        self._unsaved: dict[str, np.ndarray] = {}

    @property
    def lsh(self) -> Bands:
        if self._lsh is None:
            self._lsh = self._build()
        return self._lsh

    def _build(self) -> Bands:
        # Documents stored before signatures were kept get theirs from their stored text, once.
        missing = [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM signatures)")]
        if missing:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?)",
                                    [(d, to_blob(signature(t))) for d, t in self.manifest.stored_texts(missing).items()])
        lsh = Bands(self.threshold)
        for doc_id, blob in self.db.execute("SELECT doc_id, minhash FROM signatures"):
            lsh.insert(doc_id, from_blob(blob))
        return lsh

    def find(self, minhash: np.ndarray, exclude: str) -> tuple[str, float] | None:
        """The most similar stored document other than `exclude` at or above the threshold, with its
        estimated Jaccard similarity; LSH candidates are checked against the threshold by their signatures."""
        best: tuple[str, float] | None = None
        for doc_id in self.lsh.query(minhash):
            if doc_id == exclude:
                continue
            found = similarity(minhash, other) if (other := self._signature(doc_id)) is not None else 0.0
            if found >= self.threshold and (best is None or found > best[1]):
                best = (doc_id, found)
        return best

    def _signature(self, doc_id: str) -> np.ndarray | None:
        if doc_id in self._unsaved:
            return self._unsaved[doc_id]
        row = self.db.execute("SELECT minhash FROM signatures WHERE doc_id = ?", (doc_id,)).fetchone()
        return from_blob(row[0]) if row else None

    def track(self, signed: dict[str, np.ndarray]) -> None:
        """Documents about to be written (or just written) replace their earlier signatures in a built LSH."""
        if self._lsh is None:
            return
        self.untrack(signed)
        for doc_id, minhash in signed.items():
            self._lsh.insert(doc_id, minhash)
        self._unsaved.update(signed)

    def untrack(self, doc_ids: Iterable[str]) -> None:
        if self._lsh is None:
            return
        for doc_id in doc_ids:
            self._unsaved.pop(doc_id, None)
            self._lsh.remove(doc_id)

    def committed(self, signed: dict[str, np.ndarray]) -> None:
        """The manifest now holds these signatures: the LSH gets those it was not given before the write."""
        fresh = {d: m for d, m in signed.items() if self._unsaved.pop(d, None) is None}
        self.track(fresh)
        for doc_id in fresh:
            self._unsaved.pop(doc_id, None)

    def invalidate(self) -> None:
        """After a failed write: the next query rebuilds from what the manifest holds."""
        self._lsh = None
        self._unsaved.clear()
