"""The checks of a question's model against a passage and a sentence; each says which constraint failed.

A passage can answer only if it is of the period the question names and its release mentions every
entity the question names (and, for "how many", what is counted). A sentence can be quoted only if it holds the answer type the question wants
(a number for "сколько", from a release that speaks of the thing counted, in its words or like ones; an amount of money in a currency;
a share; a date where the release itself has none) — the only way a quote can answer the question rather than sit near it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rag.answering.expected import STRICT, UNITS, holds, holds_measure, units
from rag.answering.periods import before_the_years, in_period, names_a_year, said_of_the_year, says_the_year, whole_years
from rag.answering.spellings import Named
from rag.answering.tagging import named_spans
from rag.answering.kinds import names_kind
from rag.answering.question import ASSESSING, CHANGES, RATES, REACTION_VERB, Question
from rag.query import Query
from rag.retrieval import Passage
from rag.text import normalise, sentences, stem_head, terms

# The seat of a publisher goes without saying in its own releases: a question «в Кремле» is met by a
# kremlin.ru release that never writes the word.
IMPLIED_BY_SOURCE = {"кремл": "kremlin.ru"}
# Nor does the head of the publisher in the releases of the years he heads it: «Указом Президента …» on
# kremlin.ru is Putin's decree when Putin is president (acting from 31 December 1999).
HEADS = {"kremlin.ru": (("путин", "1999-12-31", "2008-05-06"), ("медвед", "2008-05-07", "2012-05-06"),
                        ("путин", "2012-05-07", "9999-12-31"))}
# What a "how many" counts that says nothing of the topic: people, times, units of time and measure.
GENERIC_COUNTS = {"человек", "люд", "раз", "год", "лет", "ден", "дня", "дне", "месяц", "недел", "час", "минут", "тонн",
                  "штук", "единиц", "процент", "рубл", "доллар", "пункт"}
# Units releases abbreviate, by the stem of the word they stand for («350 б.п.» counts basis points).
ABBREVIATED = {"б.п": "пункт", "п.п": "пункт", "км": "километр", "кг": "килограмм"}


# A negation in a release's words: what it says of a premise the question puts in the negative.
NEGATION = re.compile(r"\b(?:не|нет|ни|без|отказ\w*|отмен\w*)\b")
# Words of a judgement, which a sentence must hold to answer «правильно ли…», "was it right…".
EVALUATIVE = re.compile(r"\b(?:правильн|неправильн|верн(?:о|ый|ое|ая|ым|ого)\b|оправда|реалист|обоснова|разумн|"
                        r"целесообразн|ошиб|успешн|эффективн|удачн|неудачн|адекватн|взвешенн)")
# A sentence saying what was discussed (not only that a call or meeting took place).
TOPIC_SAID = re.compile(r"\b(?:обсу[дж]|обмен\w*\s+мнени|обменял|затрон|рассмотр|речь\s+(?:шла|ид[её]т)|говорил\w*\s+об?\b|"
                        r"в\s+центре\s+внимания|внимани\w*\s+(?:было\s+)?удел|удел\w*\s+внимани|тем[аыуе]\b|тематик|"
                        r"вопрос|договорил|согласова|проинформирова|поделился|рассказал|доложил|подчеркн|отметил|предлож|пригласил|"
                        r"приветствова|выразил|призвал|заявил)")

# Spellings of one unit (a "how many days" is answered by «пять дней»).
UNIT_FAMILIES = (("день", "дня", "дней", "суток"), ("год", "лет"), ("км", "километр"), ("га", "гектар"))
# A sentence stating a reaction, and one stating a forecast or plan.
REACTED = re.compile(r"\b(?:отреагир|реакци|заявил|заявля|выразил|выражают|осудил|осужда|приветств|возраз|протест|"
                     r"недовол|одобр|критик|назвал|счита(?:ю|ем|ет|ют)\b|счита\w*,?\s+что|мнени|оцени|коммент|"
                     r"обеспокоен|озабочен|поддержал|поддерживают\b|поддерживает\b|отверг|восприн)")
FORECAST_SAID = re.compile(r"\b(?:прогноз|ожида|предполага|планир|намерен|сценари|траектори|будет|будут|составит|снизится|вырастет|"
                           r"увеличится|сократится|замедлится|ускорится|достигнет|верн[её]тся|сохранится|к\s+(?:концу\s+)?20\d\d)")

# A speaker of a transcript: «В.Путин:», «С.Ситников:», «А.Б.Беглов:».
SPEAKER = re.compile(r"(?:^|(?<=[.!?…»]\s)|(?<=[.!?…]))\s*(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?:")

# Share of a premise's (idf-weighted) stems that three sentences in a row, with their release's title,
# must hold to state it.
PREMISE_SHARE = 0.5
# Words that make a change a prospect: «потенциал снижения», «допускает возможность повышения», «рассмотрит
# целесообразность снижения», «пространство для снижения».
PROSPECTS = ("потенциал", "возможн", "целесообразн", "пространств", "допуска", "допуст", "рассмотр", "перспектив",
             "риск")


@dataclass(frozen=True)
class Failure:
    constraint: str  # "period", "entity", "answer_type", "focus", "event", "premise", "opinion", "topic" or "document"
    detail: str = ""


def passage_failure(question: Question, passage: Passage, document_terms: set[str], entities: list[Named],
                    related: Callable[[str, str], bool]) -> Failure | None:
    """`related(word, text)`: whether the text holds a word of like meaning («бойцов» ~ «десантников»)."""
    if not in_period(passage, question.query, document_terms) or before_the_years(question, passage):
        return Failure("period")
    missing = _missing_entity(entities, passage, document_terms)
    if missing is not None:
        return Failure("entity", missing.entity.text)
    if unsaid := [f for f in question.figures if f not in document_terms]:
        return Failure("entity", unsaid[0])
    if question.answer_type == "number" and question.focus and not _mentions(question.focus, document_terms) \
            and not related(question.focus_word, passage.text):
        return Failure("focus", question.focus_word)
    reported = document_terms | set(terms(passage.title))
    if question.events and not any(names_kind(term, kind) for kind in question.events for term in reported):
        return Failure("event", question.events[0][0])  # of the kinds it names, the release reports none
    return None


def _missing_entity(entities: list[Named], passage: Passage, document_terms: set[str]) -> Named | None:
    """The first entity the release does not mention, of the question's first clause, unless it mentions
    all of another clause's (a question that asks two things may be answered in part by each release)."""
    first = None
    for clause in _clauses(entities):
        missing = _missing_in(clause, entities, passage, document_terms)
        if missing is None:
            return None
        first = first or missing
    return first


