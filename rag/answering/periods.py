"""Whether a passage is of the time a question asks about, and whether a sentence says that time.

A day, month or season is answered by releases published in it; a year also by later releases that name it
(digits, or «в прошлом году» counted from their own date), and then only in the sentences that name it; a
release published before every year asked can only forecast it.
"""

from __future__ import annotations

import re

from rag.answering.question import Question
from rag.query import DateRange, Query
from rag.retrieval import Passage
from rag.text import normalise

GENITIVE_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                   "ноября", "декабря")
# Years a release names counting from its own.
RELATIVE_YEARS = ((r"\b(?:прошл|минувш|предыдущ)\w*\s+год", -1), (r"\bпозапрошл\w*\s+год", -2),
                  (r"\b(?:эт|текущ|нынешн)\w*\s+год", 0), (r"\b(?:следующ|будущ|предстоящ)\w*\s+год", 1))


def before_the_years(question: Question, passage: Passage) -> bool:
    """Whether a release was published before every year a question asks what happened in: it can speak of
    them only as plans and forecasts («по итогам 2025 года» from a release of 2024)."""
    query = question.query
    if not query.years or not whole_years(query) or query.periods or question.looks_ahead or not passage.date:
        return False
    # «к 2029 году», «до 2030 года», «с 2026 года», «2030 жылға дейін», «2026 жылдан бастап»: a deadline or a
    # start is set ahead of its year.
    years = "|".join(map(str, query.years))
    deadline = re.search(rf"\b(?:к|до|с|со|by|until|from|starting)\s+(?:\w+\s+)?(?:{years})\b|"
                         rf"\b(?:{years})\s+(?:жылға\s+(?:дейін|қарай)|жылдан)", normalise(query.question))
    return deadline is None and all(int(passage.date[:4]) < year for year in query.years)


# «на 9 процентов меньше, чем в 2023 году», «по сравнению с 2023 годом», «плюс 27 процентов к 2019 году», «к
# уровню 2019 года»: a year a figure is compared with, whose own figure the sentence does not give.
COMPARED = re.compile(r"(?:\bчем|сравнению\s+с|сравнении\s+с|\bпротив|относительно|than|compared\s+(?:to|with)|"
                      r"(?:%|\bпроцент\w*|\bплюс|\bминус|\bраза?)\s+к|\bк\s+уровн\w*)"
                      r"(?:\s+[^\W\d_]+){0,2}\s+$")


# A sentence naming a time of its own («сейчас», «в этом году», «за время проекта», a year) is not of the year
# the one before names.
OWN_TIME = re.compile(r"\b(?:19|20)\d\d\b|\b(?:сейчас|сегодня\w*|теперь|ныне\w*|нынешн\w*|текущ\w+|"
                      r"(?:этом|прошлом|следующем)\s+году|за\s+(?:всё\s+|все\s+)?(?:время|годы|период)|"
                      r"за\s+(?:последние|эти|прошедшие)\s+\w+)\b")


def said_of_the_year(query: Query, passage: Passage, sentence: str, before: str = "") -> bool:
    """Whether a sentence is of the year asked: it names it, or the sentence just before it does and it names
    no time of its own («Тверской завод в 2019 году был на грани закрытия. На заводе работало 40
    человек.»)."""
    return says_the_year(query, passage, sentence) or (
        bool(before) and not OWN_TIME.search(normalise(sentence)) and says_the_year(query, passage, f"{before} {sentence}"))


