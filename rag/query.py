"""From a user's question (and the conversation so far) to what retrieval searches for.

Reads date expressions ("28 февраля 2022 года", "в июле 2023 года", "весной 2025", "в 2014 году",
"с января по март 2024"), the language, and merges a follow-up question with the one it follows.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from dataclasses import dataclass, field

from rag.kazakh import to_russian as kazakh_to_russian
from rag.text import detect_language, normalise, query_terms, terms
from rag.translate import to_russian
from rag.turns import read_turn

MONTHS = {
    1: r"январ\w*|january|jan|қаңтар\w*", 2: r"феврал\w*|february|feb|ақпан\w*", 3: r"март\w*|march|наурыз\w*",
    4: r"апрел\w*|april|apr|сәуір\w*", 5: r"ма[йяею]|майск\w*|may|мамыр\w*", 6: r"июн[ьяюе]\w*|june|маусым\w*",
    7: r"июл[ьяюе]\w*|july|шілде\w*", 8: r"август\w*|august|aug|тамыз\w*", 9: r"сентябр\w*|september|sept?|қыркүйек\w*",
    10: r"октябр\w*|october|oct|қазан\w*", 11: r"ноябр\w*|november|nov|қараша\w*", 12: r"декабр\w*|december|dec|желтоқсан\w*",
}
MONTH_ALTERNATION = "|".join(f"(?P<m{n}>{pattern})" for n, pattern in MONTHS.items())
MONTH = rf"(?:{MONTH_ALTERNATION})"
DECADE = r"(?!\s*-?\s*(?:х|е|ых|ые|s)\b)"  # «1990-х», «2000-е», «1990s» name decades, not years
YEAR = rf"(?P<year>(?:19|20)\d\d)(?:-(?:го|м|му|й|ом)\b)?{DECADE}"
NUMBER_ENDING = re.compile(r"(?<=\d)-(?:го|му|м|й|ом|х|е|ых|ые|ти|ми)\b")
SEASONS = {r"зим\w*|winter|қыс\w*": (12, 2), r"весн\w*|весной|spring|көктем\w*": (3, 5),
           r"лет(?:ом|о|а)|summer|жаз\w*": (6, 8), r"осен\w*|autumn|fall|күз\w*": (9, 11)}

DAY_DATE = re.compile(rf"\b(?P<day>[0-3]?\d)\s+{MONTH}\s+{YEAR}")
ENGLISH_DAY_DATE = re.compile(rf"\b{MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+{YEAR}")
# A part of a month: its first or last day, its start, middle or end («в последний день февраля 2022 года», "late
# March 2025"), as days (first, last; 0 for the month's last).
MONTH_PARTS = {r"(?:последн\w*|заключительн\w*)\s+(?:день|дня|числ\w*)|last\s+day\s+of": (0, 0),
               r"перв\w*\s+(?:день|дня|числ\w*)|first\s+day\s+of": (1, 1),
               r"перв\w*\s+половин\w*|the\s+first\s+half\s+of": (1, 15),
               r"втор\w*\s+половин\w*|the\s+second\s+half\s+of": (16, 0),
               r"начал\w*|перв\w*\s+(?:дни|декад\w*)|early|the\s+start\s+of|the\s+beginning\s+of": (1, 10),
               r"середин\w*|mid|the\s+middle\s+of": (10, 20),
               r"конц\w*|конец|последн\w*\s+(?:дни|декад\w*)|late|the\s+end\s+of": (20, 0)}
# Only a time something happened in («в конце февраля»): «по оценке на начало сентября», «к концу марта» name a
# day a figure is of, which a later release gives.
MONTH_PART_DATE = re.compile(rf"\b(?:в|во|in|on|at)\s+(?:(?:самом|самый|самые|the\s+very)\s+)?"
                             rf"(?P<part>{'|'.join(MONTH_PARTS)})[\s-]+{MONTH},?\s+{YEAR}")
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
KAZAKH_DAY_DATE = re.compile(rf"{YEAR}\s+жыл\w*\s+(?P<day>[0-3]?\d)\s+{MONTH}")
KAZAKH_MONTH_DATE = re.compile(rf"{YEAR}\s+жыл\w*\s+{MONTH}")
# «2015 жылғы наурыз бен желтоқсан аралығында», «2021 жылғы наурыздан желтоқсанға дейін»: from one month to another.
KAZAKH_MONTH_RANGE = re.compile(rf"{YEAR}\s+жыл\w*\s+(?P<first>[^\W\d_]+)\s+(?:(?:бен|мен|пен|және)\s+)?"
                                r"(?P<last>[^\W\d_]+)\s+(?:аралығ\w*|дейін)")
BARE_MONTH = re.compile(rf"\b(?:в|во|а|и|in|about|and)\s+{MONTH}\b")
NUMERIC_DATE = re.compile(r"\b(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d\d)\b")
MONTH_RANGE = re.compile(
    r"\b(?:с|from)\s+(?:(?P<d1>[0-3]?\d)\s+)?(?P<first>[^\W\d_]+)(?:\s+(?P<y1>(?:19|20)\d\d))?(?:\s+г(?:ода|\.))?"
    rf"\s+(?:по|до|to)\s+(?:(?P<d2>[0-3]?\d)\s+)?(?P<last>[^\W\d_]+)\s+{YEAR}")
# Separators need their spaces: an optional one between words that may end in \w* backtracks exponentially.
LIST_SEPARATOR = r"(?:\s*,\s*|\s*[-–—]\s*|\s+(?:и|and)\s+|\s+)"
ANY_MONTH = "(?:" + "|".join(MONTHS.values()) + ")"
# «на декабрьском заседании 2024 года», «июльское решение 2023-го»: a month named by its adjective.
MONTH_ADJECTIVE = re.compile(r"\b(?:январ|феврал|март|апрел|май|июн|июл|август|сентябр|октябр|ноябр|декабр)(?:ь|ов)?ск\w*")
MONTH_ADJECTIVE_DATE = re.compile(rf"(?P<month>{MONTH_ADJECTIVE.pattern})\s+(?:[^\W\d_]+(?:-[^\W\d_]+)*\s+){{1,3}}{YEAR}")
MONTH_LIST = re.compile(rf"\b(?P<months>{ANY_MONTH}(?:{LIST_SEPARATOR}{ANY_MONTH})*)\s+(?:of\s+)?{YEAR}")
SEASON = "|".join(SEASONS)
# «зимой 2023-2024 годов» is the winter that ends in 2024.
SEASON_DATE = re.compile(rf"\b(?P<season>{SEASON})\s+(?:of\s+)?(?:(?:19|20)\d\d\s*[-–—/]\s*)?{YEAR}")
SEASON_LIST = re.compile(rf"\b(?P<seasons>(?:{SEASON})(?:{LIST_SEPARATOR}(?:{SEASON}))+)\s+(?:of\s+)?{YEAR}")
# Parts of a year, as months: «в начале 2015 года», «в конце 2014-го», «во втором квартале 2024», «mid-2024».
YEAR_PARTS = {
    r"начал\w*|early|beginning": (1, 3), r"середин\w*|mid|middle": (5, 8), r"кон(?:ец|ца|це)|late|end": (10, 12),
    r"перв\w+\s+квартал\w*|first\s+quarter": (1, 3), r"втор\w+\s+квартал\w*|second\s+quarter": (4, 6),
    r"трет\w+\s+квартал\w*|third\s+quarter": (7, 9), r"четверт\w+\s+квартал\w*|fourth\s+quarter": (10, 12),
    r"перв\w+\s+половин\w*|first\s+half": (1, 6), r"втор\w+\s+половин\w*|second\s+half": (7, 12),
}
YEAR_PART = re.compile(rf"(?:\b(?P<before>\w+)\s+(?:the\s+)?)?\b(?P<part>{'|'.join(YEAR_PARTS)})(?:\s+of|-)?\s*{YEAR}")
# A part of a year after these names a target, a deadline or a starting point, not a period to search.
NOT_A_PERIOD = {"на", "до", "к", "с", "со", "by", "until", "till", "before", "since", "from"}
YEAR_RANGE = re.compile(rf"\b(?P<first>(?:19|20)\d\d)\s*(?:[-–—]|по|to|until)\s*{YEAR}")
YEAR_ONLY = re.compile(rf"\b(?:в|во|за|in|of|в\s+течение|на\s+протяжении|during|throughout)\s+{YEAR}"
                       rf"(?:\s*(?:году|года|г\.|год|-м|-го)|\b)")
KAZAKH_YEAR_ONLY = re.compile(rf"\b{YEAR}\s+жыл(?:ы|\s+бойы)\b")  # «2021 жылы», «2021 жыл бойы»: in, during 2021
# A year, not a quantity («свыше 1900 градусов»): named as one («2003 года», «в 2022») or beside another year.
ANY_YEAR = re.compile(
    rf"(?:\b(?:в|во|с|со|до|по|к|на|за|от|in|of|since|by|from|until|between|and|for|during|through|after|before|и)\s+|[-–—]\s*)"
    rf"(?P<named>(?:19|20)\d\d)(?![\d,.]\d){DECADE}|\b(?P<dated>(?:19|20)\d\d){DECADE}(?=\s*(?:[-–—]|год|г\.|гг\.|жыл|'s))")

# A question about the present value of something that changes: no date, and words for "now" or "latest".
LATEST = re.compile(r"\b(сейчас|текущ\w*|на сегодня\w*|на данный момент|в настоящее время|последн\w*|(?:сам\w+\s+)?свеж\w*|"
                    r"currently|current|latest|most recent|newest|now|қазір|қазіргі|соңғы)\b")

# «по словам губернатора, сейчас …»: "now" is when the one quoted spoke, not the newest release.
ATTRIBUTED = re.compile(r"\b(по\s+словам|по\s+мнению|по\s+оценке|как\s+(?:сказал|заявил|рассказал|сообщил|отметил)\w*|"
                        r"according\s+to|\w*айтуынша|\w*сөзінше|\w*пікірінше)\b")

FOLLOWUP_MARKERS = {
    "он", "она", "оно", "они", "его", "ее", "их", "ему", "ей", "им", "него", "нее", "них", "там", "тогда",
    "этот", "эта", "это", "эти", "этого", "этой", "этом", "этих", "этим", "тот", "та", "те", "такой",
    "той", "том", "тех", "ним", "ней", "it", "they", "them", "that", "this", "there", "then",
}


@dataclass(frozen=True)
class DateRange:
    start: int
    end: int

    @property
    def whole_years(self) -> bool:
        """A bare year ("в 2000 году") often names when something happened, not when it was published."""
        return self.start % 10000 == 101 and self.end % 10000 == 1231

    @classmethod
    def of(cls, year: int, first_month: int, last_month: int, first_day: int = 1, last_day: int | None = None):
        last_year = year
        if first_month > last_month:  # winter: December of the year before
            year -= 1
        last_day = last_day or calendar.monthrange(last_year, last_month)[1]
        return cls(year * 10000 + first_month * 100 + first_day, last_year * 10000 + last_month * 100 + last_day)


@dataclass
class Query:
    question: str
    search_text: str
    terms: list[str]
    language: str
    dates: DateRange | None = None
    used_history: list[str] = field(default_factory=list)
    content_terms: list[str] = field(default_factory=list)
    # Every year the question names ("в 2022 году", "референдум 2003 года", "итоги 2025 года").
    years: tuple[int, ...] = ()
    latest: bool = False  # «какая сейчас ключевая ставка?»: the newest release that holds it answers
    about: str = ""  # said before the answer: which release a time word of the question points to (rag.temporal)
    # Two periods or more, each its own («в феврале 2022 года и в октябре 2024 года»): a release of any answers.
    periods: tuple[DateRange, ...] = ()


def _month(match: re.Match) -> int:
    return next(n for n in MONTHS if match.groupdict().get(f"m{n}"))


def month_of(word: str) -> int | None:
    for number, pattern in MONTHS.items():
        if re.fullmatch(pattern, word):
            return number
    return None


MONTH_NAME = re.compile(
    r"(январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)(ь|я|е|ю|ем)|(март|август)(а|е|у|ом)?|ма(й|я|е|ю|ем)|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    # Kazakh months with their endings; not «қазан» (October), which is also Kazan, a city.
    r"(қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қараша|желтоқсан)\w*")


def is_month(word: str) -> bool:
    """«March», «марте»: a month's name is a date, not a name the question asks about."""
    return MONTH_NAME.fullmatch(normalise(word)) is not None


