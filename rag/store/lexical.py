"""Lexical index: BM25 (bm25s) over Russian stems, derived from the manifest and saved beside it.

Two BM25 indexes share one vocabulary: one over chunks and one over whole documents (a release that
matches the question across several passages is likely the right one). It also keeps, per chunk, the
document, date and source, so filters become a mask, and the document frequency of every stem, which
answer scoring uses as term weights.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np

from rag.store.vectors import date_number
from rag.text import skeleton, stem_head

# bm25s's file names in a saved index folder (bm25s 0.3: `BM25.save`).
ARRAYS = ("data", "indices", "indptr")
PARAMS = "params.index.json"
VOCAB = "vocab.index.json"
# What Snowball cuts off a surname in the nominative: «Токаев» → тока, «Путин» stays путин.
SURNAME_ENDINGS = ("ев", "ов", "ёв", "ин", "ын")


class Scores:
    """The BM25 score of every term in every row, as bm25s precomputes them (a CSC matrix), summed for a query
    the way bm25s 0.3's `get_scores` sums them (term by term with np.add.at, in float32), so every score is
    bm25s's own. Reading the saved arrays needs numpy alone: importing bm25s imports scipy (0.2 s of each
    start-up), which only building an index needs."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, rows: int):
        self.data, self.indices, self.indptr, self.rows = data, indices, indptr, rows

    @classmethod
    def of(cls, retriever) -> "Scores":
        scores = retriever.scores
        return cls(scores["data"], scores["indices"], scores["indptr"], scores["num_docs"])

    @classmethod
    def load(cls, folder: Path) -> "Scores":
        params = json.loads((folder / PARAMS).read_text(encoding="utf-8"))
        return cls(*(np.load(folder / f"{name}.csc.index.npy") for name in ARRAYS), params["num_docs"])

    def get(self, term_ids: list[int], weight_mask: np.ndarray | None) -> np.ndarray:
        scores = np.zeros(self.rows, dtype=self.data.dtype)
        for term in term_ids:
            start, end = self.indptr[term], self.indptr[term + 1]
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        if weight_mask is not None:
            scores *= weight_mask
        return scores


