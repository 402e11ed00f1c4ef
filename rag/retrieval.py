"""Fused retrieval: dense vectors from Chroma, BM25 over chunk stems and BM25 over whole documents,
combined by weighted reciprocal rank (a chunk gets its document's rank bonus).

A date range read from the question is soft: passages inside it are searched separately, and their
fused score within the range replaces their score when higher, multiplied by `date_boost` for a day,
month or season (a bare year is too often the year of an event rather than of the release), so they rise to the top when they exist but the rest of the
corpus still answers when they do not. Explicit filters (date_from/date_to/sources, and the releases a time word
of the question points to: `documents`) are hard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.documents import normalise_date
from rag.messages import InputError
from rag.query import Query
from rag.settings import Settings
from rag.store.index import Index


@dataclass(frozen=True)
class Filters:
    date_from: int | None = None
    date_to: int | None = None
    sources: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # only these releases («на следующем заседании»: the one it points to)

    @classmethod
    def from_iso(cls, date_from: str | None = None, date_to: str | None = None, sources=()) -> "Filters":
        def number(value: str | None) -> int | None:
            if not value:
                return None
            try:
                return int(normalise_date(value).replace("-", ""))
            except ValueError:
                raise InputError("bad_date_filter", value=value) from None

        return cls(number(date_from), number(date_to), tuple(sources or ()))


@dataclass
class Passage:
    chunk_id: str
    doc_id: str
    title: str
    date: str
    source: str
    url: str
    text: str
    score: float


def retrieve(index: Index, query: Query, settings: Settings, filters: Filters = Filters(),
             query_vector: np.ndarray | None = None) -> list[Passage]:
    vector = query_vector if query_vector is not None else index.embedder.embed_one(query.search_text)
    scores = _fused(index, query, vector, settings, filters.date_from, filters.date_to, filters)
    for period in query.periods or ([query.dates] if query.dates is not None else []):
        start = max(period.start, filters.date_from or 0)
        end = min(period.end, filters.date_to or 99991231)
        if start <= end:
            inside = _fused(index, query, vector, settings, start, end, filters)
            boost = 1.0 if period.whole_years else settings.date_boost
            for chunk_id, score in inside.items():
                scores[chunk_id] = max(scores.get(chunk_id, 0.0), score * boost)
    if filters.documents:
        # The release a time word points to answers even where no word of the question matches its passages.
        mask = index.lexical.filter_mask(filters.date_from, filters.date_to, list(filters.sources), filters.documents)
        for row in np.flatnonzero(mask):
            scores.setdefault(index.lexical.chunk_ids[row], 0.0)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if query.latest and not filters.documents:
        ranked = _newest_release_first(index, query, vector, settings, filters, ranked)
    best = _diverse(ranked, settings)
    stored = index.chunks([chunk_id for chunk_id, _ in best])
    return [
        Passage(c.chunk_id, c.doc_id, c.title, c.date, c.source, c.url, c.text, score)
        for chunk_id, score in best
        if (c := stored.get(chunk_id)) is not None
    ]


LATEST_FLOOR = 0.3


def _newest_release_first(index: Index, query: Query, vector: np.ndarray, settings: Settings, filters: Filters,
                          ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """For a question about the present («какая сейчас ключевая ставка?»): of the releases of the best
    match's source whose words match it within `LATEST_FLOOR` of the best, the newest one's passages first,
    searched within that day."""
    mask = index.lexical.filter_mask(filters.date_from, filters.date_to, list(filters.sources))
    documents = index.lexical.search_documents(query.terms, len(index.lexical.documents), mask)
    if not documents or documents[0][1] <= 0:
        return ranked
    dated = index.lexical.document_dates()
    series = dated[documents[0][0]][1]  # the best release's source: its series answers
    newest = max(dated[doc_id][0] for doc_id, score in documents
                 if score >= LATEST_FLOOR * documents[0][1] and dated[doc_id][1] == series)
    if not newest:
        return ranked
    inside = _fused(index, query, vector, settings, newest, newest, filters)
    top = ranked[0][1] if ranked else 0.0
    first = sorted(((chunk_id, top + score) for chunk_id, score in inside.items()), key=lambda i: i[1], reverse=True)
    return first + [item for item in ranked if item[0] not in inside]


def _diverse(ranked: list[tuple[str, float]], settings: Settings) -> list[tuple[str, float]]:
    """The best `top_k` passages, at most `passages_per_document` of one release: a release that matches
    far better than the rest must not crowd out the second release a question needs."""
    taken: dict[str, int] = {}
    result = []
    for chunk_id, score in ranked:
        doc_id = chunk_id.rsplit("#", 1)[0]
        if taken.get(doc_id, 0) < settings.passages_per_document:
            taken[doc_id] = taken.get(doc_id, 0) + 1
            result.append((chunk_id, score))
            if len(result) == settings.top_k:
                break
    return result


def _fused(index: Index, query: Query, vector: np.ndarray, settings: Settings, date_from: int | None,
           date_to: int | None, filters: Filters) -> dict[str, float]:
    """Scores within the dates given and the filters' sources and releases."""
    n = settings.candidates
    dense = index.dense_search(vector, n, date_from, date_to, list(filters.sources), filters.documents)
    mask = index.lexical.filter_mask(date_from, date_to, list(filters.sources), filters.documents)
    lexical = index.lexical.search(query.terms, n, mask)
    scores: dict[str, float] = {}
    for weight, hits in ((settings.dense_weight, dense), (settings.lexical_weight, lexical)):
        for rank, (chunk_id, _) in enumerate(hits):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (settings.rrf_k + rank + 1)
    if settings.document_weight:
        documents = index.lexical.search_documents(query.terms, n, mask)
        bonus = {doc_id: settings.document_weight / (settings.rrf_k + rank + 1)
                 for rank, (doc_id, _) in enumerate(documents)}
        if len(documents) > 1 and documents[0][1] > 0:
            # Ranks hide a release that matches the question's words far better than any other (a short
            # release among long transcripts): the best one gains by its lead over the runner-up.
            lead = 1 - documents[1][1] / documents[0][1]
            bonus[documents[0][0]] += settings.document_lead_weight * lead / (settings.rrf_k + 1)
        for chunk_id in scores:
            scores[chunk_id] += bonus.get(chunk_id.rsplit("#", 1)[0], 0.0)
    return scores