# «по оценке на 17 июля», «по состоянию на 1 апреля», "as of May 20": the day a figure describes, which a
# release gives days or weeks later. Such a day is searched among releases published from it on.
AS_OF = re.compile(r"(?:по\s+(?:оценке|состоянию|данным)(?:\s+[^\W\d_]+){0,3}\s+на|as\s+of|as\s+estimated\s+on)\s+$")
AS_OF_DAYS = 45


def parse_dates(question: str) -> DateRange | None:
    found = _find_date(question)
    if not found:
        return None
    dates, (start, _) = found
    if dates.start == dates.end and AS_OF.search(normalise(question)[:start]):
        after = date(dates.start // 10000, dates.start // 100 % 100, dates.start % 100) + timedelta(days=AS_OF_DAYS)
        return DateRange(dates.start, int(after.strftime("%Y%m%d")))
    return dates


def asked_day(question: str) -> int | None:
    """The day (YYYYMMDD) a question names, when it names one day."""
    found = _find_date(question)
    return found[0].start if found and found[0].start == found[0].end else None


def date_span(question: str) -> DateRange | None:
    """From the first to the last day of every date the question names: «от решения в июле 2023 года до
    решения в сентябре 2023 года» is July to September; months named without a year («за 2017 год — от
    решения в марте до решения в декабре») are months of the year named."""
    found, text = _every_date(question)
    if not found:
        return None
    start, end = min(d.start for d in found), max(d.end for d in found)
    # «между июльским и октябрьским решениями 2023 года», «от апрельского до октябрьского решения»
    named = sorted({m for word in MONTH_ADJECTIVE.findall(normalise(question)) if (m := month_of(word))})
    if len(named) > 1 and start // 10000 == end // 10000:
        return DateRange.of(start // 10000, named[0], named[-1])
    months = sorted(_month(m) for m in BARE_MONTH.finditer(normalise(text)))
    if months and start // 10000 == end // 10000 and DateRange(start, end).whole_years:
        return DateRange.of(start // 10000, months[0], months[-1])
    return DateRange(start, end)


def separate_periods(question: str) -> tuple[DateRange, ...]:
    """The periods a question names one by one, when it names more than one that do not overlap («в июле и в
    октябре 2024 года»: a month without its year is of the year named beside it)."""
    found, text = _every_date(question)
    if len(found) == 1 and not found[0].whole_years:
        year = found[0].end // 10000
        found += [DateRange.of(year, _month(m), _month(m)) for m in BARE_MONTH.finditer(normalise(text))]
    found = sorted(set(found), key=lambda d: d.start)
    apart = all(a.end < b.start for a, b in zip(found, found[1:]))
    return tuple(found) if len(found) > 1 and apart else ()


def lists_months(question: str) -> bool:
    """Whether a question names months one by one («в марте и апреле 2025 года»), each maybe of its own
    release, though together they make one period."""
    listed = MONTH_LIST.search(normalise(question))
    return listed is not None and sum(month_of(w) is not None for w in re.findall(r"[^\W\d_]+", listed["months"])) > 1


def dateless(question: str) -> str:
    """The question with every date it names blanked out, months without a year too («в марте»)."""
    return BARE_MONTH.sub(" ", normalise(_every_date(question)[1]))


def _every_date(question: str) -> tuple[list[DateRange], str]:
    """Every date expression of the question, and the question with them blanked out."""
    text, found = question, []
    while (date := _find_date(text)) is not None:
        found.append(date[0])
        text = text[: date[1][0]] + " " * (date[1][1] - date[1][0]) + text[date[1][1] :]
    return found, text


def without_dates(question: str) -> str:
    """The question with its date expression cut out: dates are matched by publication date, not by words; and
    the endings of numbers read out («2024-го», «2030-му», «1990-х»), which are no words of it."""
    found = _find_date(question)
    cut = question if not found else question[: found[1][0]] + " " + question[found[1][1] :]
    return NUMBER_ENDING.sub("", cut)


def _find_date(question: str) -> tuple[DateRange, tuple[int, int]] | None:
    text = normalise(question)
    for pattern in (NUMERIC_DATE, ISO_DATE):
        if match := pattern.search(text):
            day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
            if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
                return DateRange.of(year, month, month, day, day), match.span()
    if (match := MONTH_RANGE.search(text)) and (found := _range(match)):
        return found, match.span()
    if (match := KAZAKH_MONTH_RANGE.search(text)) and (first := month_of(match["first"])) \
            and (last := month_of(match["last"])) and first <= last:
        return DateRange.of(int(match["year"]), first, last), match.span()
    if match := DAY_DATE.search(text) or KAZAKH_DAY_DATE.search(text) or ENGLISH_DAY_DATE.search(text):
        year, month, day = int(match["year"]), _month(match), int(match["day"])
        if 1 <= day <= calendar.monthrange(year, month)[1]:
            return DateRange.of(year, month, month, day, day), match.span()
    if match := MONTH_PART_DATE.search(text):
        year, month = int(match["year"]), _month(match)
        first, last = next(days for pattern, days in MONTH_PARTS.items() if re.fullmatch(pattern, match["part"]))
        month_end = calendar.monthrange(year, month)[1]
        return DateRange.of(year, month, month, first or month_end, last or month_end), match.span()
    if match := KAZAKH_MONTH_DATE.search(text):
        return DateRange.of(int(match["year"]), _month(match), _month(match)), match.span()
    if match := MONTH_LIST.search(text):
        months = [m for w in re.findall(r"[^\W\d_]+", match["months"]) if (m := month_of(w))]
        if months:
            return DateRange.of(int(match["year"]), min(months), max(months)), match.span()
    if (match := MONTH_ADJECTIVE_DATE.search(text)) and (month := month_of(match["month"])):
        return DateRange.of(int(match["year"]), month, month), match.span()
    if match := SEASON_LIST.search(text):
        return _seasons(match), match.span()
    if match := SEASON_DATE.search(text):
        first, last = next(span for pattern, span in SEASONS.items() if re.fullmatch(pattern, match["season"]))
        return DateRange.of(int(match["year"]), first, last), match.span()
    for match in YEAR_PART.finditer(text):
        if match["before"] in NOT_A_PERIOD:
            continue
        first, last = next(span for pattern, span in YEAR_PARTS.items() if re.fullmatch(pattern, match["part"]))
        return DateRange.of(int(match["year"]), first, last), (match.start("part"), match.end())
    if (match := YEAR_RANGE.search(text)) and int(match["first"]) <= int(match["year"]):
        return DateRange(int(match["first"]) * 10000 + 101, int(match["year"]) * 10000 + 1231), match.span()
    if match := YEAR_ONLY.search(text) or KAZAKH_YEAR_ONLY.search(text):
        return DateRange.of(int(match["year"]), 1, 12), match.span()
    return None


def _seasons(match: re.Match) -> DateRange:
    """«осенью и зимой 2024 года»: from the first season to the last, the winter being the one that follows."""
    spans = [next(span for pattern, span in SEASONS.items() if re.fullmatch(pattern, word))
             for word in re.findall(SEASON, match["seasons"])]
    year = int(match["year"])
    start = DateRange.of(year, *spans[0]).start
    last_month = spans[-1][1]
    end_year = year + 1 if spans[-1][0] > last_month else year
    return DateRange(start, DateRange.of(end_year, last_month, last_month).end)


def _range(match: re.Match) -> DateRange | None:
    """«с января по март 2024», «с 1 января по 31 марта 2024 года», «с декабря 2023 по февраль 2024»."""
    first, last = month_of(match["first"]), month_of(match["last"])
    if not (first and last):
        return None
    end_year = int(match["year"])
    start_year = int(match["y1"]) if match["y1"] else end_year - (first > last)
    try:
        start = date(start_year, first, int(match["d1"] or 1))
        end = date(end_year, last, int(match["d2"] or calendar.monthrange(end_year, last)[1]))
    except ValueError:
        return None
    if start > end:
        return None
    return DateRange(int(start.strftime("%Y%m%d")), int(end.strftime("%Y%m%d")))


def _same_year(question: str, earlier: DateRange) -> DateRange | None:
    """A follow-up naming a month without a year ("а в марте?") means that month in the earlier year."""
    match = BARE_MONTH.search(normalise(question))
    return DateRange.of(earlier.end // 10000, _month(match), _month(match)) if match else None


def _dates_through(turns: list[str]) -> DateRange | None:
    """The period the last question means, read turn by turn: a follow-up keeps the period before it, or
    moves it to the month it names ("а в сентябре?"); a question of its own starts afresh."""
    current: DateRange | None = None
    for turn in turns:
        own = parse_dates(turn)
        if own:
            current = own
        elif current and is_followup(turn):
            current = _same_year(turn, current) or current
        else:
            current = None
    return current


def is_followup(question: str) -> bool:
    lowered = normalise(question).strip()
    tokens = re.findall(r"[^\W\d_]+", lowered)
    if lowered.startswith(("а ", "и ", "and ", "what about", "а что", "ал ")) or read_turn(question) is not None:
        return True
    return any(t in FOLLOWUP_MARKERS for t in tokens) or len(terms(question)) < 2


def build_query(question: str, history: list[str] | None = None, continuing: bool = False) -> Query:
    """History is the user's earlier questions, oldest first. `continuing`: the question is a later part of
    one the user asked (rag.answering.parts), a follow-up whatever its words."""
    history = [h for h in (history or []) if h and h.strip()]
    used: list[str] = []
    if history and (continuing or is_followup(question)):
        used = history[-2:] if is_followup(history[-1]) and len(history) > 1 else history[-1:]
    dates = _dates_through([*history, question]) if used else parse_dates(question)
    *earlier, current = [searchable(text) for text in [*used, question]]
    current_terms = query_terms(current)
    earlier_terms = [t for text in earlier for t in query_terms(text)]
    return Query(
        question=question,
        search_text=" ".join([*earlier, current]),
        # The current question's words count twice: it says what is asked now.
        terms=current_terms * 2 + earlier_terms,
        language=detect_language(question),
        dates=dates,
        used_history=used,
        content_terms=[t for text in [*used, question] for t in query_terms(searchable(without_dates(text)))],
        years=named_years(question) or tuple(y for text in used for y in named_years(text)),
        latest=dates is None and LATEST.search(normalise(question)) is not None
        and ATTRIBUTED.search(normalise(question)) is None,
        periods=() if used else separate_periods(question),
    )


def searchable(text: str) -> str:
    """The text as the Russian corpus can be searched with it: English and Kazakh are rendered in the
    Russian words of their glossaries, names transliterated or folded («Қырғызстанға» → кыргызстан)."""
    language = detect_language(text)
    if language == "en":
        return to_russian(text)
    if language == "kk":
        return kazakh_to_russian(text)
    return text


def named_years(text: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(m["named"] or m["dated"]) for m in ANY_YEAR.finditer(normalise(text))))
