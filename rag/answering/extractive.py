"""The offline answerer: the retrieved sentences that best answer the question, each with its citation.

A sentence's score mixes how much of the question's (idf-weighted) stems it and its passage's title
cover, the cosine between its embedding and the question's, a bonus when it holds the kind of answer
the question asks for (a number for "сколько", a name for "кто"), and its passage's rank.

The evidence is the larger of the best coverage of the question's stems (its date words aside) by one
of the top passages and the best sentence cosine. Only passages of the period the question names are read
(published that day, month or season, or for a day a release of that year recalling it; for a year,
published in it or mentioning it), and none means no evidence. A "how much" question none of whose
candidate sentences holds a number (an amount of money, a percentage) has no evidence either. A name the
corpus knows but no release found for the period mentions halves the evidence. Below `min_evidence` the
answerer refuses rather than quote something unrelated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from rag.answering.base import Citation, Draft, refusal, stream_whole
from rag.answering.expected import STRICT, expected_answer, holds
from rag.query import Query, is_month, searchable, without_dates
from rag.retrieval import Passage
from rag.text import normalise, query_terms, sentences, terms

COVERAGE_WEIGHT = 0.6
SIMILARITY_WEIGHT = 0.4
EXPECTED_BONUS = 0.3
RANK_DECAY = 0.1
SAME_PASSAGE_PENALTY = 0.9
MIN_SENTENCE_CHARS = 25
KEEP_RATIO = 0.6
EVIDENCE_PASSAGES = 3
UNKNOWN_WEIGHT = 0.5
MISSING_NAME_FACTOR = 0.5
# A capitalised word inside the question: a person, place or organisation it asks about.
NAME = re.compile(r"(?<=[^.!?\s]\s)[«\"„]?([А-ЯЁA-Z][\w-]+)")


@dataclass
class Candidate:
    passage: Passage
    text: str
    terms: set[str]
    coverage: float
    rank: int
    score: float = 0.0


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, idf: Callable[[str], float | None], embed: Callable[[list[str]], np.ndarray],
                 document_terms: Callable[[list[str]], set[str]], max_sentences: int = 3, max_passages: int = 5,
                 min_evidence: float = 0.45):
        self.idf = idf
        self.embed = embed
        self.document_terms = document_terms
        self.max_sentences = max_sentences
        self.max_passages = max_passages
        self.min_evidence = min_evidence

    def stream(self, query: Query, passages: list[Passage]) -> Iterator[str | Draft]:
        return stream_whole(self.answer(query, passages))

    def answer(self, query: Query, passages: list[Passage]) -> Draft:
        wanted = {t: w for t in set(query.content_terms) if (w := self.idf(t)) is not None}
        # Stems the corpus never uses (a typo, a paraphrase, or what the corpus does not cover: «биткоин»)
        # count against the evidence, at a fraction of the weight of the rarest stem it has.
        # (Not for Kazakh questions: they are bound to use words a Russian corpus lacks. English ones are
        # searched in Russian words, their names transliterated.)
        unknown = len(set(query.content_terms) - wanted.keys()) if query.language != "kk" else 0
        total = (sum(wanted.values()) + unknown * UNKNOWN_WEIGHT * max(wanted.values(), default=1.0)) or 1.0
        fitting = [_in_period(p, query) for p in passages]
        of_period = [p for p, fits in zip(passages, fitting) if fits]
        top = [p for p, fits in zip(passages[: self.max_passages], fitting) if fits]
        candidates = self._candidates(top, wanted, total)
        expected = expected_answer(query.question)
        holding = [holds(expected, c.text) for c in candidates]
        if not candidates or (expected in STRICT and not any(holding)):
            return refusal(query, passages, 0.0)  # nothing to quote, or no number for "how many"
        vectors = self.embed([query.search_text] + [c.text for c in candidates])
        similarity = vectors[1:] @ vectors[0]
        for candidate, sim, held in zip(candidates, similarity, holding):
            bonus = EXPECTED_BONUS if held else 0.0
            candidate.score = (COVERAGE_WEIGHT * candidate.coverage + SIMILARITY_WEIGHT * float(sim) + bonus) * (
                1.0 - RANK_DECAY * candidate.rank)
        candidates.sort(key=lambda c: c.score, reverse=True)
        evidence = _evidence(top, wanted, total, float(similarity.max()))
        if self._names_missing(query, of_period):
            evidence *= MISSING_NAME_FACTOR
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

    def _names_missing(self, query: Query, of_period: list[Passage]) -> bool:
        """Whether the question names someone or something the corpus knows but no release of the period
        that was found mentions (Macron, when the releases found are about other calls)."""
        names = [stems for name in NAME.findall(without_dates(query.question)) if not is_month(name)
                 and (stems := query_terms(searchable(name) if query.language == "en" else name))
                 and all(self.idf(t) for t in stems)]
        if not names:
            return False
        present = self.document_terms(list(dict.fromkeys(p.doc_id for p in of_period)))
        return any(not set(stems) & present for stems in names)

    def _candidates(self, passages: list[Passage], wanted: dict[str, float], total: float) -> list[Candidate]:
        result = []
        for rank, passage in enumerate(passages):
            title_terms = set(terms(passage.title))
            for sentence in _quotable(passage.text):
                if len(sentence) < MIN_SENTENCE_CHARS:
                    continue
                own = set(terms(sentence))
                covered = (own | title_terms) & wanted.keys()
                # A sentence must itself say something asked; the title only completes it.
                if not own & wanted.keys():
                    continue
                coverage = sum(wanted[t] for t in covered) / total
                result.append(Candidate(passage, sentence, own, coverage, rank))
        return result

    def _select(self, ranked: list[Candidate]) -> list[Candidate]:
        """Greedy: the best sentence, then the next best that says something new, preferring other passages
        (a multi-document question wants a sentence from each)."""
        chosen = [ranked[0]]
        floor = KEEP_RATIO * ranked[0].score
        while len(chosen) < self.max_sentences:
            def adjusted(c: Candidate) -> float:
                same = any(c.passage.chunk_id == x.passage.chunk_id for x in chosen)
                return c.score * (SAME_PASSAGE_PENALTY if same else 1.0)

            fresh = [c for c in ranked if c not in chosen
                     and not any(c.text == x.text or _overlap(c.terms, x.terms) > 0.7 for x in chosen)]
            best = max(fresh, key=adjusted, default=None)
            if best is None or adjusted(best) < floor:
                break
            chosen.append(best)
        return chosen


def _quotable(text: str) -> list[str]:
    """Sentences, a short one joined to the one before it: in a transcript the answer is often a reply of a
    few words («А.Труфанов: 498 дней.») that means nothing without the question it follows."""
    spans: list[tuple[int, int]] = []
    for sentence in sentences(text):
        if spans and min(sentence.end - sentence.start, spans[-1][1] - spans[-1][0]) < MIN_SENTENCE_CHARS:
            spans[-1] = (spans[-1][0], sentence.end)
        else:
            spans.append((sentence.start, sentence.end))
    return [text[start:end] for start, end in spans]


def _evidence(top: list[Passage], wanted: dict[str, float], total: float, best_similarity: float) -> float:
    known_share = sum(wanted.values()) / total
    coverage = max(_coverage(p, wanted, total) for p in top[:EVIDENCE_PASSAGES])
    return max(coverage, best_similarity * known_share)


def _coverage(passage: Passage, wanted: dict[str, float], total: float) -> float:
    present = set(terms(passage.title)) | set(terms(passage.text))
    return sum(w for t, w in wanted.items() if t in present) / total


def _in_period(passage: Passage, query: Query) -> bool:
    """Whether a passage is from the time the question names. A day, month or season must hold its
    publication date (a day may also be recalled by a release of that year); a year may be the year it was
    published or one it mentions (a release of 2025 reports the results of 2024)."""
    if query.dates and not query.dates.whole_years:
        return _inside(passage.date, query) or _mentions_day(passage, query)
    if query.years:
        return passage.date[:4] in {str(y) for y in query.years} or any(
            str(y) in passage.text or str(y) in passage.title for y in query.years)
    return True


GENITIVE_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                   "ноября", "декабря")


def _mentions_day(passage: Passage, query: Query) -> bool:
    """A question about one day may be about an event a later release of that year recalls («11 сентября»)."""
    if query.dates.start != query.dates.end:
        return False
    year, month, day = query.dates.start // 10000, query.dates.start // 100 % 100, query.dates.start % 100
    return passage.date[:4] == str(year) and re.search(
        rf"(?<!\d){day}\s+{GENITIVE_MONTHS[month - 1]}", normalise(passage.text)) is not None


def _inside(iso_date: str, query: Query) -> bool:
    number = int(iso_date.replace("-", "")) if iso_date else 0
    return query.dates.start <= number <= query.dates.end


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
