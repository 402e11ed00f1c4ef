"""The period checks (rag/answering/periods.py): a day, month or season answered by releases of its time, a year
also by later releases that name it — and then only in the sentences that do; forecasts are not results."""

from __future__ import annotations

import pytest

from rag.answering.constraints import Failure, passage_failure, sentence_failure
from rag.answering.spellings import Named
from rag.answering.periods import before_the_years
from rag.answering.names import Entity
from rag.answering.question import read_question
from rag.query import build_query
from tests.question_support import model, passage


def test_a_release_must_mention_the_entity_and_be_of_the_period():
    question = model("Сколько домов подтоплено в Оренбургской области в апреле 2024 года?")
    named = [Named(Entity("Оренбургской области", "LOC", ("оренбургск", "област")), frozenset({"оренбургск"}))]
    related = lambda word, text: False  # noqa: E731 - no word of like meaning in these passages
    inside = passage("Подтоплены 10 812 жилых домов.")
    assert passage_failure(question, inside, {"оренбургск", "дом"}, named, related) is None
    assert passage_failure(question, inside, {"курганск", "дом"}, named, related) == Failure(
        "entity", "Оренбургской области")
    assert passage_failure(question, passage("Подтоплены дома.", date="2024-05-02"), {"оренбургск", "дом"},
                           named, related) == Failure("period")
    # what is counted, in no word of the release nor a like one
    assert passage_failure(question, inside, {"оренбургск", "школ"}, named, related) == Failure("focus", "домов")
    assert passage_failure(question, inside, {"оренбургск", "школ"}, named, lambda w, t: True) is None


def test_a_later_release_of_that_year_recalls_a_month_by_its_days():
    question = model("Какая промышленная выставка прошла в Ташкенте в апреле 2025 года?")
    text = "Отмечена успешная организация в Ташкенте 28–30 апреля выставки «ИННОПРОМ. Центральная Азия»."
    terms = {"ташкент", "выставк"}
    assert passage_failure(question, passage(text, date="2025-05-03"), terms, [], lambda w, t: False) is None
    for later in (passage(text, date="2026-05-03"),  # another year's April
                  passage(text.replace("28–30 апреля", "28–30 мая"), date="2025-06-03"),
                  passage(text.replace("28–30 апреля", "28–30 апреля 2024 года"), date="2025-05-03")):
        assert passage_failure(question, later, terms, [], lambda w, t: False) == Failure("period")


def test_when_something_lies_ahead_the_release_date_is_no_answer():
    question = model("Когда состоится визит президента в Казахстан?")
    assert question.future and not model("Когда президент посетил Казахстан?").future
    dated = passage("Президент поздравил коллег с праздником.")
    assert sentence_failure(question, dated, dated.text) == Failure("answer_type", "date")
    assert sentence_failure(question, dated, "Визит состоится 12 мая 2025 года.") is None
    assert model("When will the president visit Kazakhstan?").future
    # what lies ahead is not dated by the years before the release
    opening = model("Когда откроется новый корпус больницы в Твери?")
    past = "С 2017 по 2023 год в больнице приняли 40 тысяч пациентов."
    ahead = "Новый корпус откроется в 2026 году."
    assert sentence_failure(opening, passage(past), past) == Failure("answer_type", "date")
    assert sentence_failure(opening, passage(ahead), ahead) is None


@pytest.mark.parametrize("question, sentence, failed", [
    ("Какого числа министр прибыл в Бишкек?", "Министр прибыл в Бишкек в 2024 году.", "answer_type"),
    ("Какого числа министр прибыл в Бишкек?", "Министр прибыл в Бишкек 12 марта 2024 года.", None),
])
def test_asking_for_the_day_wants_a_day_from_an_undated_release(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence, date=""), sentence)
    assert (failure.constraint if failure else None) == failed


def test_an_undated_release_answers_when_only_in_its_words():
    question = model("Когда президент посетил область?")
    undated = passage("Президент посетил область и провёл совещание.", date="")
    dated = passage("Президент посетил область и провёл совещание.")
    assert sentence_failure(question, undated, undated.text) == Failure("answer_type", "date")
    assert sentence_failure(question, dated, dated.text) is None
    assert sentence_failure(question, undated, "Президент посетил область 12 мая 2024 года.") is None


def test_a_question_naming_two_periods_is_answered_from_either():
    query = build_query("До какого уровня Банк России поднимал ставку в феврале 2022 года и в октябре 2024 года?")
    assert [(p.start, p.end) for p in query.periods] == [(20220201, 20220228), (20241001, 20241031)]
    months = build_query("На сколько Банк России повышал ставку в июле и в октябре 2024 года?").periods
    assert [(p.start, p.end) for p in months] == [(20240701, 20240731), (20241001, 20241031)]
    question = read_question(query)
    assert passage_failure(question, passage("Ставка 20%.", date="2022-02-28"), set(), [], lambda w, t: False) is None
    assert passage_failure(question, passage("Ставка 21%.", date="2024-10-25"), set(), [], lambda w, t: False) is None
    assert passage_failure(question, passage("Ставка 16%.", date="2023-07-21"), set(), [], lambda w, t: False) == \
        Failure("period")
    assert build_query("Как изменилась ставка между заседаниями в марте и апреле 2020 года?").periods == ()


