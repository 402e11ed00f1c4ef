"""A question asking of two events at once («о чём говорили по телефону 6 марта 2025 года и чем Путин поделился в
разговоре 17 апреля?») is answered part by part: each part names its own period, is searched and answered on
its own (with the words of the parts before it, which a later part leans on: «с ним», but not their names,
periods or premises as constraints), and the answers are joined, their citations numbered on. A part the
releases do not answer says so within the answer; the whole is refused only when no part is answered."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answering.base import Citation, Draft
from rag.answering.extractive import FRAMING
from rag.answering.clauses import ASK_WORDS
from rag.answering.names import named_entities
from rag.answering.tagging import tag
from rag.query import DateRange, Query, build_query, detect_language, month_of, parse_dates
from rag.text import normalise

# Kazakh question words, which come late in their clause: «… қандай өсімді атап өтті және 3 мамырда … қай …?»
KAZAKH_ASK_WORDS = r"қандай|қай|кім\w*|қашан|қанша|неше"
# Where a question asks a second thing (the question model's cut, `SECOND_ASK`, with more of the words that
# start one, after a preposition too): «…, и какой регион…», «и на сколько…», «…, ал екіншісінде қандай…».
SPLIT = re.compile(
    r"(?:,\s*|\s+)(?:и|а также|and|және|ал)\s+(?=(?:(?:на|до|с|со|в|во|по|за|к|о|об|из|от|для|при|in|on|at|to|"
    rf"from|by|for|of|with)\s+)?(?:{ASK_WORDS}|кем|чей|чья|чью|чьи|чьей|чьего|чего|whose|{KAZAKH_ASK_WORDS})\b)", re.I)
KAZAKH_SPLIT = re.compile(r"(?:,\s*|\s+)(?:және|ал)\s+")
KAZAKH_ASKS = re.compile(rf"\b(?:{KAZAKH_ASK_WORDS}|не)\b", re.I)
MIN_PART_WORDS = 3
DAY_OF = re.compile(r"(?<!\d)([0-3]?\d)\s+$")
# How the part a release does not answer is said, before the reason the refusal gives.
UNANSWERED = {"ru": "На вопрос «{part}» в релизах ответа нет.", "en": "The releases do not answer “{part}”.",
              "kk": "«{part}» деген сұраққа релиздерде жауап жоқ."}


def question_parts(question: str, earlier: list[str]) -> list[Query]:
    """The queries of a question's parts when each names a period of its own and no two overlap; else []."""
    cuts = list(SPLIT.finditer(question)) or [m for m in KAZAKH_SPLIT.finditer(question)
                                               if KAZAKH_ASKS.search(question[: m.start()])
                                               and KAZAKH_ASKS.search(question[m.end():])]
    texts, start = [], 0
    for cut in cuts:
        texts.append(question[start : cut.start()].strip(" ,") + "?")
        start = cut.end()
    texts.append(question[start:].strip())
    if len(texts) < 2 or any(len(text.split()) < MIN_PART_WORDS for text in texts):
        return []
    periods = _own_periods(texts)
    if not all(periods) or any(a.start <= b.end and b.start <= a.end
                               for i, a in enumerate(periods) for b in periods[i + 1 :]):
        # Parts of one period (or none) each about someone or something of its own («… назвал Минниханов 3
        # марта и на сколько, по словам Кадырова, выросли …»): each searched on its own, in the shared period.
        shared = {p for p in periods if p is not None}
        if len(shared) > 1 or not _own_entities(texts):
            return []
        periods = [next(iter(shared), None)] * len(texts)
    queries = []
    for i, (text, period) in enumerate(zip(texts, periods)):
        query = build_query(text, [*earlier, *texts[:i]], continuing=i > 0)
        queries.append(replace(query, used_history=[], dates=period, periods=(), latest=False))
    return queries


def _own_entities(texts: list[str]) -> bool:
    """Whether each part names someone or something no other part does."""
    named = []
    for text in texts:
        language = detect_language(text)
        doc = tag(text) if language != "en" else None
        named.append({entity.stems for _, entity in named_entities(text, language, doc)})
    return all(own - set().union(*(other for j, other in enumerate(named) if j != i)) for i, own in enumerate(named))


def _own_periods(texts: list[str]) -> list[DateRange | None]:
    """Each part's period: its own dates, or «17 апреля» in the one year the other parts name."""
    own = [parse_dates(text) for text in texts]
    years = {period.end // 10000 for period in own if period is not None}
    year = next(iter(years)) if len(years) == 1 else None
    return [period or (_day_or_month(text, year) if year else None) for text, period in zip(texts, own)]


def _day_or_month(text: str, year: int) -> DateRange | None:
    """«17 апреля», «в марте» of a part whose year another part names."""
    for match in re.finditer(r"[^\W\d_]+", normalise(text)):
        month = month_of(match.group())
        if month is not None:
            day = DAY_OF.search(normalise(text)[: match.start()])
            return DateRange.of(year, month, month, int(day[1]), int(day[1])) if day else DateRange.of(year, month, month)
    return None


def joined(drafts: list[Draft], parts: list[Query]) -> Draft:
    """One answer of the parts' answers, in their order, their citations numbered on."""
    answered = [d for d in drafts if not d.refused]
    if not answered:
        return drafts[0]
    # Parts cut by whom they name (all of one period): one naming someone or something no release found speaks
    # of makes the whole a question on a false premise («Кто сменил Эмбало в Оренбургской области и …»).
    by_entities = len({part.dates for part in parts}) == 1
    if by_entities and (unnamed := next((d for d in drafts if d.refused and d.refusal_reason == "entity"), None)):
        return unnamed
    pieces, citations = [], []
    for draft, part in zip(drafts, parts):
        if draft.refused:
            said = UNANSWERED.get(part.language, UNANSWERED["ru"]).format(part=part.question.rstrip("?"))
            pieces.append(" ".join([said, *draft.answer.split("\n")[0].split(". ")[1:]]).strip())
            continue
        offset = len(citations)
        framing = FRAMING.get(part.language, "")
        text = draft.answer[len(framing):].lstrip() if pieces and framing and draft.answer.startswith(framing) else draft.answer
        pieces.append(re.sub(r"(?<=\s)\[(\d+)\](?=\s|$)", lambda m: f"[{int(m[1]) + offset}]", " " + text).strip())
        citations += [Citation(**{**vars(c), "n": c.n + offset}) for c in draft.citations]
    return Draft(answer=" ".join(pieces), citations=citations, evidence=max(d.evidence for d in answered),
                 notice=" ".join(dict.fromkeys(d.notice for d in drafts if d.notice)))