def unanswered_clause(entities: list[Named], eligible: list[tuple[Passage, set[str]]]) -> Failure | None:
    """A question asking two things is answered only if each is: some passage mentions all of each
    clause's entities."""
    for clause in _clauses(entities):
        missing = [_missing_in(clause, entities, passage, held) for passage, held in eligible]
        if missing and all(missing):
            return Failure("entity", missing[0].entity.text)
    return None


def _clauses(entities: list[Named]) -> list[int]:
    return sorted({named.entity.clause for named in entities if named.entity.clause >= 0}) or [0]


def _missing_in(clause: int, entities: list[Named], passage: Passage, document_terms: set[str]) -> Named | None:
    return next((named for named in entities if named.entity.clause in (clause, -1)
                 and not named.spellings & document_terms and not _implied(named, passage)), None)


def premise_failure(question: Question, passage: Passage, weights: dict[str, float]) -> Failure | None:
    """A passage can answer «почему ЦБ снизил ставку?» only where it says that the bank cut the rate: three
    sentences in a row holding most of the question's stems, the middle one its verb (a change: a verb of
    the same direction, with what is changed). Where a change of the other direction is said of the same
    thing («повысить ключевую ставку»), the premise is false, and that is said."""
    own, changed = _change(question.predicate), question.changed
    if own is None and question.premised and not any(p.startswith(ASSESSING) for p in question.predicate):
        # «чем ЦБ объяснил снижение ставки?»: the change given is a noun (an assessment asked, «как оценили
        # решение сохранить ставку», stays the premise itself)
        own, changed = _change(question.query.content_terms), ()
    # «На сколько ЦБ снизил ставку?» takes the cut as given as «почему» does: a release saying the rate was
    # raised cannot answer it.
    if not question.premised and own is None:
        return None
    if question.reaction:  # what was reacted to is the premise; who reacts, and how, is what is asked
        weights = {t: w for t, w in weights.items() if not REACTION_VERB.match(t) and t not in question.reacting}
    total = sum(weights.values()) or 1.0
    title = set(terms(passage.title))
    said = [s.text for s in sentences(passage.text)]
    contrary = None
    # A change of the other direction said of the same thing in fewer of the question's words («повысить
    # ключевую ставку на 200 б.п.» for «на сколько базисных пунктов снизили ставку»): the premise is false
    # unless the passage says the change asked somewhere.
    unlike, alike = None, False
    for i, sentence in enumerate(said):
        window = set(terms(" ".join(said[max(0, i - 1) : i + 2]))) | title
        if sum(w for t, w in weights.items() if t in window) / total < PREMISE_SHARE:
            if own is not None and changed and (changes := _changes_of(changed, terms(sentence))) is not None:
                alike = alike or own in changes
                unlike = unlike or (" ".join(sentence.split()) if changes - {own} else None)
            continue
        own_terms = terms(sentence)
        if own is None:
            stated = not question.predicate or any(t.startswith(_root(p)) for p in question.predicate for t in window)
            if stated and question.negated and not NEGATION.search(normalise(" ".join(said[max(0, i - 1) : i + 2]))):
                contrary = contrary or " ".join(sentence.split())  # «примет участие» for «почему не приедет»
            elif stated:
                return None
            continue
        changes = _changes_of(changed, own_terms)
        if changes is None:
            continue
        if own in changes:
            return None
        if changes and contrary is None:
            contrary = " ".join(sentence.split())
    contrary = contrary or (unlike if not alike else None)
    if contrary is not None:
        return Failure("premise", contrary)
    return Failure("premise") if question.premised else None


