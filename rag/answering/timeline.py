"""A timeline: one row per release of a series in a period, with the value each gives, and the cited answer
that sums it up.

The value of a release is read, never guessed: the first sentence of its text that names the asked quantity
(the question's words, less those asking about change and the series' names: «ключевая ставка», «годовая
инфляция») and holds an amount with its unit after that word («до 17,00% годовых», «2,5 трлн рублей»; a
forecast's range whole: «5,0–6,5%»). A change («на 300 б.п.», «на 0,25 процентного пункта») and a starting
point («c 17,00% до 15,00%») are not the value when another amount follows. A release that names no such amount is listed with the value "".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Callable

from rag.answering.base import Citation, Draft
from rag.series import Release
from rag.store.manifest import StoredChunk
from rag.text import normalise, sentences, terms

SCALE = r"(?:млрд|млн|трлн|тыс\.?|миллиард\w*|миллион\w*|триллион\w*|тысяч\w*)\s+[^\W\d_]+\.?"
AMOUNT = re.compile(
    rf"(?<![\d,.])(?P<number>\d+(?:[.,]\d+)?(?:\s*[–—-]\s*\d+(?:[.,]\d+)?)?)\s*(?P<unit>%|процент\w*|б\.\s?п\.|п\.\s?п\.|"
    rf"(?:процентн|базисн)\w*\s+пункт\w*|{SCALE}|руб(?:л\w*|\.)|долл\w*|евро\b)")
CHANGE_UNIT = re.compile(r"^(?:б\.|п\.|процентн|базисн)")
CHANGE_PREFIX = re.compile(r"\b(?:на|c|с|from|by)\s*$")
MAX_SENTENCES = 60  # a value is stated early; a long transcript is not read to its end
SUMMARY_ROWS = 6  # up to this many valued rows are all said in the answer; more are summed up
WORDING = {
    "ru": {"rows": "Релизы за период ({count}):", "from": "С {first} [{a}] до {last} [{b}]",
           "high": "; наибольшее значение — {value} [{n}]", "low": "; наименьшее — {value} [{n}]",
           "table": ". Все {count} релизов периода — в таблице."},
    "en": {"rows": "Releases of the period ({count}):", "from": "From {first} [{a}] to {last} [{b}]",
           "high": "; highest {value} [{n}]", "low": "; lowest {value} [{n}]",
           "table": ". All {count} releases of the period are in the table."},
    "kk": {"rows": "Кезеңдегі релиздер ({count}):", "from": "{first} [{a}] бастап {last} [{b}] дейін",
           "high": "; ең жоғары мән — {value} [{n}]", "low": "; ең төмен мән — {value} [{n}]",
           "table": ". Кезеңнің барлық {count} релизі — кестеде."},
}


@dataclass
class Row:
    date: str
    value: str
    label: str
    doc_id: str
    chunk_id: str
    quote: str
    source: str = ""
    url: str = ""

    def to_dict(self) -> dict:
        """The row as the JSON answer's `timeline` carries it."""
        return {k: v for k, v in asdict(self).items() if k not in ("source", "url")}


def read_timeline(releases: list[Release], chunks: Callable[[str], list[StoredChunk]],
                  quantity: tuple[str, ...]) -> list[Row]:
    """One row per release, in the given (date) order; `chunks(doc_id)` gives a release's passages in order."""
    rows = []
    for release in releases:
        passages = chunks(release.doc_id)
        found = value_of(passages, quantity)
        value, quote, chunk_id = found if found else ("", "", passages[0].chunk_id if passages else "")
        rows.append(Row(release.date, value, release.title, release.doc_id, chunk_id, quote, release.source,
                        release.url))
    return rows


def value_of(passages: list[StoredChunk], quantity: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(value, the sentence that gives it, its passage) from the first sentence that names the quantity."""
    present = {t for p in passages for t in terms(p.text)}
    required = {t for t in quantity if t in present}
    if not required or len(required) * 2 < len(quantity):
        return None
    read = 0
    for passage in passages:
        for sentence in sentences(passage.text):
            read += 1
            if read > MAX_SENTENCES:
                return None
            value = _amount_after(sentence.text, required)
            if value:
                return value, sentence.text, passage.chunk_id
    return None


def _amount_after(sentence: str, required: set[str]) -> str:
    """The amount the sentence gives for the quantity: after its first word, not a change or a starting point."""
    words = list(re.finditer(r"[^\W\d_]+", sentence))
    stems = [terms(w[0]) for w in words]
    if not required <= {s for found in stems for s in found}:
        return ""
    start = next(w.start() for w, found in zip(words, stems) if set(found) & required)
    amounts = [m for m in AMOUNT.finditer(sentence, start)]
    for index, amount in enumerate(amounts):
        later = index + 1 < len(amounts)
        if later and (CHANGE_UNIT.match(normalise(amount["unit"]))
                      or CHANGE_PREFIX.search(normalise(sentence[start: amount.start()]))):
            continue
        if CHANGE_UNIT.match(normalise(amount["unit"])):
            return ""
        return amount[0].strip().rstrip(".,")
    return ""


def number(value: str) -> float | None:
    """The number of a value ("17,00%" -> 17.0; a range's first: "5,0–6,5%" -> 5.0), for charts and comparisons."""
    match = re.search(r"\d+(?:[.,]\d+)?", value)
    return float(match[0].replace(",", ".")) if match else None


def timeline_draft(rows: list[Row], language: str) -> Draft | None:
    """The answer to a change question: every valued row with its citation (a few), or the first and last
    with the highest and lowest between them (more); None when fewer than two releases of the period give a
    value: one value tells nothing of a change (it may be another figure the reading took)."""
    valued = [row for row in rows if row.value and number(row.value) is not None]
    if len(valued) < 2:
        return None
    wording = WORDING.get(language, WORDING["ru"])
    cited: list[Row] = []

    def cite(row: Row) -> int:
        if row not in cited:
            cited.append(row)
        return cited.index(row) + 1

    said = lambda row: f"{row.value} ({row.date})"
    if len(valued) <= SUMMARY_ROWS:
        text = wording["rows"].format(count=len(rows)) + " " + "; ".join(
            f"{row.date} — {row.value} [{cite(row)}]" for row in valued) + "."
    else:
        first, last = valued[0], valued[-1]
        ends = (number(first.value), number(last.value))
        high = max(valued, key=lambda row: number(row.value))
        low = min(valued, key=lambda row: number(row.value))
        text = wording["from"].format(first=said(first), a=cite(first), last=said(last), b=cite(last))
        if number(high.value) > max(ends):
            text += wording["high"].format(value=said(high), n=cite(high))
        if number(low.value) < min(ends):
            text += wording["low"].format(value=said(low), n=cite(low))
        text += wording["table"].format(count=len(rows))
    citations = [Citation(n, row.doc_id, row.label, row.date, row.source, row.url, row.quote, row.chunk_id)
                 for n, row in enumerate(cited, start=1)]
    return Draft(answer=text, citations=citations, evidence=1.0)
