"""The offline answerer: the retrieved sentences that best answer the question, each with its citation.

A sentence's score mixes how much of the question's (idf-weighted) stems it and its passage's title
cover, with the cosine between its embedding and the question's. The evidence is the larger of the best coverage
of the question's stems (its date words aside) by one of the top passages and the best sentence cosine, zero when the question names a date none of them is from:
below `min_evidence` the answerer refuses rather than quote something unrelated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rag.answering.base import Citation, Draft, refusal
from rag.query import Query
from rag.retrieval import Passage
from rag.text import sentences, terms

COVERAGE_WEIGHT = 0.6
SIMILARITY_WEIGHT = 0.4
MIN_SENTENCE_CHARS = 25
KEEP_RATIO = 0.75
EVIDENCE_PASSAGES = 3


@dataclass
class Candidate:
    passage: Passage
    text: str
    terms: set[str]
    coverage: float
    score: float = 0.0


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, idf: Callable[[str], float], embed: Callable[[list[str]], np.ndarray],
                 max_sentences: int = 3, max_passages: int = 5, min_evidence: float = 0.45):
        self.idf = idf
        self.embed = embed
        self.max_sentences = max_sentences
        self.max_passages = max_passages
        self.min_evidence = min_evidence

    def answer(self, query: Query, passages: list[Passage]) -> Draft:
        # Stems the corpus never uses carry no evidence either way (typos, paraphrases, foreign words).
        wanted = {t: w for t in set(query.content_terms) if (w := self.idf(t)) is not None}
        total = sum(wanted.values()) or 1.0
        top = passages[: self.max_passages]
        candidates = self._candidates(top, wanted, total)
        if not candidates:
            return refusal(query, passages, 0.0)
        vectors = self.embed([query.search_text] + [c.text for c in candidates])
        similarity = vectors[1:] @ vectors[0]
        for candidate, sim in zip(candidates, similarity):
            candidate.score = COVERAGE_WEIGHT * candidate.coverage + SIMILARITY_WEIGHT * float(sim)
        candidates.sort(key=lambda c: c.score, reverse=True)
        evidence = max(max(_coverage(p, wanted, total) for p in top[:EVIDENCE_PASSAGES]), float(similarity.max()))
        if query.dates and not any(_inside(p.date, query) for p in top[:EVIDENCE_PASSAGES]):
            evidence = 0.0  # the question names a time the best passages are not from
        if evidence < self.min_evidence:
            return refusal(query, passages, evidence)
        chosen = self._select(candidates)
        citations = [
            Citation(n, c.passage.doc_id, c.passage.title, c.passage.date, c.passage.source, c.passage.url,
                     c.text, c.passage.chunk_id)
            for n, c in enumerate(chosen, start=1)
        ]
        text = " ".join(f"{' '.join(c.text.split())} [{n}]" for n, c in enumerate(chosen, start=1))
        return Draft(answer=text, citations=citations, evidence=evidence)

    def _candidates(self, passages: list[Passage], wanted: dict[str, float], total: float) -> list[Candidate]:
        result = []
        for rank, passage in enumerate(passages):
            title_terms = set(terms(passage.title))
            for sentence in sentences(passage.text):
                if len(sentence.text) < MIN_SENTENCE_CHARS:
                    continue
                own = set(terms(sentence.text))
                covered = (own | title_terms) & wanted.keys()
                # A sentence must itself say something asked; the title only completes it.
                if not own & wanted.keys():
                    continue
                coverage = sum(wanted[t] for t in covered) / total
                result.append(Candidate(passage, sentence.text, own, coverage * (1.0 - 0.02 * rank)))
        return result

    def _select(self, ranked: list[Candidate]) -> list[Candidate]:
        chosen = [ranked[0]]
        for candidate in ranked[1:]:
            if len(chosen) == self.max_sentences or candidate.score < KEEP_RATIO * ranked[0].score:
                break
            if any(candidate.text == c.text or _overlap(candidate.terms, c.terms) > 0.7 for c in chosen):
                continue
            chosen.append(candidate)
        return chosen


def _coverage(passage: Passage, wanted: dict[str, float], total: float) -> float:
    present = set(terms(passage.title)) | set(terms(passage.text))
    return sum(w for t, w in wanted.items() if t in present) / total


def _inside(iso_date: str, query: Query) -> bool:
    number = int(iso_date.replace("-", "")) if iso_date else 0
    return query.dates.start <= number <= query.dates.end


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
