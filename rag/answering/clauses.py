"""Which of a question's asks each entity it names belongs to: «кто сменил Паслера в Оренбургской области, и какой
регион возглавил Паслер?» asks two things; «сколько дорог отремонтировали в Брянской и в Костромской областях?»
asks the same of two places, which each one's own release may tell."""

from __future__ import annotations

import re

from rag.answering.names import Entity
from rag.answering.places import country_of
from rag.answering.wordforms import plural_noun

# Words that start a question, Russian and English.
ASK_WORDS = (r"как\w*|кто|кого|кому|когда|где|куда|откуда|сколько|скольк\w*|что|чем|почему|зачем|чь[яюеи]\w*|чей|"
             r"what|who|whom|when|where|how|which|why")
# Where a question asks a second thing: «…, и какой регион…», "… and when …".
SECOND_ASK = re.compile(rf"(?:,\s*|\s+)(?:и|а также|and)\s+(?=(?:{ASK_WORDS})\b)", re.I)
# In Kazakh the question word comes late: «…, және …» starts a second question when a question word comes
# before it and one within the words after it.
KAZAKH_ASK = re.compile(r"\b(?:қанша|қандай|кім|қашан|қай|неше|нені|неге)\w*|\bне\b", re.I)
KAZAKH_AND = re.compile(r",?\s+және\s+((?:\S+\s+){0,8}\S+)?", re.I)
# What joins two places of which the same is asked: «Брянской и в Костромской», "Perm Territory and Tatarstan".
COORDINATED = re.compile(r"\s*,?\s*(?:и|а\s+также|and|мен|пен|бен|және)\s+(?:(?:в|во|с|со|на|из|у|in|with|of|for)\s+)?",
                         re.IGNORECASE)
# Events of which a question names several, each with someone else («на встречах с Путиным», "in their
# phone calls with Putin"): two people joined by «и» then each had their own, told by a release of its own.
EVENT_WORDS = re.compile(r"(?:встреч|бесед|разговор|звонк|визит|поездк)\w*", re.I)
WITH = re.compile(r"(?:\b(?:с|со|with)\s+$)", re.I)
KAZAKH_WITH = re.compile(r"(?:мен|пен|бен)\b", re.I)
SEVERAL_EVENTS = re.compile(r"\b(?:calls|meetings|conversations|visits|trips|interviews)\b|"
                            r"(?:кездесу|сөйлесу|сапар|сұхбат)(?:лер|лар|дер|дар|тер|тар)\w*", re.I)
PEOPLE = {"PER", "NAME", "PROPN"}
ADJOINING = re.compile(r"(?:['’]s)?\s*")
# An English name is a place only by its kind's word ("Perm Territory").
PLACE_WORD = re.compile(r"\b(?:Territory|Region|Republic|Oblast|Krai|Province|District)\b")


def second_asks(question: str) -> list[int]:
    """Where each question after the first starts."""
    starts = [m.end() for m in SECOND_ASK.finditer(question)]
    starts += [m.start(1) for m in KAZAKH_AND.finditer(question) if m[1] and KAZAKH_ASK.search(question, 0, m.start())
               and KAZAKH_ASK.search(m[1])]
    return sorted(starts)


def entity_clauses(question: str, named: list[tuple[int, Entity]], asks: list[int], language: str) -> list[int]:
    """The clause of each entity (`named`: where each starts in the question): the ask it stands in, or a clause
    of its own for the second of two places joined by «и», "and", «мен». (Two people joined so are mostly two
    sides of one event, «что обсудили Мирзиёев и Токаев», unless the question names several events, «на
    встречах с Путиным»; two capitals standing for their governments are, «Москва и Вашингтон договорились».)"""
    clauses = [sum(start >= end for end in asks) for start, _ in named]
    ordered = sorted(range(len(named)), key=lambda i: named[i][0])
    extra = len(asks) + 1
    several_events = _several_events(question)
    partners = {i for i, (start, entity) in enumerate(named) if entity.kind in PEOPLE
                and (WITH.search(question[max(0, start - 5) : start]) or KAZAKH_WITH.match(question, start + len(entity.text)))}
    for i, j in zip(ordered, ordered[1:]):
        (a_start, a), (b_start, b) = named[i], named[j]
        places = {a.kind, b.kind} <= {"LOC", "PROPN"} or (
            {a.kind, b.kind} <= {"NAME"} and any(PLACE_WORD.search(e.text) for e in (a, b)))
        people = several_events and {a.kind, b.kind} <= PEOPLE and not places and bool(partners - {i, j})
        governments = any(country_of(e, question, language) for e in (a, b))
        between = question[a_start + len(a.text) : b_start]
        if (places or people) and not governments and COORDINATED.fullmatch(between):
            clauses[j], extra = extra, extra + 1
        elif ADJOINING.fullmatch(between):  # «Armenia's Nikol Pashinyan»: one name of the other's clause
            clauses[j] = clauses[i]
    return clauses


def _several_events(question: str) -> bool:
    """Whether the question names events in the plural («на встречах», "phone calls", «кездесулерде»)."""
    return SEVERAL_EVENTS.search(question) is not None or any(
        plural_noun(word.lower()) for word in EVENT_WORDS.findall(question))