def _changes_of(changed: tuple[str, ...], sentence_terms: list[str]) -> set[int] | None:
    """The kinds of change a sentence says (`CHANGES`), None if it does not speak of what is changed (when a
    question names it: «ставку» of «снизил ставку»)."""
    if changed and not any(t.startswith(stem_head(o)) for o in changed for t in sentence_terms):
        return None
    if any(_change((t,)) is not None and any(p.startswith(PROSPECTS) for p in sentence_terms[max(0, i - 2) : i])
           for i, t in enumerate(sentence_terms)):
        return set()  # «потенциал снижения ставки уменьшился» tells of a change that may come, not one made
    return {_change((t,)) for t in sentence_terms} - {None}


def _root(verb: str) -> str:
    """What a verb's forms share (ведет, ведут; отказался, отказались), if it keeps its root."""
    return verb[: max(3, len(verb) - 2)]


def _change(stems) -> int | None:
    return next((n for stem in stems for n, group in enumerate(CHANGES) if stem.startswith(group)), None)


def names_publisher(source: str, wanted: dict[str, float]) -> bool:
    """Whether the question (its stems, `wanted`) names a release's publisher by every word of its name
    («Банк России (cbr.ru)»)."""
    name = set(terms(source.split("(")[0]))
    return bool(name) and name <= wanted.keys()


