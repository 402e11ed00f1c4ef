"""Time in a question, read against the index: which release of which series answers it.

- A relative turn («на следующем заседании», «а до этого?», «впервые после этого снизили», «с тех пор»;
  `rag.turns`) is resolved against the release the conversation is about (the one the answer to the
  earlier question cites), within its series (`rag.series`): the next or previous release, the first later
  one whose decision matches («снизили» on each later release in order), or the period since.
- "How did X change" gets the releases of the series of the best match within the period the question
  names (from its first to its last date), in date order: the timeline (`rag.answering.timeline`).
- The newest value: «сейчас», «последнее решение», or a question with no date that asks for a value the
  releases of one series all give (nothing in it singles out one of them: each of its words other than its
  verbs is in `COMMON_SHARE` of the series' releases): the newest release of the series that matches.
- A value on a day: the release of the series of that day, or one of the following weeks that names the day
  («по оценке на 17 июля»); when none does, the value in force, set by the newest release of the series
  published on or before that day that gives the value (a postponed decision sets none).

The result is a `Plan`: the query (its period moved to the release meant, and what to say before the
answer), hard filters restricted to that release, and the releases of a timeline.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Callable

from rag.answering.expected import expected_answer
from rag.answering.names import in_russian
from rag.answering.question import read_question
from rag.answering.timeline import value_of
from rag.query import AS_OF_DAYS, MONTHS, DateRange, Query, asked_day, build_query, date_span, dateless, searchable
from rag.retrieval import Filters
from rag.series import Catalogue, Release, after, before, within
from rag.store.index import Index
from rag.text import normalise, query_terms, terms
from rag.turns import (Turn, asked_quantity, asks_change, decision, first_or_last, read_anchored_turn, read_turn,
                       without_turn)

MIN_SERIES = 4  # fewer releases do not make a value that changes over time
COMMON_SHARE = 0.8
LATEST_FLOOR = 0.3  # of the best match's words: what a newest release must share to hold the fact
VALUE_TYPES = ("number", "percent", "money")
# A rate stays in force until the next decision changes it; a measured value (inflation on a day) is not the last
# one a release reported before that day.
SET_BY_DECISION = ("ставк",)
WINDOW_CHECKED = 3  # releases of the following weeks that may name the day; earlier ones that may set the value
FEW_DAYS = 15  # a part of a month this short (its first days, its start) is asked of as of its first day
DOMINANT_OF = 10
TITLE_CHARS = 120
# Words that ask how a value changed, not which value: left out of the quantity a timeline reads.
CHANGE_STEMS = frozenset(terms("менялась менялся менялись изменялась изменялся изменилась изменился изменились "
                               "изменение изменения динамика динамики история истории"))
NOTES = {
    "ru": {"next": "Следующий релиз серии — от {date} («{title}»):",
           "first": "Первый релиз серии за этот период — от {date} («{title}»):",
           "last": "Последний релиз серии за этот период — от {date} («{title}»):",
           "previous": "Предыдущий релиз серии — от {date} («{title}»):",
           "first_after": "Первый после {anchor} релиз серии, где решение — {verb}, — от {date} («{title}»):",
           "none_after": "После релиза от {anchor} в индексе нет более позднего релиза этой серии{what}; "
                         "ответ — по релизу от {date}:",
           "none_before": "Более раннего, чем от {anchor}, релиза этой серии в индексе нет; "
                          "ответ — по релизу от {date}:",
           "in_force": "Значение на {day} — по последнему до этой даты релизу серии, который его называет, от {date}:",
           "verbs": {"cut": "снизить", "raise": "повысить", "keep": "сохранить"}},
    "en": {"next": "The next release of the series, of {date} (“{title}”):",
           "first": "The first release of the series in that period, of {date} (“{title}”):",
           "last": "The last release of the series in that period, of {date} (“{title}”):",
           "previous": "The previous release of the series, of {date} (“{title}”):",
           "first_after": "The first release of the series after {anchor} that decided to {verb}, "
                          "of {date} (“{title}”):",
           "none_after": "The index holds no later release of this series than that of {anchor}{what}; "
                         "answered from the release of {date}:",
           "none_before": "The index holds no earlier release of this series than that of {anchor}; "
                          "answered from the release of {date}:",
           "in_force": "In force on {day}: the latest release of the series before it that gives it, of {date}:",
           "verbs": {"cut": "cut", "raise": "raise", "keep": "keep the rate"}},
    "kk": {"next": "Серияның келесі релизі — {date} («{title}»):",
           "first": "Серияның осы кезеңдегі алғашқы релизі — {date} («{title}»):",
           "last": "Серияның осы кезеңдегі соңғы релизі — {date} («{title}»):",
           "previous": "Серияның алдыңғы релизі — {date} («{title}»):",
           "first_after": "{anchor} кейінгі шешімі «{verb}» болған алғашқы релиз — {date} («{title}»):",
           "none_after": "Индексте {anchor} релизінен кейінгі осы серияның релизі жоқ{what}; "
                         "жауап — {date} релизі бойынша:",
           "none_before": "Индексте {anchor} релизінен бұрынғы осы серияның релизі жоқ; жауап — {date} релизі бойынша:",
           "in_force": "{day} күнгі мән — серияның осы күнге дейін оны атаған соңғы релизі бойынша, {date}:",
           "verbs": {"cut": "төмендету", "raise": "көтеру", "keep": "сақтау"}},
}
WHAT = {"ru": " с решением «{verb}»", "en": " deciding to {verb}", "kk": " («{verb}» шешімімен)"}


@dataclass
class Plan:
    query: Query
    filters: Filters
    timeline: list[Release] = field(default_factory=list)
    quantity: tuple[str, ...] = ()  # the stems a timeline reads values of («ключев», «ставк»)


class Timekeeper:
    """Plans questions against one index; its catalogue of series follows the index's generation: built anew at
    once after this process wrote, and in a thread while the index follows another process's writes (about 2 s
    at 80k releases), the older one answering meanwhile (a release it names that was removed since is left out
    by the index; one added since is not in a series until then)."""

    def __init__(self, index: Index):
        self.index = index
        self._catalogue: tuple[int, Catalogue] | None = None
        self._starting = threading.Lock()
        self._builder: threading.Thread | None = None

    def catalogue(self) -> Catalogue:
        generation, current = self.index.generation, self._catalogue
        if current is not None and current[0] == generation:
            return current[1]
        with self._starting:
            if self._builder is not None:
                return current[1]
            if current is None or not self.index.following:
                self._catalogue = (generation, Catalogue(self.index.documents()))
                return self._catalogue[1]
            self._builder = threading.Thread(target=self._build, args=(generation,), daemon=True, name="catalogue")
            self._builder.start()
        return current[1]

    def _build(self, generation: int) -> None:
        try:
            with contextlib.closing(self.index.manifest.another()) as manifest:
                self._catalogue = (generation, Catalogue(manifest.documents()))
        finally:
            self._builder = None

    def plan(self, query: Query, filters: Filters, anchor: Callable[[], str | None]) -> Plan:
        """`anchor()`: the release the answer to the earlier question cites (asked only for a relative turn)."""
        turn = read_turn(query.question) if query.used_history else None
        if turn is not None:
            release = self.catalogue().releases.get(anchor() or "")
            # A release of no series («до этого» in «когда он до этого приезжал?» after a one-off visit): the
            # words are about its own text, and the question is answered as asked.
            if release is not None and len(self.catalogue().series(release.doc_id)) > 1:
                return self._along(query, filters, turn, release)
        if turn is None and query.dates is not None and (anchored := read_anchored_turn(query.question)) is not None:
            planned = self._from_named(query, filters, *anchored)
            if planned is not None:
                return planned
        if turn is None and (which := first_or_last(query.question)) is not None:
            planned = self._first_or_last(query, filters, which)
            if planned is not None:
                return planned
        if asks_change(query.question):
            planned = self._change(query, filters)
            if planned is not None:
                return planned
        if query.latest or self._timeless_value(query, filters):
            return self._newest(replace(query, latest=True), filters)
        return self._in_force(query, filters) or Plan(query, filters)

    # Relative turns

    def _along(self, query: Query, filters: Filters, turn: Turn, anchor: Release) -> Plan:
        series = self.catalogue().series(anchor.doc_id)
        notes = NOTES.get(query.language, NOTES["ru"])
        later, earlier = after(series, anchor), before(series, anchor)
        if turn.direction == "since":
            if later:
                dates = DateRange(_number(_next_day(anchor.date)), _number(later[-1].date))
                return Plan(replace(query, dates=dates, years=()), filters, later, self._quantity(query, anchor))
            none = notes["none_after"].format(anchor=anchor.date, what="", date=anchor.date)
            return self._at(query, filters, anchor, none)
        if turn.direction == "previous":
            if earlier:
                return self._at(query, filters, earlier[-1], _said(notes["previous"], earlier[-1]))
            return self._at(query, filters, anchor, notes["none_before"].format(anchor=anchor.date, date=anchor.date))
        verb = notes["verbs"].get(turn.predicate, "")
        matching = [r for r in later if not turn.predicate or self._decided(r) == turn.predicate]
        if matching:
            target = matching[0]
            note = notes["first_after"] if turn.predicate else notes["next"]
            return self._at(query, filters, target, _said(note, target, anchor=anchor.date, verb=verb))
        last = later[-1] if later else anchor
        what = WHAT.get(query.language, WHAT["ru"]).format(verb=verb) if turn.predicate else ""
        return self._at(query, filters, last, notes["none_after"].format(anchor=anchor.date, what=what, date=last.date))

    def _from_named(self, query: Query, filters: Filters, turn: Turn, asked: str) -> Plan | None:
        """A turn from the release of the question's own period its words match best (the event it names), in
        that release's series; what names the event («после повышения до 21% в октябре») is not asked of the
        release turned to, which need not say it."""
        best = self._best(query, filters, query.dates, fallback=False)
        release = self.catalogue().releases.get(best or "")
        if release is None or len(self.catalogue().series(release.doc_id)) < 2:
            return None
        return self._along(build_query(asked, query.used_history), filters, turn, release)

    def _first_or_last(self, query: Query, filters: Filters, which: str) -> Plan | None:
        """The first or last release of the period (its dates, or the one year it names: «в первом решении 2019
        года» after «прогноз на 2019 год»), of the series of the release there its words match best."""
        period = query.dates or (DateRange.of(query.years[0], 1, 12) if len(set(query.years)) == 1 else None)
        best = self._best(query, filters, period, fallback=False) if period else None
        if best is None:
            return None
        releases = within(self.catalogue().series(best), period.start, period.end)
        if len(releases) < 2:
            return None
        target = releases[0] if which == "first" else releases[-1]
        notes = NOTES.get(query.language, NOTES["ru"])
        return self._at(query, filters, target, _said(notes[which], target))

    def _decided(self, release: Release) -> str:
        passages = self.index.document_chunks(release.doc_id)
        return decision(release.title, passages[0].text if passages else "")

    def _at(self, query: Query, filters: Filters, release: Release, note: str) -> Plan:
        """The question answered from one release, its period that release's day, with what to say first."""
        day = _number(release.date)
        return Plan(replace(query, dates=DateRange(day, day), years=(), latest=False, about=note),
                    replace(filters, documents=(release.doc_id,)))

    # Timelines

    def _change(self, query: Query, filters: Filters) -> Plan | None:
        span = date_span(query.question) or query.dates
        best = self._best(query, filters, span)
        if best is None:
            return None
        series = self.catalogue().series(best)
        releases = within(series, span.start, span.end) if span else series
        if len(releases) < 2:
            return None
        quantity = self._quantity(query, self.catalogue().releases[best])
        return Plan(replace(query, dates=span), filters, releases, quantity)

    def _quantity(self, query: Query, release: Release) -> tuple[str, ...]:
        """What a timeline reads: the words naming what changed («как менялась ключевая ставка …»), else the
        question's (or the earlier question's) words without dates, turn and change words; never the series'
        names («Банка России»)."""
        left_out = CHANGE_STEMS | self.catalogue().names(release.doc_id)
        asked = [asked_quantity(query.question), query.question, *reversed(query.used_history)]
        # (an English or Kazakh question's words in the Russian of the releases)
        own = ([t for t in query_terms(in_russian(searchable(without_turn(dateless(text))), query.language))
                if t not in left_out] for text in asked if text)
        chosen = next((found for found in own if found), [])
        return tuple(t for t in dict.fromkeys(chosen) if self.index.idf(t) is not None)

    # The newest value

    def _timeless_value(self, query: Query, filters: Filters) -> bool:
        """A question with no date asking for a value that every release of one series gives."""
        if query.dates or query.years or query.used_history or expected_answer(query.question) not in VALUE_TYPES:
            return False
        series = self._dominant_series(query, filters)
        if len(series) < MIN_SERIES:
            return False
        verbs = set(read_question(query).predicate)
        asked = [t for t in dict.fromkeys(query.content_terms) if t not in verbs and self.index.idf(t)]
        if not asked:
            return False
        lexical = self.index.lexical
        mask = lexical.filter_mask(None, None, None, tuple(r.doc_id for r in series))
        return all(len(lexical.search_documents([t], len(series), mask)) >= COMMON_SHARE * len(series) for t in asked)

    def _dominant_series(self, query: Query, filters: Filters) -> list[Release]:
        """The series most of the question's best `DOMINANT_OF` matches belong to, when it is at least half of them."""
        lexical = self.index.lexical
        mask = lexical.filter_mask(filters.date_from, filters.date_to, list(filters.sources))
        found = [doc_id for doc_id, _ in lexical.search_documents(_words(query), DOMINANT_OF, mask)]
        best: list[Release] = []
        for doc_id in found:
            series = self.catalogue().series(doc_id)
            if sum(r.doc_id in found for r in series) > sum(r.doc_id in found for r in best):
                best = series
        return best if 2 * sum(r.doc_id in found for r in best) >= len(found) else []

    def _newest(self, query: Query, filters: Filters) -> Plan:
        """The newest release of the series that shares enough of the question's words."""
        lexical = self.index.lexical
        mask = lexical.filter_mask(filters.date_from, filters.date_to, list(filters.sources))
        documents = lexical.search_documents(query.terms, len(lexical.documents), mask)
        if not documents or documents[0][1] <= 0:
            return Plan(query, filters)
        # The best match's series, or, when it has none, the series most of the best matches belong to.
        found = self.catalogue().series(documents[0][0])
        series = {r.doc_id: r for r in (found if len(found) > 1 else self._dominant_series(query, filters))}
        if len(series) < 2:
            return Plan(query, filters)  # retrieval's own newest-release rule applies
        best = max(score for doc_id, score in documents if doc_id in series)
        holding = [series[d] for d, score in documents if d in series and score >= LATEST_FLOOR * best]
        newest = max(holding, key=lambda r: r.date)
        return Plan(query, replace(filters, documents=(newest.doc_id,)))

    # A value on a day

    def _in_force(self, query: Query, filters: Filters) -> Plan | None:
        day = asked_day(query.question) or _first_of_a_few_days(query.dates)
        if day is None or expected_answer(query.question) not in VALUE_TYPES or not any(
                term.startswith(SET_BY_DECISION) for term in query.content_terms):
            return None
        best = self._best(query, filters, None)
        series = self.catalogue().series(best) if best else []
        earlier = [r for r in series if _number(r.date) <= day]
        if len(series) < MIN_SERIES or not earlier:
            return None
        until = _number((_as_date(day) + timedelta(days=AS_OF_DAYS)).isoformat())
        if any(self._names_day(r, day) for r in within(series, day, until)[:WINDOW_CHECKED]):
            return None
        # The newest that sets the value (it decided something, or gives it): a postponed decision sets none.
        quantity = self._quantity(query, earlier[-1])
        setting = next((r for r in reversed(earlier[-WINDOW_CHECKED:]) if self._decided(r)
                        or value_of(self.index.document_chunks(r.doc_id), quantity)), earlier[-1])
        notes = NOTES.get(query.language, NOTES["ru"])
        return self._at(query, filters, setting, notes["in_force"].format(day=_as_date(day).isoformat(),
                                                                              date=setting.date))

    def _names_day(self, release: Release, day: int) -> bool:
        """Whether a release is of that day or names it («по оценке на 17 июля»)."""
        if _number(release.date) == day:
            return True
        pattern = re.compile(rf"(?<!\d){day % 100}\s+(?:{MONTHS[day // 100 % 100]})")
        return any(pattern.search(normalise(p.text)) for p in self.index.document_chunks(release.doc_id))

    def _best(self, query: Query, filters: Filters, span: DateRange | None, fallback: bool = True) -> str | None:
        """The release whose words match the question best (within the span, when one is given; else, with
        `fallback`, anywhere)."""
        lexical = self.index.lexical
        for period in ([span] if span else []) + ([None] if fallback or not span else []):
            start = max(period.start, filters.date_from or 0) if period else filters.date_from
            end = min(period.end, filters.date_to or 99991231) if period else filters.date_to
            found = lexical.search_documents(_words(query), 1, lexical.filter_mask(start, end, list(filters.sources)))
            if found:
                return found[0][0]
        return None


def _words(query: Query) -> list[str]:
    """The question's words that say what it is about: its dates match a release by date, not by words."""
    return query.content_terms or query.terms


def _said(note: str, release: Release, **extra: str) -> str:
    title = " ".join(release.title.split())
    title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return note.format(date=release.date, title=title, **extra)


def _number(iso: str) -> int:
    return int(iso.replace("-", ""))


def _first_of_a_few_days(dates: DateRange | None) -> int | None:
    """«в первые дни апреля», «в начале апреля»: the start of a month asks what was in force as of its first day
    (its end, «в конце января оставил ставку», asks what was decided then)."""
    if dates is None or dates.start % 100 != 1 or dates.start // 100 != dates.end // 100 \
            or dates.end - dates.start > FEW_DAYS:
        return None
    return dates.start


def _as_date(day: int) -> date:
    return date(day // 10000, day // 100 % 100, day % 100)


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()
