"""Reading time words (rag/turns.py) and dates (rag/query.py) in questions, without an index."""

from __future__ import annotations

import pytest

from rag.query import DateRange, asked_day, build_query, date_span, dateless, parse_dates
from rag.turns import Turn, asked_quantity, asks_change, decision, first_or_last, read_anchored_turn, read_turn


@pytest.mark.parametrize("question, turn", [
    ("А на следующем заседании?", Turn("next")),
    ("Какое решение приняли на следующем заседании?", Turn("next")),
    ("А о чём шла речь в их следующем телефонном разговоре?", Turn("next")),
    ("And at the next meeting?", Turn("next")),
    ("Ал келесі отырыста ше?", Turn("next")),
    ("А до этого?", Turn("previous")),
    ("Что говорилось в предыдущем релизе?", Turn("previous")),
    ("А на прошлом заседании?", Turn("previous")),
    ("What about the previous decision?", Turn("previous")),
    ("And the one before?", Turn("previous")),
    ("Ал алдыңғы отырыста ше?", Turn("previous")),
    ("Когда её впервые после этого снизили?", Turn("first_after", "cut")),
    ("Когда после этого ставку впервые повысили и до какого уровня?", Turn("first_after", "raise")),
    ("When did it first keep the rate unchanged after that?", Turn("first_after", "keep")),
    ("When was it first cut after that?", Turn("first_after", "cut")),
    ("А когда с тех пор впервые что-то изменилось?", Turn("first_after")),
    ("Как менялась ставка с тех пор?", Turn("since")),
    ("How has it changed since then?", Turn("since")),
])
def test_relative_turns(question, turn):
    assert read_turn(question) == turn
    assert build_query(question, ["Что решил Банк России 28 марта 2031 года?"]).used_history  # always a follow-up


@pytest.mark.parametrize("question", [
    "Какой рост ВВП ожидается в следующем году?",  # a year, not a release of the series
    "Что изменилось в прошлом месяце?",
    "А на какую дату назначили следующее заседание?",  # announced by the release at hand
    "When is the next meeting scheduled?",
    "Что было сделано до того, как ставку повысили?",
    "Когда Банк России впервые поднял ставку до 7%?",  # first, but after nothing
    "Какая сейчас ключевая ставка?",
])
def test_not_a_turn(question):
    assert read_turn(question) is None


@pytest.mark.parametrize("question, turn", [
    ("Какой прогноз ЦБ дал на заседании, следующем за повышением ставки до 5,50% в июне 2021 года?", Turn("next")),
    ("Какую инфляцию ЦБ зафиксировал на заседании, которое последовало за повышением в октябре 2024 года?",
     Turn("next")),
    ("О чём шла речь в следующем после 12 февраля 2025 года телефонном разговоре?", Turn("next")),
    ("What did the bank say at the meeting after the hike to 21% in October 2024?", Turn("next")),
    ("Какой была ставка перед внеочередным повышением в августе 2023 года?", Turn("previous")),
    ("Какую оценку давал ЦБ на заседании, предшествовавшем повышению ставки в июле 2023 года?", Turn("previous")),
    ("Какой прогноз ЦБ давал до того, как в декабре 2023 года заявил о росте ВВП?", Turn("previous")),
    ("Какую инфляцию ЦБ оценивал в первом решении после того, как летом 2020 года снизил ставку?", Turn("first_after")),
    ("Когда ЦБ впервые снизил ставку после пика весной 2022 года?", Turn("first_after", "cut")),
    ("2023 жылғы 27 қазандағы шешімнен кейінгі отырыста ставка қандай болды?", Turn("next")),
    ("Ресей Банкі наурызда мөлшерлемені көтерерден бұрынғы отырыста болжам қандай болды?", Turn("previous")),
])
def test_turns_from_an_event_the_question_names(question, turn):
    assert read_anchored_turn(question)[0] == turn


def test_what_is_asked_of_the_release_turned_to_leaves_out_the_event_named():
    assert read_anchored_turn("Какой прогноз ЦБ дал на заседании, следующем за повышением ставки до 5,50% в июне "
                              "2021 года?")[1] == "Какой прогноз ЦБ дал на заседании?"
    assert read_anchored_turn("27 қазандағы шешімнен кейінгі отырыста ставка қандай болды?")[1] == \
        "отырыста ставка қандай болды?"


@pytest.mark.parametrize("question, which", [
    ("Какой прогноз ЦБ подтвердил в первом решении 2019 года?", "first"),
    ("In its first rate decision of 2015, what inflation did the bank report?", "first"),
    ("Что ЦБ сказал на последнем заседании 2024 года?", "last"),
    ("2020 жылғы алғашқы шешімде базалық инфляция қандай болды?", "first"),
    ("Когда ЦБ в первый раз поднял ставку в 2014 году?", None),  # the first time, not the first release
    ("Что сказал первый заместитель министра в 2024 году?", None),
    ("What was the topic of the first meeting in April 2025, and who took part in the second?", None),
])
def test_the_first_or_last_release_of_a_period(question, which):
    assert first_or_last(question) == which


