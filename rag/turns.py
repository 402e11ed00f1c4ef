"""Time words of a question that point along a series: «на следующем заседании», «а до этого?», «в
предыдущем релизе», «впервые после этого … снизили», «с тех пор», "the next meeting", "the one before",
"first … after that" (and Kazakh «келесі», «алдыңғы», «содан бері»); and questions about how a value changed
(«как менялась ключевая ставка в 2022 году», «динамика инфляции», "how did … change").

Pure reading of words: which release of the series is meant is decided against the index (`rag.temporal`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text import normalise

# What a series is made of: a turn names one («следующем заседании», «предыдущем телефонном разговоре»), so
# that «в следующем году» or «в прошлом месяце» stay dates.
SERIES_NOUN = (r"(?:заседани|решени|релиз|пресс-релиз|сообщени|раз\b|разговор|звон|бесед|встреч|совещани|"
               r"переговор|заявлени|обращени|meeting|decision|release|call|conversation|talks|one\b|time\b|"
               r"отырыс|шешім|кездесу|сөйлесу)\w*")
WITHIN_TWO_WORDS = r"\s+(?:[^\W\d_]+\s+){0,2}"
NEXT = re.compile(rf"\bследующ\w*{WITHIN_TWO_WORDS}{SERIES_NOUN}|\bnext{WITHIN_TWO_WORDS}{SERIES_NOUN}|"
                  r"\bthe\s+following\s+(?:meeting|decision|release|call)|\bпосле\s+(?:этого|того)\b(?!,?\s+как)|"
                  r"\bafter\s+(?:that|this)\b|\bкелесі\b")
PREVIOUS = re.compile(rf"\bпредыдущ\w*|\bпрошл\w*{WITHIN_TWO_WORDS}{SERIES_NOUN}|"
                      rf"\bпрежн\w*{WITHIN_TWO_WORDS}{SERIES_NOUN}|"
                      r"\b(?:до|перед)\s+(?:этого|этим|того|тем)\b(?!,?\s+как)|\bprevious\b|\bpreceding\b|"
                      r"\bprior\s+(?:meeting|decision|release|call)|\bbefore\s+(?:that|this)\b|\bthe\s+one\s+before\b|"
                      r"\bалдыңғы\b|\b(?:бұған|оған)\s+дейін\b")
FIRST = re.compile(r"\bвпервые\b|\b(?:в\s+)?первый\s+раз\b|\bfirst\b|\bалғаш\w*")
AFTER = re.compile(r"\bпосле\s+(?:этого|того|него|нее|них)\b|\bс\s+тех\s+пор\b|\bafter\s+(?:that|this|it)\b|"
                   r"\bsince\s+then\b|\bодан\s+кейін\b|\bсодан\s+(?:кейін|бері)\b")
SINCE = re.compile(r"\bс\s+тех\s+пор\b|\bс\s+того\s+(?:момента|времени|дня|решения|заседания)\b|"
                   r"\bsince\s+(?:then|that)\b|\bсодан\s+бері\b")
# «на какую дату назначили следующее заседание»: the release at hand announces it.
SCHEDULED = re.compile(r"\bназнач\w*|\bзапланир\w*|\bпланиру\w*|\bсостоит\w*|\bпройд\w*|\bscheduled\b|\bplanned\b|"
                       r"\bжоспарл\w*")
# What a key-rate decision (or any decision) did: the verbs of a question and of a release's lead.
PREDICATES = {
    "cut": re.compile(r"\b(?:сниз|пониз|уменьш|сократ)\w*|\b(?:cut|lower\w*|reduc\w*|eas\w*)\b|\bтөмендет\w*"),
    "raise": re.compile(r"\b(?:повы[сш]|подня|подним|увелич)\w*|\b(?:rais\w*|hik\w*|increas\w*)\b|"
                        r"\b(?:көтер|арттыр)\w*"),
    "keep": re.compile(r"\b(?:сохран|остав)\w*|\bне\s+измен\w*|\bбез\s+изменени\w*|"
                       r"\b(?:kept|keep\w*|hold\w*|held|unchanged|maintain\w*)\b|\bсақта\w*"),
}
# The decision a release announces, in its first sentences: «принял решение снизить …», «сохранил ставку».
DECISION = re.compile(r"\b(?:(?P<cut>сниз|пониз)|(?P<raise>повыс|подня)|(?P<keep>сохран|остав))(?:ил\w*|ить|ит)\b")
LEAD_CHARS = 600
CHANGE = re.compile(
    r"\bкак\s+(?:[^\W\d_]+\s+){0,3}?(?:менял|изменял|изменил|росл|снижал|повышал|падал|колебал)\w*|\bдинамик\w*|"
    r"\bистори\w+\s+(?:изменени|решени)\w*|\bhow\s+(?:did|has|have|had)\b.{0,80}?\b(?:chang|evolv|mov)\w*|"
    r"\b(?:dynamics|trend)\b|\bhistory\s+of\b|\bқалай\s+өзгер\w*|\bөзгеріс\w*|\bдинамика\w*")


# What changed: the words after «как менялась», «динамика» or between "how did" and "change", up to a
# preposition, a number or the end («ключевая ставка», «годовой инфляции», "the Bank of Russia key rate").
QUANTITY_STOP = r"(?:от|с|со|в|во|за|между|по|до|после|на|у|при|from|in|since|between|over|during|after|by)\b"
PHRASE = rf"(?P<quantity>(?:(?!{QUANTITY_STOP})[^\W\d_]+(?:-[^\W\d_]+)*\s*){{1,5}})"
QUANTITY = re.compile(rf"\b(?:менял|изменял|изменил|росл|снижал|повышал|падал|колебал|динамик)\w*\s+{PHRASE}|"
                      r"\bhow\s+(?:did|has|have|had)\s+(?P<english>.+?)\s+(?:chang|evolv|mov)\w*")


# A turn from an event the question itself names («на заседании, следующем за повышением ставки до 21% в
# октябре 2024 года», «перед внеочередным повышением в августе 2023 года», «в первом решении после того, как
# ЦБ снизил ставку до 4,25%», "the meeting after the hike to 21%", «21 пайызға көтергеннен кейінгі отырыста»).
EVENT = rf"(?:{SERIES_NOUN}|(?:повышени|снижени|сохранени|пик|hike|cut|increase|rise|raise|reduction)\w*)"
ANCHORED_NEXT = re.compile(
    r"\b(?:следующ|последовавш|последовал)\w*\s+(?:за|после)\b|"
    rf"\b{SERIES_NOUN}\s+(?:сразу\s+)?после\s+(?:\w+\s+)?{EVENT}|"
    rf"\b(?:next|following)\s+(?:{SERIES_NOUN}\s+)?after\b|\b{SERIES_NOUN}\s+(?:right\s+)?after\s+(?:the|its)\b|"
    r"\w+(?:ннен|нен|тен|ден|дан|тан)\s+кейінгі\b")
ANCHORED_PREVIOUS = re.compile(
    rf"\bпредшествова\w*|\bперед\s+(?:\w+\s+)?{EVENT}|\bдо\s+того,?\s+как\b|"
    rf"\b(?:before|preceding|prior\s+to)\s+(?:the\s+|its\s+)?(?:\w+\s+)?{EVENT}|"
    r"\w+\s+алдындағы\b|\w+(?:ға|ге|қа|ке)\s+дейінгі\b|\w+(?:нан|нен|дан|ден|тан|тен)\s+бұрынғы\b")
FIRST_OF = re.compile(rf"\bперв\w*\s+(?:\w+\s+)?{SERIES_NOUN}")
# (Not «в первый раз», "the first time": the first time something happened.)
RELEASE_NOUN = (r"(?:заседани|решени|релиз|пресс-релиз|сообщени|разговор|встреч|совещани|meeting|decision|release|"
                r"call|statement|отырыс|шешім)\w*")
SECOND = re.compile(r"\bвтор\w*|\bsecond\b|\bекінші\w*")
ORDINAL_RELEASE = re.compile(rf"\b(?:перв\w*|последн\w*|first|last|final|алғашқы|соңғы)\s+(?:\w+\s+){{0,2}}{RELEASE_NOUN}")
ANCHORED_AFTER = re.compile(r"\bпосле\b|\bafter\b|\bкейін\w*")


@dataclass(frozen=True)
class Turn:
    direction: str  # "next", "previous", "first_after" or "since"
    predicate: str = ""  # for "first_after": "cut", "raise" or "keep" ("" for the first later release)


def read_turn(question: str) -> Turn | None:
    """The relative turn a question makes along the series of the release being discussed, if any."""
    text = normalise(question)
    if FIRST.search(text) and AFTER.search(text):
        return Turn("first_after", next((name for name, pattern in PREDICATES.items() if pattern.search(text)), ""))
    if SINCE.search(text):
        return Turn("since")
    if NEXT.search(text) and not SCHEDULED.search(text):
        return Turn("next")
    if PREVIOUS.search(text):
        return Turn("previous")
    return None


def read_anchored_turn(question: str) -> tuple[Turn, str] | None:
    """The turn a question makes from an event it names itself (a release its dates and words point to), and
    the question without the words naming that event: what is asked of the release turned to. The first one
    after it («впервые снизил ставку после пика в 20%»: a cut, said before «после»; «в первом решении после
    того, как … снизил» asks the first release, whatever it decided), the next or the previous."""
    text = normalise(question)
    if (FIRST.search(text) or FIRST_OF.search(text)) and (after := ANCHORED_AFTER.search(text)):
        before = text[: after.start()]
        turn = Turn("first_after", next((name for name, pattern in PREDICATES.items() if pattern.search(before)), ""))
        return turn, _asked(question, after)
    if (found := ANCHORED_NEXT.search(text)) and not SCHEDULED.search(text):
        return Turn("next"), _asked(question, found)
    if found := ANCHORED_PREVIOUS.search(text):
        return Turn("previous"), _asked(question, found)
    return None


def first_or_last(question: str) -> str | None:
    """«в первом решении 2019 года», "the last release of 2024", «2020 жылғы алғашқы шешімде»: "first" or "last"
    of the releases of the period the question names."""
    text = normalise(question)
    if SECOND.search(text):
        return None  # «в первом разговоре … и во втором»: two events the question tells apart
    if found := ORDINAL_RELEASE.search(text):
        return "first" if found.group().startswith(("перв", "first", "алғаш")) else "last"
    return None


def _asked(question: str, turn: re.Match) -> str:
    """The words before the turn (after it, in Kazakh, whose postpositions follow the event they place)."""
    if turn.group().rstrip().endswith(("кейінгі", "алдындағы", "дейінгі", "бұрынғы")):
        return question[turn.end() :].strip()
    return question[: turn.start()].rstrip(" ,") + "?"


def without_turn(question: str) -> str:
    """The question without its turn words («с тех пор», «на следующем заседании»): what remains names what is asked."""
    text = normalise(question)
    for pattern in (FIRST, AFTER, SINCE, NEXT, PREVIOUS):
        text = pattern.sub(" ", text)
    return text


def asks_change(question: str) -> bool:
    """«Как менялась ключевая ставка в 2022 году?», «динамика инфляции», "how did the key rate change"."""
    return CHANGE.search(normalise(question)) is not None


def asked_quantity(question: str) -> str:
    """The words naming what a change question asks about («ключевая ставка»), or "" when it says none."""
    match = QUANTITY.search(normalise(question))
    return (match["quantity"] or match["english"] or "").strip() if match else ""


def decision(title: str, text: str) -> str:
    """What a release decided ("cut", "raise", "keep" or ""), read from its title and the start of its text."""
    match = DECISION.search(normalise(f"{title}. {text[:LEAD_CHARS]}"))
    return next((name for name, value in match.groupdict().items() if value), "") if match else ""