def _implied(named: Named, passage: Passage) -> bool:
    """Whether a release names the entity by being the release it is: its publisher («России», «Банк
    России» in «Банк России (cbr.ru)»), the publisher's seat, or its head at the time."""
    if set(named.entity.stems) <= set(terms(passage.source)):
        return True
    if any(source in passage.source for stem, source in IMPLIED_BY_SOURCE.items()
           if any(s.startswith(stem) for s in named.spellings)):
        return True
    return any(site in passage.source and first <= passage.date <= last and any(s.startswith(head) for s in named.spellings)
               for site, heads in HEADS.items() for head, first, last in heads)


def _mentions(focus: tuple[str, ...], document_terms: set[str]) -> bool:
    """Whether a release speaks of what is counted, in any inflection (also as the start of a compound:
    «военных» → военнослужащих)."""
    heads = [stem_head(stem) for stem in focus if stem not in GENERIC_COUNTS]
    return not heads or any(term.startswith(head) for term in document_terms for head in heads)


def _of_the_rate(rated: tuple[str, tuple[str, ...], str], sentence: str, context: str) -> bool:
    """Whether a sentence's figure is of the rate asked: it names the rate, or the sentences beside it do and
    it names no other («… инфляция снизится до 4,0%» after «… сохранить ключевую ставку» is of inflation)."""
    own = terms(sentence)
    if any(t.startswith(rated[1]) for t in own):
        return True
    names_another = any(t.startswith(other[1]) for other in RATES if other[0] != rated[0] for t in own)
    return not names_another and any(t.startswith(rated[1]) for t in terms(context or sentence))


def sentence_failure(question: Question, passage: Passage, sentence: str, context: str = "",
                     related: Callable[[str, str], bool] | None = None, before: str = "") -> Failure | None:
    """`context`: the sentence with the ones beside it, where a sum must name what it is the cost of (in
    its own words: words of like meaning let too much through here); `before`: the sentence before it.
    `related(word, text)`: whether the text holds a word of like meaning."""
    kind = question.answer_type
    if kind in STRICT and not holds(kind, sentence):
        # «сколько ей было лет и как её звали?»: a sentence without the number may answer its other question
        kind = next((k for k in question.answer_types if k not in STRICT or holds(k, sentence)), None)
        if kind is None:
            return Failure("answer_type", question.answer_type)
    if question.who and kind == "name" and not _names_someone_else(question, sentence):
        return Failure("answer_type", kind)
    word, kind_of_document = question.document_kind
    if kind_of_document and not any(t.startswith(kind_of_document) for t in terms(sentence)):
        return Failure("document", word)
    if kind == "number" and question.counted and _measures_other_things(question.focus, sentence):
        return Failure("focus", question.focus_word)
    if question.measured_in and kind in STRICT and not holds_measure(question.measured_in, sentence):
        return Failure("answer_type", "number")
    if kind == "percent" and question.share_of and not _mentions(question.share_of, set(terms(context or sentence))) \
            and not (related and related(question.share_of_word, context or sentence)):
        return Failure("focus", question.share_of_word)
    # What was decided of a rate is said of it too («что решил ЦБ по ключевой ставке…»); a rate named anywhere
    # in an English or Kazakh question («… statement on the rate decision») is too often not what it asks.
    of_a_rate = kind in ("percent", "number") or (kind is None and question.query.language == "ru")
    if of_a_rate and question.rated and not _of_the_rate(question.rated, sentence, context):
        return Failure("focus", question.rated[2])
    # An undated release can tell "when" only in its words, and so can any release of what lies ahead.
    if kind in ("date", "day") and (not passage.date or question.future) and not holds(kind, sentence):
        return Failure("answer_type", kind)
    if kind == "date" and question.future and passage.date and _only_past_years(sentence, int(passage.date[:4])):
        return Failure("answer_type", kind)  # "when will it open?" is not told by «с 2017 по 2024 год …»
    if question.judged and not EVALUATIVE.search(normalise(context or sentence)):
        return Failure("opinion")
    if question.reaction and not REACTED.search(normalise(sentence)):
        return Failure("opinion")
    if question.reacting and not any(t.startswith(stem_head(who)) for who in question.reacting
                                     for t in terms(context or sentence)):
        return Failure("opinion")  # a reaction, but of someone else
    if question.pundits and not any(t.startswith(question.pundits) for t in terms(context or sentence)):
        return Failure("opinion")  # a view of analysts or experts, of whom the sentence says nothing
    if question.forecast and not FORECAST_SAID.search(normalise(sentence)):
        return Failure("opinion")
    if question.asks_topic and not says_a_topic(sentence):
        return Failure("topic")
    # The year must be in the sentence itself or the one it follows, unless a second question may ask of
    # another time ("and how many a year earlier?"), which the sentences beside it may name.
    if not (says_the_year(question.query, passage, context or sentence) if question.asks_several
            else said_of_the_year(question.query, passage, sentence, before)):
        return Failure("period")
    # What is expected of a year is said of it: a release of 2025 expecting growth «к 2030 году» tells
    # nothing of 2025, nor a forecast made in March 2025 «к 2030 году» of 2035.
    if question.forecast and (ahead := _years_ahead(question.query)) \
            and not names_a_year(ahead, passage, context or sentence):
        return Failure("period")
    if kind == "money" and question.cost_of:
        near = set(terms(context or sentence))
        if not any(_mentions(tuple(terms(word)), near) for word in question.cost_of):
            return Failure("focus", question.cost_of[-1])
    return None


