"""Which releases form a series, and their order in time.

Releases come in series: the Bank of Russia's key-rate decisions, the President's phone calls with one
leader, the weekly meetings with the Security Council. A series is read from titles, which every source
writes to a template: the *shape* of a title is its common words («Телефонный разговор с …», «Банк России
принял решение снизить ключевую ставку …»), its *names* are its capitalised words after the first
(«Президентом США Дональдом Трампом»; a first word counts as a name when other titles use it as one:
«Банк России …»). Two releases are neighbours when they come from one source, most of the shorter shape
is in the other (`SHAPE_OVERLAP`; `NAMELESS_SHAPE_OVERLAP` when neither names anyone) and they share their
names, weighted by rarity, as a share of the larger set (`NAME_OVERLAP`: a call with Trump and one with
Tokayev share only «Президент»). A series is a release with its neighbours, theirs, and so on, oldest first;
undated releases belong to none.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rag.text import terms

SHAPE_OVERLAP = 0.6
NAMELESS_SHAPE_OVERLAP = 0.8
NAME_OVERLAP = 0.45
MAX_SERIES = 2000  # a source whose every title looks alike (a news wire) is not one series to walk
# A release's neighbours are looked for among the releases of its source that share its rarest title stems; a
# stem more than this many titles of the source share («России» in a news wire) names no series.
LOOKUP_STEMS = 2
MAX_CANDIDATES = 500
TITLE_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class Release:
    doc_id: str
    title: str
    date: str
    source: str
    url: str


@dataclass(frozen=True)
class _Title:
    shape: frozenset[str]
    names: frozenset[str]


class Catalogue:
    """The series of the indexed releases, from their titles (`documents()` rows of the manifest)."""

    def __init__(self, documents: list[dict]):
        self.releases = {d["doc_id"]: Release(d["doc_id"], d["title"] or "", d["date"] or "", d["source"] or "",
                                              d["url"] or "") for d in documents}
        words = {doc_id: TITLE_WORD.findall(r.title) for doc_id, r in self.releases.items()}
        # Stems some title writes capitalised after its first word: the vocabulary of names.
        self._namelike = {t for ws in words.values() for w in ws[1:] if w[0].isupper() for t in _stems(w)}
        self._titles = {doc_id: self._split(ws) for doc_id, ws in words.items()}
        frequency = Counter(t for title in self._titles.values() for t in title.names)
        self._rarity = {t: math.log((1 + len(self._titles)) / n) for t, n in frequency.items()}
        self._sharing: dict[tuple[str, str], list[str]] = {}
        for doc_id, title in self._titles.items():
            for stem in title.names or title.shape:
                self._sharing.setdefault((self.releases[doc_id].source, stem), []).append(doc_id)

    def _split(self, title_words: list[str]) -> _Title:
        shape, names = [], []
        for position, word in enumerate(title_words):
            stems = _stems(word)
            named = word[0].isupper() and (position > 0 or bool(stems) and set(stems) <= self._namelike)
            (names if named else shape).extend(stems)
        return _Title(frozenset(shape), frozenset(names))

    def series(self, doc_id: str) -> list[Release]:
        """The release's series, oldest first (with the release itself); [] for an unknown or undated one."""
        start = self.releases.get(doc_id)
        if start is None or not start.date:
            return []
        members, todo = {doc_id}, [doc_id]
        while todo and len(members) < MAX_SERIES:
            current = todo.pop()
            for other in self._candidates(current):
                if other not in members and self._neighbours(current, other):
                    members.add(other)
                    todo.append(other)
        return sorted((self.releases[m] for m in members), key=lambda r: (r.date, r.doc_id))

    def _candidates(self, doc_id: str) -> list[str]:
        """The releases of its source that share one of its `LOOKUP_STEMS` rarest title stems."""
        title, source = self._titles[doc_id], self.releases[doc_id].source
        # In the stems' own order, not the set's: that changes with each process's hash seed, and with it
        # which releases a capped series takes in.
        sharing = sorted((self._sharing[(source, stem)] for stem in sorted(title.names or title.shape)), key=len)
        return [other for found in sharing[:LOOKUP_STEMS] if len(found) <= MAX_CANDIDATES for other in found]

    def names(self, doc_id: str) -> frozenset[str]:
        """The stems of the names in a release's title («Банк России» → банк, росс)."""
        title = self._titles.get(doc_id)
        return title.names if title else frozenset()

    def _neighbours(self, a: str, b: str) -> bool:
        first, second = self.releases[a], self.releases[b]
        if first.source != second.source or not second.date:
            return False
        x, y = self._titles[a], self._titles[b]
        if not x.shape or not y.shape:
            return False
        shape = len(x.shape & y.shape) / min(len(x.shape), len(y.shape))
        if not x.names and not y.names:
            return shape >= NAMELESS_SHAPE_OVERLAP
        return shape >= SHAPE_OVERLAP and self._name_overlap(x.names, y.names) >= NAME_OVERLAP

    def _name_overlap(self, x: frozenset[str], y: frozenset[str]) -> float:
        weight = lambda stems: math.fsum(self._rarity.get(t, 0.0) for t in stems)
        larger = max(weight(x), weight(y))
        return weight(x & y) / larger if larger else 0.0


@lru_cache(maxsize=100_000)
def _stems(word: str) -> tuple[str, ...]:
    """A title word's stems, once per word: titles repeat their words (80k titles hold some 60k distinct ones)."""
    return tuple(terms(word))


def after(series: list[Release], release: Release) -> list[Release]:
    """The releases of the series published after this one, in order."""
    return [r for r in series if r.date > release.date]


def before(series: list[Release], release: Release) -> list[Release]:
    """The releases of the series published before this one, in order (the last is the one just before)."""
    return [r for r in series if r.date < release.date]


def within(series: list[Release], start: int, end: int) -> list[Release]:
    """The releases of the series published from `start` to `end` (YYYYMMDD numbers), in order."""
    return [r for r in series if start <= int(r.date.replace("-", "")) <= end]