def test_a_release_published_before_the_year_asked_tells_only_what_was_expected_of_it():
    earlier = passage("По прогнозу Банка России, годовая инфляция снизится до 4,5–5,0% в 2025 году.", date="2024-10-25")
    happened = model("Какой оказалась годовая инфляция по итогам 2025 года?")
    assert passage_failure(happened, earlier, set(), [], lambda w, t: False) == Failure("period")
    expected = model("Какую инфляцию Банк России прогнозировал на 2025 год?")
    assert passage_failure(expected, earlier, set(), [], lambda w, t: False) is None
    for asked in ("Какую потребность в автобусах до 2030 года оценили на заседании?",
                  "2030 жылға дейін автобусқа жалпы қажеттілік қанша деп бағаланды?",
                  "2026 жылдан бастап ата-аналар бірінші балаға қанша ақша алады?"):
        assert not before_the_years(model(asked), passage("Потребность — 32 тысячи автобусов.", date="2025-04-15"))
    deadline = model("Какую потребность в кадрах к 2029 году назвал Путин?")
    assert passage_failure(deadline, passage("Потребность в кадрах к 2029 году — 74 миллиона.", date="2025-02-06"),
                           set(), [], lambda w, t: False) is None


@pytest.mark.parametrize("sentence, failed", [
    ("В прошлом году инвестиции выросли на 5%.", None),
    ("В 2024 году инвестиции выросли на 5%.", None),
    ("Инвестиции выросли на 3% в 2023 году.", Failure("period")),
    # the year a figure is compared with is not the year the figure is of
    ("В 2025 году инвестиции выросли на 7%, что больше, чем в 2024 году.", Failure("period")),
    ("Инвестиции в 2025 году выросли на 4% по сравнению с 2024 годом.", Failure("period")),
    ("В 2025 году это плюс 27 процентов к 2024 году.", Failure("period")),
    ("Инвестиции выросли на 5% и вернулись к уровню 2024 года.", Failure("period")),
])
def test_a_release_of_another_year_speaks_of_the_year_asked_only_where_it_names_it(sentence, failed):
    question = model("На сколько процентов выросли инвестиции в 2024 году?")
    assert sentence_failure(question, passage(sentence, date="2025-03-01"), sentence) == failed


def test_a_year_mentioned_anywhere_in_its_release_puts_a_passage_in_the_period():
    question = model("Сколько детей родилось в области в 2024 году?")
    later = passage("У нас родилось 12 тысяч детей, по данным ЗАГСа.", date="2025-03-12")
    assert passage_failure(question, later, set(), [], lambda w, t: False) == Failure("period")
    assert passage_failure(question, later, {"2024", "род", "дет"}, [], lambda w, t: False) is None


def test_a_later_release_recalls_a_part_of_a_year_only_where_it_names_that_year():
    question = model("Какие ограничения ввели в конце 2024 года?")
    recalled = "В конце предыдущего года были введены ограничения до 11 часов в сутки."
    later = passage(recalled, date="2025-03-05")
    assert passage_failure(question, later, set(), [], lambda w, t: False) is None
    assert sentence_failure(question, later, recalled) is None
    other = "Ограничения до 11 часов в сутки действуют и сейчас."
    assert sentence_failure(question, passage(recalled + " " + other, date="2025-03-05"), other) == Failure("period")
    unnamed = passage(other, date="2025-03-05")
    assert passage_failure(question, unnamed, set(), [], lambda w, t: False) == Failure("period")


def test_the_year_asked_must_be_named_by_the_quoted_sentence_itself():
    question = model("Какой была инфляция по итогам 2012 года?")
    text = "В 2012 году инфляция была высокой. Цены выйдут на целевой уровень 5,0% в конце 2014 года."
    later = passage(text, date="2014-02-14")
    quoted = "Цены выйдут на целевой уровень 5,0% в конце 2014 года."
    assert sentence_failure(question, later, quoted, text) == Failure("period")


def test_a_year_asked_beside_the_month_of_its_release_must_be_named_by_the_sentence():
    question = model("Сколько дел рассмотрели суды в 2023 году, судя по докладу на совещании в феврале 2025 года?")
    of_2024 = "В 2024 году суды рассмотрели свыше 42 миллионов дел."
    of_2023 = "Если в 2023 году судами рассмотрено около 39 миллионов дел, то в 2024 году больше."
    assert sentence_failure(question, passage(of_2024, date="2025-02-10"), of_2024) == Failure("period")
    assert sentence_failure(question, passage(of_2023, date="2025-02-10"), of_2023) is None
    # a year of the century in two digits
    recalled = model("Какой была инфляция в 1999 году, по словам президента в декабре 2002 года?")
    said = "Вот в 98-м году инфляция была 85 процентов, в 99-м – уже 36."
    assert sentence_failure(recalled, passage(said, date="2002-12-19"), said) is None


def test_a_sentence_may_be_of_the_year_the_one_before_it_names_unless_it_names_a_time_of_its_own():
    question = model("Сколько человек работало на тверском заводе в 2019 году, когда он был на грани закрытия?")
    named = "Тверской завод в 2019 году был на грани закрытия."
    then = "На заводе работало 40 человек."
    now = "Сейчас на заводе работает 900 человек."
    spanned = "За время реализации проекта на заводе обучено 300 человек."
    text = passage(f"{named} {then} {now}", date="2025-03-25")
    assert sentence_failure(question, text, then) == Failure("period")
    assert sentence_failure(question, text, then, before=named) is None
    assert sentence_failure(question, text, now, before=named) == Failure("period")
    assert sentence_failure(question, text, spanned, before=named) == Failure("period")
    # the year is carried one sentence on, not two
    assert sentence_failure(question, text, now.replace("Сейчас на", "На"), before=then) == Failure("period")
