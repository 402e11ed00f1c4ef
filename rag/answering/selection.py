"""Which of the quotable sentences an answer quotes: the best, then the next best that says something new,
up to a number of sentences (`select`)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.periods import within
from rag.retrieval import Passage

SAME_PASSAGE_PENALTY = 0.9
KEEP_RATIO = 0.6
# Share of the question's (idf-weighted) stems, unsaid by the sentences chosen, that a sentence of another
# release must say to join an answer to a question asking one thing.
NEW_SHARE = 0.2


@dataclass
class Candidate:
    passage: Passage
    text: str
    terms: set[str]
    coverage: float
    rank: float
    score: float = 0.0
    similarity: float = 0.0
    context: str = ""
    before: str = ""


def select(ranked: list[Candidate], wanted: dict[str, float], total: float, several: bool, periods: tuple = (),
           max_sentences: int = 3) -> list[Candidate]:
    """Greedy: the best sentence, then the next best that says something new, preferring other passages
    (a multi-document question wants a sentence from each). A question that asks one thing takes a
    sentence of another release only when it says a good share of what the sentences chosen do not: a
    second release that merely shares the topic would be cited for what it does not support. A question
    naming several periods («в феврале и в марте») starts from the best sentence of each."""
    chosen = each_period(ranked, periods) or [ranked[0]]
    floor = KEEP_RATIO * ranked[0].score
    while len(chosen) < max(max_sentences, len(periods)):
        def adjusted(c: Candidate) -> float:
            same = any(c.passage.chunk_id == x.passage.chunk_id for x in chosen)
            return c.score * (SAME_PASSAGE_PENALTY if same else 1.0)

        said = set().union(*(x.terms for x in chosen))
        releases = {x.passage.doc_id for x in chosen}
        fresh = [c for c in ranked if c not in chosen
                 and not any(c.text == x.text or _overlap(c.terms, x.terms) > 0.7 for x in chosen)
                 and (several or c.passage.doc_id in releases
                      or sum(wanted.get(t, 0.0) for t in c.terms - said) >= NEW_SHARE * total)]
        best = max(fresh, key=adjusted, default=None)
        if best is None or adjusted(best) < floor:
            break
        chosen.append(best)
    return chosen


def each_period(ranked: list[Candidate], periods: tuple) -> list[Candidate]:
    """The best sentence published in each of the periods asked, in their order; [] unless two or more
    of them have one. Periods of different lengths are not asked alike («прогноз на 2017 год в релизе
    10 июня 2016 года» asks one release about another year)."""
    if len({(p.start == p.end, p.whole_years) for p in periods}) > 1:
        return []
    best = [next((c for c in ranked if within(c.passage, period)), None) for period in periods]
    found = [c for c in best if c is not None]
    return found if len(found) > 1 else []


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