@pytest.mark.parametrize("question", [
    "Какую инфляцию ЦБ оценивал в июле 2023 года?",
    "Что сказал Путин после встречи с Трампом в 2025 году?",
    "Когда было назначено следующее заседание после снижения ставки в июне 2022 года?",  # announced by that release
    "Какие задачи стоят перед правительством в 2025 году?",
])
def test_no_turn_from_a_named_event(question):
    assert read_anchored_turn(question) is None


@pytest.mark.parametrize("question, quantity", [
    ("Как менялась ключевая ставка в 2022 году?", "ключевая ставка"),
    ("Как изменилась ключевая ставка между заседаниями в марте и апреле 2020 года?", "ключевая ставка"),
    ("Какой была динамика ключевой ставки с июля 2023 по июль 2024 года?", "ключевой ставки"),
    ("Динамика инфляции с января по июнь 2022 года", "инфляции"),
    ("How did the Bank of Russia key rate change in 2018?", "the bank of russia key rate"),
    ("Как менялась ставка с тех пор?", "ставка"),
])
def test_change_questions_and_what_changed(question, quantity):
    assert asks_change(question) and asked_quantity(question) == quantity


@pytest.mark.parametrize("question", ["Какая ключевая ставка была в июле 2023 года?", "Кто принял Бектенова?",
                                      "Что изменит новый закон о школах?"])
def test_not_a_change_question(question):
    assert not asks_change(question)


@pytest.mark.parametrize("title, text, decided", [
    ("О ключевой ставке Банка России", "Совет директоров Банка России принял решение снизить ключевую ставку c 17,00% "
     "до 15,00% годовых, учитывая снижение инфляции.", "cut"),
    ("Банк России принял решение повысить ключевую ставку до 20% годовых", "", "raise"),
    ("Банк России сохранил ключевую ставку на уровне 11,00% годовых", "Повышение цен замедлилось.", "keep"),
    ("О ключевой ставке Банка России", "Совет директоров перенёс рассмотрение вопроса о ключевой ставке.", ""),
])
def test_what_a_release_decided(title, text, decided):
    assert decision(title, text) == decided


def test_a_change_question_spans_every_date_it_names():
    assert date_span("Как менялась ставка от решения в июле 2023 года до решения в сентябре 2023 года?") == \
        DateRange(20230701, 20230930)
    assert date_span("Как изменилась ставка за 2017 год — от решения в марте до решения в декабре?") == \
        DateRange(20170301, 20171231)
    assert date_span("Динамика ставки с июля 2023 по июль 2024 года") == DateRange(20230701, 20240731)
    assert date_span("Как менялась ставка?") is None
    assert "2023" not in dateless("Ставка от решения в июле 2023 года до решения в сентябре 2023 года, в марте")
    assert "март" not in dateless("Ставка от решения в июле 2023 года до решения в марте")


def test_publication_day_and_the_day_a_figure_describes_are_told_apart():
    # «утвердил 16 мая»: published that day; «по оценке (Банка России) на 27 октября»: described by a later release
    assert parse_dates("Какую ставку Банк России утвердил 16 мая 2031 года?") == DateRange(20310516, 20310516)
    assert parse_dates("Какой была инфляция по оценке на 27 октября 2031 года?") == DateRange(20311027, 20311211)
    assert parse_dates("Какой была инфляция по оценке Банка России на 27 октября 2031 года?") == \
        DateRange(20311027, 20311211)
    assert parse_dates("What was annual inflation as estimated on 11 September 2023?").end == 20231026
    assert asked_day("Какой была ключевая ставка на 1 июля 2031 года?") == 20310701
    assert asked_day("Как менялась ставка в 2031 году?") is None


@pytest.mark.parametrize("question, span", [
    ("2015 жылғы наурыз бен желтоқсан аралығында инфляция қалай өзгерді?", DateRange(20150301, 20151231)),
    ("2021 жылғы наурыздан желтоқсанға дейін мөлшерлеме қалай өзгерді?", DateRange(20210301, 20211231)),
])
def test_a_kazakh_span_of_months(question, span):
    assert date_span(question) == span


@pytest.mark.parametrize("question, span", [
    ("Как изменился прогноз инфляции между июльским и октябрьским решениями ЦБ в 2023 году?",
     DateRange(20230701, 20231031)),
    ("Как за 2022 год менялся прогноз ЦБ по ВВП — от апрельского до октябрьского решения?",
     DateRange(20220401, 20221031)),
])
def test_a_span_between_decisions_named_by_their_months(question, span):
    assert date_span(question) == span