def _only_past_years(sentence: str, published: int) -> bool:
    """Whether the only dates a sentence names are years before its release's (no day, month or later year)."""
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", normalise(sentence))]
    return bool(years) and max(years) < published and not holds("day", sentence)


def _years_ahead(query: Query) -> set[int]:
    """The years a forecast is asked for: those the question names, but the year of the month or day it names
    (the release's: «в марте 2025 года … к 2035 году»)."""
    asked = set(query.years)
    return asked if whole_years(query) else asked - {query.dates.start // 10000}


def says_a_forecast(sentence: str) -> bool:
    return FORECAST_SAID.search(normalise(sentence)) is not None


def says_a_topic(sentence: str) -> bool:
    """Whether a sentence says what was discussed, proposed or agreed (not only that a call took place)."""
    return TOPIC_SAID.search(normalise(sentence)) is not None


def _names_someone_else(question: Question, sentence: str) -> bool:
    """Whether natasha finds in the sentence a person, place or organisation (a person, for «как зовут»)
    none of whose words the question uses («Борисова Юрия Ивановича» is the Borisov asked about, his
    patronymic and initials aside). A transcript's speakers («С.Ситников:») are not what it says."""
    asked = question.asked_stems
    said = SPEAKER.sub(" ", sentence)
    kinds = ("PER",) if question.person else ("PER", "LOC", "ORG")
    named = [{t for t in terms(span) if len(t) > 1} for span in named_spans(said, kinds)]
    return any(words and not words & asked for words in named)


def _measures_other_things(focus: tuple[str, ...], sentence: str) -> bool:
    """Whether every number of the sentence is of a unit of measure other than what is counted (a "how many
    people" answered by «37 тысяч квадратных метров»)."""
    asked = {unit for stem in focus for unit in UNITS if stem.startswith(unit) or unit.startswith(stem)}
    asked |= {unit for unit, word in ABBREVIATED.items() if any(stem.startswith(word) for stem in focus)}
    asked |= {unit for family in UNIT_FAMILIES if asked & set(family) for unit in family}
    found = units(sentence)
    if asked:  # «сколько тонн»: a count of something else («десять судозаходов») is no answer either
        return not any(unit in asked for unit in found) and not any(
            word.startswith(unit) for word in normalise(sentence).split() for unit in asked)
    return bool(found) and all(unit is not None and unit not in asked for unit in found)