def says_the_year(query: Query, passage: Passage, text: str) -> bool:
    """A release of another year than the one asked speaks of it only in sentences that name it (a release
    of 2024 with a forecast for 2025 does not give the results of 2025 in its other sentences): in digits,
    or as a year counted from the release's («в прошлом году» of a release of 2025 is 2024). So does a later
    release recalling a part of a year («в конце предыдущего года»)."""
    if query.periods and passage.date:
        # «в 2023 году, судя по докладу в феврале 2025-го»: the year is the figure's, the month the release's
        years = {period.start // 10000 for period in query.periods if period.whole_years}
        mixed = years and len(years) < len(query.periods) and int(passage.date[:4]) not in years
        return not mixed or names_a_year(years, passage, text)
    if not query.years or not passage.date:
        return True
    if whole_years(query):
        return _published_in_asked_year(query, passage) or _names_asked_year(query, passage, text)
    return not _recalls_part_of_year(query, passage) or _names_asked_year(query, passage, text)


def whole_years(query: Query) -> bool:
    return query.dates is None or query.dates.whole_years


def _published_in_asked_year(query: Query, passage: Passage) -> bool:
    return passage.date[:4] in {str(y) for y in query.years}


def _recalls_part_of_year(query: Query, passage: Passage) -> bool:
    """Whether a passage is of a release published after the part of a year asked (a season, «конец
    года»; not a month or a day, which a release of their time reports)."""
    dates = query.dates
    several_months = dates is not None and dates.start // 10000 == dates.end // 10000 \
        and dates.end // 100 % 100 > dates.start // 100 % 100
    return several_months and bool(passage.date) and not _inside(passage.date, dates) \
        and int(passage.date.replace("-", "")) > dates.end


def _names_asked_year(query: Query, passage: Passage, text: str) -> bool:
    """Whether the text names a year the question asks, in digits or counted from its release's year."""
    return names_a_year(set(query.years), passage, text)


def names_a_year(years: set[int], passage: Passage, text: str) -> bool:
    normalised = normalise(text)
    named = {int(m.group(1)) for m in re.finditer(r"(?<!\d)((?:19|20)\d\d)(?!\d)", normalised)
             if not COMPARED.search(normalised[max(0, m.start() - 30) : m.start()])}
    # «в 99-м», «к 98-му году»: a year of the century spoken of
    named |= {(1900 if int(y) > 30 else 2000) + int(y)
              for y in re.findall(r"(?<![\d,.])(\d\d)-(?:м|му|го|ом)\b", normalised)}
    if passage.date:
        published = int(passage.date[:4])
        named |= {published + shift for pattern, shift in RELATIVE_YEARS if re.search(pattern, normalised)}
    return bool(named & years)


def in_period(passage: Passage, query: Query, document_terms: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a passage is from the time the question names. A day, month or season must hold its
    publication date (a day may also be recalled by a release of that year); a year may be the year it was
    published or one its release mentions anywhere (a release of 2025 reports the results of 2024 — the
    sentence quoted must then name it: `says_the_year`)."""
    if query.periods:
        return any(_inside(passage.date, period) for period in query.periods)
    if query.dates and not query.dates.whole_years:
        return _inside(passage.date, query.dates) or _mentions_day(passage, query) or _recalls_days(passage, query) or (
            _recalls_part_of_year(query, passage) and _names_asked_year(query, passage, passage.text))
    if query.years:
        return _published_in_asked_year(query, passage) or any(
            str(y) in passage.text or str(y) in passage.title or str(y) in document_terms for y in query.years) \
            or _names_asked_year(query, passage, passage.text)
    return True


def _mentions_day(passage: Passage, query: Query) -> bool:
    """A question about one day may be about an event a later release recalls: of that year by its day and
    month («11 сентября»), of a later year with its year too («1 марта 2000 года»; an earlier release naming
    the day announces it)."""
    if query.dates.start != query.dates.end:
        return False
    year, month, day = query.dates.start // 10000, query.dates.start // 100 % 100, query.dates.start % 100
    named = re.search(rf"(?<!\d){day}\s+{GENITIVE_MONTHS[month - 1]}(\s+{year}\b)?", normalise(passage.text))
    return named is not None and (passage.date[:4] == str(year) or named.group(1) is not None
                                  and int(passage.date.replace("-", "")) > query.dates.end)


def _recalls_days(passage: Passage, query: Query) -> bool:
    """A question about part of a month may be about an event a later release of that year recalls by its days
    («прошедшей в Ташкенте 28–30 апреля выставки» in a release of 3 May, for «в конце апреля»)."""
    start, end = query.dates.start, query.dates.end
    if start == end or start // 100 != end // 100 or not passage.date or int(passage.date.replace("-", "")) <= end \
            or passage.date[:4] != str(start // 10000):
        return False
    month = GENITIVE_MONTHS[start // 100 % 100 - 1]
    days = re.findall(rf"(?<![\d,.])(\d{{1,2}})(?:\s*[–—-]\s*\d{{1,2}})?\s+{month}(?!\s+\d{{4}})", normalise(passage.text))
    return any(start % 100 <= int(day) <= end % 100 for day in days)


def within(passage: Passage, period: DateRange) -> bool:
    """Whether a passage was published in the period."""
    return _inside(passage.date, period)


def _inside(iso_date: str, period: DateRange) -> bool:
    number = int(iso_date.replace("-", "")) if iso_date else 0
    return period.start <= number <= period.end
