"""A question asking of two events, each of its own period or each about someone of its own, answered part by part (rag/answering/parts.py):
where it is cut, and the answers joined, over the invented key-rate releases of 2031 (tests/fixtures/keyrate)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answering.base import Citation, Draft
from rag.answering.parts import joined, question_parts
from rag.assistant import Assistant
from rag.query import DateRange

KEYRATE = Path(__file__).parent / "fixtures" / "keyrate"


@pytest.mark.parametrize("question, parts", [
    ("О чём говорили Путин и Токаев по телефону 6 марта 2025 года и чем Путин поделился с ним в разговоре 17 апреля?",
     [("О чём говорили Путин и Токаев по телефону 6 марта 2025 года?", DateRange(20250306, 20250306)),
      ("чем Путин поделился с ним в разговоре 17 апреля?", DateRange(20250417, 20250417))]),
    ("На сколько выросла экономика в 2023 году по оценке ЦБ в феврале 2024 года, и на сколько вырос ВВП в 2024 году?",
     []),  # the periods overlap: one event may be meant
    ("Putin spoke to Tokayev on 6 March 2025; what did they discuss, and what did Putin share in the call of 17 April?",
     [("Putin spoke to Tokayev on 6 March 2025; what did they discuss?", DateRange(20250306, 20250306)),
      ("what did Putin share in the call of 17 April?", DateRange(20250417, 20250417))]),
    ("Путин мен Мирзиёев 2025 жылғы 21 ақпанда қандай өсімді атап өтті және 3 мамырдағы әңгімеде қай көрме аталды?",
     [("Путин мен Мирзиёев 2025 жылғы 21 ақпанда қандай өсімді атап өтті?", DateRange(20250221, 20250221)),
      ("3 мамырдағы әңгімеде қай көрме аталды?", DateRange(20250503, 20250503))]),
    ("Какую ключевую ставку Банк России установил в январе 2024 года и в июле 2024 года?", []),  # one question
    ("Сколько человек погибло и сколько было ранено в Шебекино 12 августа 2024 года?", []),  # one period
    ("Когда и до какого уровня ЦБ снизил ставку в 2022 году?", []),
    # parts of one period (or none), each naming someone of its own, are searched apart
    ("Сколько контрактников назвал Рустам Минниханов и на сколько, по словам Рамзана Кадырова, выросла экономика Чечни?",
     [("Сколько контрактников назвал Рустам Минниханов?", None),
      ("на сколько, по словам Рамзана Кадырова, выросла экономика Чечни?", None)]),
    ("Кого Садыр Жапаров принял в Бишкеке в марте 2025 года и с каким праздником Путин поздравил Жапарова?",
     [("Кого Садыр Жапаров принял в Бишкеке в марте 2025 года?", DateRange(20250301, 20250331)),
      ("с каким праздником Путин поздравил Жапарова?", DateRange(20250301, 20250331))]),
    ("Кого Садыр Жапаров принял в Бишкеке и о чём Жапаров говорил с гостем?", []),  # the second names no one new
])
def test_where_a_question_is_cut_into_parts(question, parts):
    assert [(q.question, q.dates) for q in question_parts(question, [])] == parts


def test_a_later_part_has_the_words_of_the_earlier_but_not_their_names_as_constraints():
    first, second = question_parts("О чём говорили Путин и Токаев по телефону 6 марта 2025 года и чем Путин "
                                   "поделился с ним в разговоре 17 апреля?", [])
    assert "тока" in second.content_terms
    assert second.used_history == []  # so the names of the first part are not required of the second


def _draft(text: str, n: int, doc_id: str) -> Draft:
    citations = [Citation(k, doc_id, "t", "2031-01-01", "s", "", f"q{k}") for k in range(1, n + 1)]
    return Draft(answer=text, citations=citations)


def test_joined_answers_number_their_citations_on_and_say_which_part_is_not_answered():
    parts = question_parts("Что Банк России решил 14 февраля 2031 года и что он решил 5 декабря 2031 года?", [])
    first = _draft("Сохранить ставку [1] на уровне 9,00% [2]", 2, "a")
    second = _draft("Повысить ставку [1]", 1, "b")
    both = joined([first, second], parts)
    assert both.answer == "Сохранить ставку [1] на уровне 9,00% [2] Повысить ставку [3]"
    assert [(c.n, c.doc_id) for c in both.citations] == [(1, "a"), (2, "a"), (3, "b")]
    refused = Draft(answer="В проиндексированных пресс-релизах нет достаточных сведений, чтобы ответить на этот "
                           "вопрос. Ни один найденный релиз не относится к названному в вопросе периоду.\nБлижайшие…",
                    citations=[], refused=True)
    half = joined([first, refused], parts)
    assert not half.refused and len(half.citations) == 2
    assert half.answer.endswith("На вопрос «что он решил 5 декабря 2031 года» в релизах ответа нет. "
                                "Ни один найденный релиз не относится к названному в вопросе периоду.")
    assert joined([refused, refused], parts).refused


@pytest.fixture(scope="module")
def assistant(settings, embedder, tmp_path_factory):
    opened = Assistant(settings=settings, index_dir=tmp_path_factory.mktemp("parts-index"), embedder=embedder)
    opened.ingest([KEYRATE])
    yield opened
    opened.close()


def test_each_part_is_answered_from_the_release_of_its_period(assistant):
    answer = assistant.ask("Какую годовую инфляцию Банк России оценивал 14 февраля 2031 года и до какого уровня "
                           "он повысил ставку 16 мая 2031 года?")
    cited = {c["doc_id"] for c in answer.citations}
    assert {"keyrate-2031-02-14", "keyrate-2031-05-16"} <= cited
    assert "5,1%" in answer.answer and "10,50%" in answer.answer
    markers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)})
    assert markers == [c["n"] for c in answer.citations]


def test_a_part_of_a_period_no_release_covers_is_said_unanswered(assistant):
    answer = assistant.ask("Какую годовую инфляцию Банк России оценивал 14 февраля 2031 года и какое решение "
                           "он принял 5 декабря 2031 года?")
    assert not answer.refused and "5,1%" in answer.answer
    assert "На вопрос «какое решение он принял 5 декабря 2031 года» в релизах ответа нет." in answer.answer


def test_a_part_naming_someone_no_release_found_speaks_of_refuses_the_whole_question_cut_by_names():
    parts = question_parts("Кто сменил Эмбало в Оренбургской области в марте 2025 года и какой регион возглавил "
                           "Паслер?", [])
    assert len(parts) == 2 and parts[0].dates == parts[1].dates
    unnamed = Draft(answer="В проиндексированных пресс-релизах нет достаточных сведений, чтобы ответить на этот "
                           "вопрос. Ни один найденный релиз не упоминает «Эмбало».", citations=[], refused=True,
                    refusal_reason="entity")
    answered = _draft("Паслер возглавил Свердловскую область [1]", 1, "a")
    assert joined([unnamed, answered], parts) is unnamed
    # cut by periods, a part refused for a name still leaves the other part answered
    by_periods = question_parts("Что Банк России решил 14 февраля 2031 года и что он решил 5 декабря 2031 года?", [])
    assert not joined([unnamed, answered], by_periods).refused