class LexicalIndex:
    def __init__(self, chunk_scores: Scores | None, document_scores: Scores | None, vocab: dict[str, int],
                 rows: dict, retrievers: tuple = ()):
        """`retrievers`: the bm25s indexes just built, kept to be saved."""
        self.chunk_scores = chunk_scores
        self.document_scores = document_scores
        self._retrievers = retrievers
        self.chunk_ids: list[str] = rows["chunk_ids"]
        self.doc_ids: list[str] = rows["doc_ids"]
        self.dates = np.asarray(rows["dates"], dtype=np.int64)
        self.sources: list[str] = rows["sources"]
        self.df: dict[str, int] = rows["df"]
        self.generation: int = rows["generation"]
        self.vocab = vocab
        self.row_of: dict[str, int] = {chunk_id: row for row, chunk_id in enumerate(self.chunk_ids)}
        self.documents: list[str] = list(dict.fromkeys(self.doc_ids))
        first_row = {d: i for i, d in reversed(list(enumerate(self.doc_ids)))}
        self.document_rows = np.asarray([first_row[d] for d in self.documents], dtype=np.int64)
        self._sorted_terms: list[str] | None = None
        self._last_parts: list[tuple[str, str]] | None = None
        self._skeletons: dict[str, list[str]] | None = None
        self.removed: frozenset[str] = frozenset()
        self._live: np.ndarray | None = None  # False on the rows of `removed`; None while nothing is

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str, str, str]], generation: int) -> "LexicalIndex":
        """rows: (chunk_id, doc_id, date, source, space-joined terms), ordered by document. Terms become ids
        row by row, so the millions of term strings of a large index are never held at once."""
        meta: dict = {"chunk_ids": [], "doc_ids": [], "dates": [], "sources": [], "generation": generation}
        vocab: dict[str, int] = {}
        df: Counter[int] = Counter()
        chunk_tokens: list[list[int]] = []
        doc_tokens: dict[str, list[int]] = {}
        for chunk_id, doc_id, day, source, joined in rows:
            ids = [vocab.setdefault(term, len(vocab)) for term in joined.split()]
            df.update(set(ids))
            chunk_tokens.append(ids)
            doc_tokens.setdefault(doc_id, []).extend(ids)
            meta["chunk_ids"].append(chunk_id)
            meta["doc_ids"].append(doc_id)
            meta["dates"].append(date_number(day))
            meta["sources"].append(source)
        meta["df"] = {term: df[i] for term, i in vocab.items()}
        if not chunk_tokens:
            return cls(None, None, {}, meta)
        chunks, documents = _bm25(chunk_tokens, vocab), _bm25(list(doc_tokens.values()), vocab)
        return cls(Scores.of(chunks), Scores.of(documents), dict(chunks.vocab_dict), meta, (chunks, documents))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        """The saved index, or None when anything is missing (it is then rebuilt from the manifest)."""
        rows_file = folder / "rows.json"
        if not rows_file.exists():
            return None
        rows = json.loads(rows_file.read_text(encoding="utf-8"))
        if not rows["chunk_ids"]:
            return cls(None, None, {}, rows)
        if not ((folder / "bm25").exists() and (folder / "bm25-docs").exists()):
            return None
        vocab = json.loads((folder / "bm25" / VOCAB).read_text(encoding="utf-8"))
        return cls(Scores.load(folder / "bm25"), Scores.load(folder / "bm25-docs"), vocab, rows)

    def save(self, folder: Path) -> None:
        """Written into a fresh folder, then swapped in, so a crash never leaves half an index."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".lexical-", dir=folder.parent))
        try:
            if self.chunk_scores is not None:
                chunks, documents = self._retrievers
                chunks.save(str(staging / "bm25"))
                documents.save(str(staging / "bm25-docs"))
            rows = {
                "chunk_ids": self.chunk_ids, "doc_ids": self.doc_ids, "dates": self.dates.tolist(),
                "sources": self.sources, "df": self.df, "generation": self.generation,
            }
            (staging / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            if folder.exists():
                old = folder.with_name(folder.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(folder, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def forget(self, doc_ids: set[str]) -> None:
        """Releases the manifest no longer holds (another process removed them after this index was built): every
        search and mask leaves them out from now on, until a newer index replaces this one."""
        self.removed = frozenset(doc_ids)
        if not self.removed:
            self._live = None
            return
        live = np.fromiter((d not in self.removed for d in self.doc_ids), dtype=bool, count=len(self.doc_ids))
        live.flags.writeable = False
        self._live = live

    def idf(self, term: str) -> float | None:
        """BM25 idf of a stem; None for a stem no chunk contains."""
        return bm25_idf(self.df.get(term, 0), len(self.chunk_ids))

    def document_dates(self) -> dict[str, tuple[int, str]]:
        """Each release's publication date as YYYYMMDD (0 when undated) and its source."""
        return {doc_id: (int(self.dates[row]), self.sources[row]) for doc_id, row in zip(self.documents,
                                                                                          self.document_rows)}

    def prepare(self) -> "LexicalIndex":
        """Computes now what `spellings` and `sounding_like` compute at their first call (a second at 85k
        passages), for an index about to replace one that questions are using."""
        self.spellings("")
        self.sounding_like("")
        return self

    def spellings(self, stem: str) -> list[str]:
        """The corpus's stems that begin like this one (`text.stem_head`): the other inflections of a name."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.df)
        head = stem_head(stem)
        found = []
        for term in self._sorted_terms[bisect.bisect_left(self._sorted_terms, head):]:
            if not term.startswith(head) or len(found) == 50:
                break
            # A short stem is itself, or the stem of a surname Snowball cut short («Токаев» → тока, while
            # «Токаевым» → токаев).
            if len(head) == len(stem) and term != stem and term[len(stem):] not in SURNAME_ENDINGS:
                continue
            found.append(term)
        # A shorter stem of the same name («Шадаева» → шадаев, «Шадаев» → шада)
        found += [stem[:k] for k in range(len(head) - 1, max(3, len(stem) - 3), -1) if stem[:k] in self.df]
        # and of one ending in a soft sign, which Snowball cuts with the ending («Савельева» → савельев,
        # «Савельев» → савел)
        if stem.endswith("ьев") and stem[:-3] in self.df and stem[:-3] not in found:
            found.append(stem[:-3])
        return found + self._compounds_ending(head, stem)

    def _compounds_ending(self, head: str, stem: str) -> list[str]:
        """The corpus's hyphenated names whose last part is this name: «Петербурге» is «Санкт-Петербурге»."""
        if self._last_parts is None:
            # Built apart and then published: threads answering at once must never see half of it.
            self._last_parts = sorted((term.rsplit("-", 1)[1], term) for term in self.df
                                      if "-" in term and term[0].isalpha())
        found = []
        for part, term in self._last_parts[bisect.bisect_left(self._last_parts, (head, "")):]:
            if not part.startswith(head) or len(found) == 20:
                break
            if len(head) < len(stem) or part == stem or part[len(stem):] in SURNAME_ENDINGS:
                found.append(term)
        return found

    def sounding_like(self, stem: str) -> list[str]:
        """The corpus's stems with the same consonants (`text.skeleton`): a transliterated name's spellings."""
        if self._skeletons is None:
            # Built apart and then published: threads answering at once must never see half of it.
            skeletons: dict[str, list[str]] = {}
            for term in self.df:
                if len(term) >= 4:
                    skeletons.setdefault(skeleton(term), []).append(term)
            self._skeletons = skeletons
        return self._skeletons.get(skeleton(stem), []) if len(stem) >= 4 else []

    def search(self, query_terms: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score), best first; `mask` (1 keeps a row) applies filters."""
        return self._search(self.chunk_scores, self.chunk_ids, query_terms, n, mask)

    def search_documents(self, query_terms: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(doc_id, BM25 score over the whole document), best first; `mask` is the chunk mask."""
        doc_mask = mask[self.document_rows] if mask is not None else None
        return self._search(self.document_scores, self.documents, query_terms, n, doc_mask)

    def _search(self, scored: Scores | None, keys: list[str], query_terms: list[str], n: int,
                mask: np.ndarray | None) -> list[tuple[str, float]]:
        ids = [self.vocab[t] for t in query_terms if t in self.vocab]
        if scored is None or not ids:
            return []
        scores = scored.get(ids, mask.astype(np.float32) if mask is not None else None)
        # Top-k over the rows that match at all: numpy's argpartition over an array that is mostly zeros
        # is ten times slower than over the few thousand matching rows.
        matching = np.flatnonzero(scores)
        if len(matching) > n:
            matching = matching[np.argpartition(-scores[matching], n - 1)[:n]]
        best = matching[np.argsort(-scores[matching], kind="stable")]
        return [(keys[r], float(scores[r])) for r in best]

    def filter_mask(self, date_from: int | None, date_to: int | None, sources: list[str] | None,
                    documents: tuple[str, ...] = ()) -> np.ndarray | None:
        """True on the rows that pass the filters and were not removed (`forget`); None when every row does."""
        if date_from is None and date_to is None and not sources and not documents:
            return self._live
        mask = np.ones(len(self.chunk_ids), dtype=bool) if self._live is None else self._live.copy()
        if date_from is not None:
            mask &= self.dates >= date_from
        if date_to is not None:
            mask &= (self.dates <= date_to) & (self.dates > 0)  # undated releases are stored as 0
        if sources:
            wanted = set(sources)
            mask &= np.fromiter((s in wanted for s in self.sources), dtype=bool, count=len(self.sources))
        if documents:
            chosen = set(documents)
            mask &= np.fromiter((d in chosen for d in self.doc_ids), dtype=bool, count=len(self.doc_ids))
        return mask


def bm25_idf(df: int, rows: int) -> float | None:
    """BM25 idf of a stem that `df` of `rows` chunks contain; None for one that none does."""
    return math.log(1 + (rows - df + 0.5) / (df + 0.5)) if df else None


def _bm25(token_ids: list[list[int]], vocab: dict[str, int]):
    import bm25s
    from bm25s.tokenization import Tokenized

    retriever = bm25s.BM25()
    retriever.index(Tokenized(ids=token_ids, vocab=vocab), show_progress=False)
    return retriever
