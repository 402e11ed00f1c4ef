"""A word -> id map kept as two sorted arrays in .npy files, for the 250k-word vocabularies of the embedding's
tokenizer and of natasha's models.

Memory-mapped, the arrays open at once and a look-up reads a few pages; a dict of such a vocabulary takes
0.05-0.2 s to build on every start, which a one-question `rag ask` cannot afford. The files are made once, from
the vocabulary's own source, in a folder of the cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

WORDS = "words.npy"
IDS = "ids.npy"
REMEMBERED = 200_000  # words whose ids are remembered between look-ups (a server meets the same ones again)


class SortedVocabulary:
    def __init__(self, words: np.ndarray, ids: np.ndarray):
        """`words`: UTF-8 bytes, sorted; `ids`: the id of each."""
        self.words = words
        self.ids = ids
        self.width = words.dtype.itemsize
        self._known: dict[str, int] = {}  # found by earlier look-ups: a dict look-up is ten times cheaper

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> "SortedVocabulary":
        """From (word, id) pairs; a word given twice keeps its last id, as a dict made from them would."""
        last = {word.encode(): number for word, number in pairs}
        words = sorted(last)
        return cls(np.array(words, dtype=bytes), np.array([last[w] for w in words], dtype=np.int64))

    @classmethod
    def cached(cls, folder: Path, pairs: Callable[[], Iterable[tuple[str, int]]]) -> "SortedVocabulary":
        """The vocabulary saved in `folder`, saved first from `pairs()` when it is not there (into a fresh folder
        that is then renamed, so that a process never reads half of it)."""
        if not (folder / WORDS).exists():
            made = cls.of(pairs())
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".vocabulary-", dir=folder.parent))
            try:
                np.save(staging / WORDS, made.words)
                np.save(staging / IDS, made.ids)
                os.replace(staging, folder)
            except OSError:
                if not (folder / WORDS).exists():  # unless another process saved it first
                    raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return cls(np.load(folder / WORDS, mmap_mode="r"), np.load(folder / IDS, mmap_mode="r"))

    def lookup(self, words: list[str], missing: int) -> np.ndarray:
        """The id of each word; `missing` for a word the vocabulary does not hold."""
        known = self._known if len(self._known) < REMEMBERED else {}
        new = list(dict.fromkeys(word for word in words if word not in known))
        if new:
            known.update(zip(new, self._search(new).tolist()))
            self._known = known
        found = np.fromiter((known[word] for word in words), dtype=np.int64, count=len(words))
        found[found < 0] = missing
        return found

    def _search(self, words: list[str]) -> np.ndarray:
        """The id of each word, -1 for a word not held."""
        keys = [word.encode() for word in words]
        found = np.full(len(keys), -1, dtype=np.int64)
        # A word longer than the longest one held is not held (and must not be cut to fit the array's width), nor
        # one with a NUL byte (numpy drops trailing NULs, and no word held has one).
        fits = [i for i, key in enumerate(keys) if len(key) <= self.width and b"\0" not in key]
        if fits and len(self.words):
            wanted = np.array([keys[i] for i in fits], dtype=self.words.dtype)
            positions = np.minimum(np.searchsorted(self.words, wanted), len(self.words) - 1)
            held = self.words[positions] == wanted
            found[np.asarray(fits)[held]] = self.ids[positions[held]]
        return found
