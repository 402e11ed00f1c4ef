"""Reading a timeline's values from releases (rag/answering/timeline.py), without an index."""

from __future__ import annotations

import re

import pytest

from rag.answering.timeline import number, read_timeline, timeline_draft
from rag.series import Release
from rag.store.manifest import StoredChunk

RATE = ("ключев", "ставк")


def release(doc_id: str, date: str, title: str = "О ключевой ставке Банка России") -> Release:
    return Release(doc_id, title, date, "Банк России", f"https://www.cbr.example/{doc_id}")


def chunks_of(texts: dict[str, list[str]]):
    return lambda doc_id: [StoredChunk(f"{doc_id}#{i}", doc_id, i, text, "", "", "", "")
                           for i, text in enumerate(texts[doc_id])]


@pytest.mark.parametrize("sentence, value", [
    ("Совет директоров принял решение повысить ключевую ставку на 100 б.п., до 10,00% годовых.", "10,00%"),
    ("Совет директоров принял решение снизить ключевую ставку c 10,50% до 10,00% годовых.", "10,00%"),
    ("Совет директоров принял решение снизить ключевую ставку с 17,00 до 15,00% годовых.", "15,00%"),
    ("Совет директоров принял решение повысить ключевую ставку на 0,25 процентного пункта, до 7,50% годовых.", "7,50%"),
    ("Совет директоров принял решение сохранить ключевую ставку на уровне 5,50 процента годовых.", "5,50 процента"),
    ("Совет директоров повысил ключевую ставку на 100 базисных пунктов.", ""),  # a change alone is no level
    ("Совет директоров 14 февраля 2031 года обсудил ключевую ставку в 13:30.", ""),  # dates and times are no values
])
def test_the_value_is_the_amount_after_the_quantity(sentence, value):
    rows = read_timeline([release("a", "2031-01-01")], chunks_of({"a": [sentence]}), RATE)
    assert rows[0].value == value and (rows[0].quote == sentence if value else rows[0].quote == "")


def test_a_release_without_the_quantity_is_listed_without_a_value():
    texts = {"a": ["Годовая инфляция составила 5,1%. Совет директоров сохранил ключевую ставку на уровне 9,00%."],
             "b": ["Совет директоров перенёс рассмотрение вопроса о ставке на 3 октября."],
             "c": ["Вступление без цифр.", "Банк России принял решение снизить ключевую ставку до 9,50% годовых."]}
    rows = read_timeline([release("a", "2031-02-14"), release("b", "2031-09-19"), release("c", "2031-10-31")],
                         chunks_of(texts), RATE)
    assert [(r.date, r.value, r.chunk_id) for r in rows] == [("2031-02-14", "9,00%", "a#0"), ("2031-09-19", "", "b#0"),
                                                            ("2031-10-31", "9,50%", "c#1")]
    assert rows[0].quote == "Совет директоров сохранил ключевую ставку на уровне 9,00%."
    assert set(rows[0].to_dict()) == {"date", "value", "label", "doc_id", "chunk_id", "quote"}
    inflation = read_timeline([release("a", "2031-02-14")], chunks_of(texts), ("годов", "инфляц"))
    assert inflation[0].value == "5,1%"


def test_a_few_values_are_all_cited_in_the_answer():
    texts = {"a": ["Банк России сохранил ключевую ставку на уровне 9,00%."], "b": ["Перенос заседания."],
             "c": ["Банк России повысил ключевую ставку до 10,00%."]}
    rows = read_timeline([release("a", "2031-02-14"), release("b", "2031-03-01"), release("c", "2031-03-28")],
                         chunks_of(texts), RATE)
    draft = timeline_draft(rows, "ru")
    assert draft.answer == "Релизы за период (3): 2031-02-14 — 9,00% [1]; 2031-03-28 — 10,00% [2]."
    assert [(c.n, c.doc_id, c.quote, c.chunk_id) for c in draft.citations] == [
        (1, "a", texts["a"][0], "a#0"), (2, "c", texts["c"][0], "c#0")]
    assert timeline_draft(rows[1:2], "ru") is None  # nothing valued: the ordinary answer stands
    assert timeline_draft(rows[:2], "ru") is None  # one value tells nothing of a change


def test_many_values_are_summed_up_with_the_extremes_between_the_ends():
    values = ["9,50", "20", "20", "17,00", "14,00", "11,00", "9,50", "7,50"]
    releases = [release(f"r{i}", f"2022-{i + 1:02d}-10") for i in range(len(values))]
    texts = {f"r{i}": [f"Банк России установил ключевую ставку на уровне {v}% годовых."] for i, v in enumerate(values)}
    draft = timeline_draft(read_timeline(releases, chunks_of(texts), RATE), "en")
    assert draft.answer.startswith("From 9,50% (2022-01-10) [1] to 7,50% (2022-08-10) [2]; highest 20% (2022-02-10) [3]")
    assert "lowest" not in draft.answer and draft.answer.endswith("All 8 releases of the period are in the table.")
    markers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", draft.answer)})
    assert markers == [c.n for c in draft.citations] == [1, 2, 3]


def test_numbers_of_values():
    assert number("17,00%") == 17.0 and number("2,5 трлн рублей") == 2.5 and number("") is None


def test_a_forecast_range_is_read_whole():
    texts = {"a": ["По прогнозу Банка России, годовая инфляция составит 5,0–6,5% в 2023 году."],
             "b": ["Банк России повысил прогноз годовой инфляции с 5,0–6,5 до 6,0–7,0% в 2023 году."]}
    rows = read_timeline([release("a", "2023-07-21"), release("b", "2023-09-15")], chunks_of(texts),
                         ("прогноз", "годов", "инфляц"))
    assert [row.value for row in rows] == ["5,0–6,5%", "6,0–7,0%"] and number(rows[1].value) == 6.0
