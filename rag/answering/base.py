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
# Which constraint of the question no passage met (rag/answering/constraints.py), said after the refusal.
REASONS = {
    "ru": {"entity": "Ни один найденный релиз не упоминает «{detail}».",
           "event": "Ни один найденный релиз не сообщает о событии такого рода («{detail}…»).",
           "premise": {"": "Ни один найденный релиз не говорит того, что вопрос считает данностью.",
                       "said": "В релизах сказано иное: «{detail}»"},
           "opinion": "Ни один найденный релиз не даёт такой оценки.",
           "topic": "Найденные релизы не говорят, что обсуждалось.",
           "document": "В найденных релизах не названы такие документы («{detail}»).",
           "period": "Ни один найденный релиз не относится к названному в вопросе периоду.",
           "focus": "В найденных релизах нет числа о том, что спрашивается («{detail}»).",
           "answer_type": {"number": "В найденных релизах нет числа, которое отвечало бы на вопрос.",
                           "money": "В найденных релизах нет суммы, которая отвечала бы на вопрос.",
                           "percent": "В найденных релизах нет доли или процента, которые отвечали бы на вопрос.",
                           "date": "В найденных релизах нет даты, которая отвечала бы на вопрос.",
                           "day": "В найденных релизах нет числа и месяца, которые отвечали бы на вопрос.",
                           "name": "В найденных релизах не названо, кто это."}},
    "en": {"entity": "No release found mentions “{detail}”.",
           "event": "No release found reports an event of that kind (“{detail}…”).",
           "premise": {"": "No release found says what the question takes as given.",
                       "said": "The releases say otherwise: “{detail}”"},
           "opinion": "No release found makes such a judgement.",
           "topic": "The releases found do not say what was discussed.",
           "document": "The releases found name no such document (“{detail}”).",
           "period": "No release found is from the period the question names.",
           "focus": "The releases found give no figure for what is asked (“{detail}”).",
           "answer_type": {"number": "The releases found give no number that answers the question.",
                           "money": "The releases found give no amount of money that answers the question.",
                           "percent": "The releases found give no share or percentage that answers the question.",
                           "date": "The releases found give no date that answers the question.",
                           "day": "The releases found give no day and month that answer the question.",
                           "name": "The releases found do not name who it is."}},
    "kk": {"entity": "Табылған релиздердің ешқайсысында «{detail}» аталмайды.",
           "event": "Табылған релиздердің ешқайсысы мұндай оқиға туралы хабарламайды («{detail}…»).",
           "premise": {"": "Табылған релиздердің ешқайсысы сұрақтағы болжамды растамайды.",
                       "said": "Релиздерде басқаша айтылған: «{detail}»"},
           "opinion": "Табылған релиздердің ешқайсысы мұндай баға бермейді.",
           "topic": "Табылған релиздерде не талқыланғаны айтылмайды.",
           "document": "Табылған релиздерде мұндай құжаттар аталмайды («{detail}»).",
           "period": "Табылған релиздердің ешқайсысы сұрақтағы кезеңге жатпайды.",
           "focus": "Табылған релиздерде сұралған нәрсе («{detail}») туралы сан жоқ.",
           "answer_type": {"number": "Табылған релиздерде сұраққа жауап беретін сан жоқ.",
                           "money": "Табылған релиздерде сұраққа жауап беретін сома жоқ.",
                           "percent": "Табылған релиздерде сұраққа жауап беретін үлес не пайыз жоқ.",
                           "date": "Табылған релиздерде сұраққа жауап беретін күн жоқ.",
                           "day": "Табылған релиздерде сұраққа жауап беретін күн мен ай жоқ.",
                           "name": "Табылған релиздерде оның кім екені аталмайды."}},
}


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
    refusal_reason: str = ""


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
    refusal_reason: str = ""
    # "How did X change": one row per release of the period, {date, value, label, doc_id, chunk_id, quote}.
    timeline: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def refusal(query: Query, passages: list[Passage], evidence: float, reason=None, limit: int = 3) -> Draft:
    """A refusal in the question's language that says which constraint failed (a `constraints.Failure`,
    if one did) and names the closest documents."""
    lines = [REFUSALS.get(query.language, REFUSALS["ru"])]
    if reason is not None:
        said = REASONS.get(query.language, REASONS["ru"])[reason.constraint]
        if isinstance(said, dict):
            said = said.get(reason.detail) or said["said"].format(detail=reason.detail)
        else:
            said = said.format(detail=reason.detail)
        lines[0] += " " + said
    closest = unique_documents(passages)[:limit]
    if closest:
        lines.append(CLOSEST.get(query.language, CLOSEST["ru"]))
        lines += [f"— {p.title} ({p.date})" if p.date else f"— {p.title}" for p in closest]
    return Draft(answer="\n".join(lines), citations=[], refused=True, evidence=evidence,
                 refusal_reason=reason.constraint if reason is not None else ("evidence" if passages else "nothing"))


def unique_documents(passages: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    result = []
    for passage in passages:
        if passage.doc_id not in seen:
            seen.add(passage.doc_id)
            result.append(passage)
    return result
