"""What every answerer returns, and the one interface they share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterator, Protocol

from rag.query import Query
from rag.retrieval import Passage

REFUSALS = {
    "ru": "В проиндексированных пресс-релизах нет достаточных сведений, чтобы ответить на этот вопрос.",
    "en": "The indexed press releases do not hold enough to answer this question.",
    "kk": "Индекстелген баспасөз релиздерінде бұл сұраққа жауап беруге жеткілікті мәлімет жоқ.",
}
CLOSEST = {"ru": "Ближайшие документы:", "en": "Closest documents:", "kk": "Ең жақын құжаттар:"}


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    date: str
    source: str
    url: str
    quote: str
    chunk_id: str = ""


@dataclass
class Draft:
    """An answerer's result: text with [n] markers and the citations they point to."""

    answer: str
    citations: list[Citation]
    refused: bool = False
    evidence: float = 0.0
    notice: str = ""


class Answerer(Protocol):
    name: str

    def answer(self, query: Query, passages: list[Passage]) -> Draft: ...

    def stream(self, query: Query, passages: list[Passage]) -> Iterator[str | Draft]:
        """Pieces of the answer text as they are produced, then the final `Draft`."""
        ...


def stream_whole(draft: Draft) -> Iterator[str | Draft]:
    """For answerers that write the whole answer at once: its text word by word, then the draft."""
    words = draft.answer.split(" ")
    for index, word in enumerate(words):
        yield word if index == len(words) - 1 else word + " "
    yield draft


@dataclass
class Answer:
    id: str | None
    question: str
    answer: str
    refused: bool
    citations: list[dict]
    retrieved: list[dict]
    timings_ms: dict[str, float]
    mode: str
    search_query: str
    closest: list[dict] = field(default_factory=list)
    notice: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def refusal(query: Query, passages: list[Passage], evidence: float, limit: int = 3) -> Draft:
    """A plain refusal in the question's language that names the closest documents."""
    lines = [REFUSALS.get(query.language, REFUSALS["ru"])]
    closest = unique_documents(passages)[:limit]
    if closest:
        lines.append(CLOSEST.get(query.language, CLOSEST["ru"]))
        lines += [f"— {p.title} ({p.date})" if p.date else f"— {p.title}" for p in closest]
    return Draft(answer="\n".join(lines), citations=[], refused=True, evidence=evidence)


def unique_documents(passages: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    result = []
    for passage in passages:
        if passage.doc_id not in seen:
            seen.add(passage.doc_id)
            result.append(passage)
    return result
