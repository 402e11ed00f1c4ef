"""Time against a real index (rag/temporal.py through rag.Assistant): relative turns in a conversation, the
newest value, a value on a day (in force, or estimated by a later release) and timelines, over invented
Bank-of-Russia-style releases of 2031 and phone calls with an invented leader (tests/fixtures/keyrate)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.cli import main

KEYRATE = Path(__file__).parent / "fixtures" / "keyrate"
MARCH = "Какое решение Банк России принял по ключевой ставке 28 марта 2031 года?"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("temporal-index")


@pytest.fixture(scope="module")
def assistant(settings, embedder, index_dir):
    opened = Assistant(settings=settings, index_dir=index_dir, embedder=embedder)
    assert opened.ingest([KEYRATE]).counts()["added"] == 12
    yield opened
    opened.close()


def cited(answer) -> set[str]:
    return {c["doc_id"] for c in answer.citations}


def check_citations(answer, assistant) -> None:
    markers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)})
    assert markers == [c["n"] for c in answer.citations]
    stored = assistant.index.chunks([c["chunk_id"] for c in answer.citations])
    assert all(c["quote"] in stored[c["chunk_id"]].text for c in answer.citations)


@pytest.mark.parametrize("question, history, release, fact", [
    ("А на следующем заседании?", [MARCH], "keyrate-2031-05-16", "10,50%"),
    ("Какое решение приняли на следующем заседании?", [MARCH], "keyrate-2031-05-16", "10,50%"),
    ("А до этого?", [MARCH], "keyrate-2031-02-14", "9,00%"),
    ("And at the next meeting?", ["What did the Bank of Russia decide on its key rate on 28 March 2031?"],
     "keyrate-2031-05-16", "10,50%"),
    ("What about the previous decision?", ["What did the Bank of Russia decide on its key rate on 28 March 2031?"],
     "keyrate-2031-02-14", "9,00%"),
    ("Ал келесі отырыста ше?", ["Ресей Банкі 2031 жылғы 28 наурызда негізгі мөлшерлемені қандай деңгейге дейін көтерді?"],
     "keyrate-2031-05-16", "10,50%"),
    # each later release is read in order: 16 May raised, 27 June kept, 8 August cut
    ("Когда её впервые после этого снизили?", [MARCH], "keyrate-2031-08-08", "10,00%"),
    ("Когда её впервые после этого сохранили?", [MARCH], "keyrate-2031-06-27", "10,50%"),
    ("When was it first cut after that?", ["What did the Bank of Russia decide on its key rate on 16 May 2031?"],
     "keyrate-2031-08-08", "10,00%"),
    # the one before the one before: turns follow each other
    ("А до этого?", [MARCH, "А на следующем заседании?"], "keyrate-2031-03-28", "10,00%"),
])
def test_a_relative_turn_moves_along_the_series_of_the_release_discussed(assistant, question, history, release, fact):
    answer = assistant.ask(question, history)
    assert cited(answer) == {release} and fact in answer.answer
    assert release[-10:] in answer.answer  # the note before the quotes says which release (the quotes say «16 мая»)
    check_citations(answer, assistant)


@pytest.mark.parametrize("question, release, fact", [
    # the event the question names is found by its period and words; the turn is taken from it
    ("Какую годовую инфляцию ЦБ оценивал на заседании, следующем за повышением ставки до 10,50% в мае 2031 года?",
     "keyrate-2031-06-27", "6,6%"),
    ("Какую годовую инфляцию Банк России отмечал перед повышением ставки до 10,00% в марте 2031 года?",
     "keyrate-2031-02-14", "5,1%"),
    ("Какую годовую инфляцию ЦБ оценивал в первом решении после того, как в марте 2031 года повысил ставку?",
     "keyrate-2031-05-16", "6,4%"),
    ("Когда ЦБ впервые снизил ставку после повышения в мае 2031 года?", "keyrate-2031-08-08", "10,00%"),
    ("What annual inflation did the Bank of Russia report at the meeting after the hike to 10.50% in May 2031?",
     "keyrate-2031-06-27", "6,6%"),
])
def test_a_turn_from_an_event_the_question_names_moves_along_its_series(assistant, question, release, fact):
    answer = assistant.ask(question)
    assert cited(answer) == {release} and fact in answer.answer
    check_citations(answer, assistant)


@pytest.mark.parametrize("question, release", [
    ("Какое решение Банк России принял в первом заседании 2031 года?", "keyrate-2031-02-14"),
    ("Что ЦБ решил на последнем заседании 2031 года?", "keyrate-2031-10-31"),
    ("What did the Bank of Russia decide in its first key rate decision of 2031?", "keyrate-2031-02-14"),
])
def test_the_first_or_last_release_of_a_period_is_its_earliest_or_newest(assistant, question, release):
    answer = assistant.ask(question)
    assert cited(answer) == {release} and release[-10:] in answer.answer


def test_the_freshest_release_is_the_newest():
    from rag.query import build_query

    assert build_query("Какова ставка по самому свежему решению?").latest


def test_the_next_meeting_a_release_announces_is_no_turn_from_it(assistant):
    answer = assistant.ask("На какую дату было назначено следующее заседание после повышения ставки в марте 2031 года?")
    assert "keyrate-2031-03-28" in cited(answer) and "16 мая 2031" in answer.answer


def test_a_turn_stays_within_the_kind_of_release_and_the_leader(assistant):
    first = "О чём Путин говорил по телефону с Президентом Северной Зеландии 3 марта 2031 года?"
    answer = assistant.ask("А о чём шла речь в их следующем телефонном разговоре?", [first])
    # not the call with another leader (10 April), nor the meeting with the same one (1 July)
    assert cited(answer) == {"call-larsen-2031-06-05"} and "Северной Зеландии" in answer.answer
    back = assistant.ask("А до этого?", [first.replace("3 марта", "5 июня")])
    assert cited(back) == {"call-larsen-2031-03-03"}


def test_the_history_may_hold_the_assistants_turns(assistant):
    history = [{"role": "user", "content": MARCH},
               {"role": "assistant", "content": "Совет директоров … повысить ключевую ставку … до 10,00% годовых. [1]"}]
    assert cited(assistant.ask("А на следующем заседании?", history)) == {"keyrate-2031-05-16"}
    blocks = [{"role": "user", "content": [{"type": "text", "text": MARCH}]}]
    assert cited(assistant.ask("А до этого?", blocks)) == {"keyrate-2031-02-14"}


def test_no_later_release_is_said_not_invented(assistant):
    answer = assistant.ask("А на следующем заседании?", ["Какое решение Банк России принял 31 октября 2031 года?"])
    assert cited(answer) == {"keyrate-2031-10-31"} and "нет более позднего релиза" in answer.answer
    never = assistant.ask("А когда её впервые после этого повысили?", ["Что Банк России решил 8 августа 2031 года?"])
    assert "нет более позднего релиза этой серии с решением «повысить»" in never.answer


def test_the_announced_date_of_the_next_meeting_is_read_in_the_release_at_hand(assistant):
    answer = assistant.ask("А на какую дату назначили следующее заседание?", [MARCH])
    assert "keyrate-2031-03-28" in cited(answer) and "16 мая 2031" in answer.answer


@pytest.mark.parametrize("question", ["Какова ключевая ставка Банка России?", "What is the Bank of Russia's key rate?",
                                      "Какая сейчас ключевая ставка?"])
def test_a_value_that_changes_is_the_newest_with_its_date_without_saying_now(assistant, question):
    answer = assistant.ask(question)
    assert cited(answer) == {"keyrate-2031-10-31"} and "9,50%" in answer.answer and "2031-10-31:" in answer.answer


@pytest.mark.parametrize("question, release", [
    ("Сколько мест в новой школе в Барнауле?", "school-2031-09-01"),  # one event, no series
    ("Во сколько обошлось строительство школы в Барнауле?", "school-2031-09-01"),
    ("До какого уровня Банк России повысил ключевую ставку на 50 б.п.?", "keyrate-2031-05-16"),  # singles one out
])
def test_the_newest_value_rule_leaves_questions_about_one_event_alone(assistant, question, release):
    answer = assistant.ask(question)
    assert release in cited(answer) and "последнего релиза" not in answer.answer


def test_a_publication_day_and_a_day_a_figure_describes(assistant):
    published = assistant.ask("Какое решение Банк России принял 16 мая 2031 года?")
    assert cited(published) == {"keyrate-2031-05-16"}
    # «по оценке на 27 октября»: the release of 31 October gives the estimate
    estimated = assistant.ask("Какой была годовая инфляция по оценке на 27 октября 2031 года?")
    assert cited(estimated) == {"keyrate-2031-10-31"} and "6,2%" in estimated.answer
    # no release of 1 July, none of the following weeks names it: the rate in force, set on 27 June
    in_force = assistant.ask("Какой была ключевая ставка на 1 июля 2031 года?")
    assert cited(in_force) == {"keyrate-2031-06-27"} and "10,50%" in in_force.answer and "2031-06-27" in in_force.answer
    # the first days of a month ask as of its first day; its end asks what was decided then
    first_days = assistant.ask("Какая ключевая ставка действовала в первые дни июля 2031 года?")
    assert cited(first_days) == {"keyrate-2031-06-27"} and "2031-07-01" in first_days.answer
    late = assistant.ask("Какое решение по ключевой ставке Банк России принял в конце июня 2031 года?")
    assert cited(late) == {"keyrate-2031-06-27"} and "2031-07-01" not in late.answer
    # 19 September postponed the decision: in force on the 20th is what 8 August set
    postponed = assistant.ask("What was the key rate as of 20 September 2031?")
    assert cited(postponed) == {"keyrate-2031-08-08"} and "10,00%" in postponed.answer
    # inflation is measured, not set: the last figure reported before 1 July is no value "in force" on it
    measured = assistant.ask("Какой была годовая инфляция на 1 июля 2031 года?")
    assert "2031-07-01" not in measured.answer


RATES = [("2031-02-14", "9,00%"), ("2031-03-28", "10,00%"), ("2031-05-16", "10,50%"), ("2031-06-27", "10,50%"),
         ("2031-08-08", "10,00%"), ("2031-09-19", ""), ("2031-10-31", "9,50%")]


def test_how_a_value_changed_is_a_timeline_of_every_release_of_the_period(assistant):
    answer = assistant.ask("Как менялась ключевая ставка в 2031 году?")
    assert [(row["date"], row["value"]) for row in answer.timeline] == RATES
    assert all(set(row) == {"date", "value", "label", "doc_id", "chunk_id", "quote"} for row in answer.timeline)
    stored = assistant.index.chunks([row["chunk_id"] for row in answer.timeline])
    assert all(row["quote"] in stored[row["chunk_id"]].text and row["value"] in row["quote"] for row in answer.timeline)
    assert answer.timeline[5]["quote"] == "" and answer.timeline[5]["label"] == "О ключевой ставке Банка России"
    assert len(answer.citations) == 6 and all(value in answer.answer for _, value in RATES)
    check_citations(answer, assistant)
    inflation = assistant.ask("Как менялась годовая инфляция в 2031 году?")
    assert [row["value"] for row in inflation.timeline] == ["5,1%", "5,8%", "6,4%", "6,6%", "6,3%", "", "6,2%"]
    english = assistant.ask("How did the Bank of Russia key rate change from May to August 2031?")
    assert [(row["date"], row["value"]) for row in english.timeline] == RATES[2:5]


def test_since_then_is_the_timeline_after_the_release_discussed(assistant):
    answer = assistant.ask("Как менялась ставка с тех пор?", ["Какое решение Банк России принял 27 июня 2031 года?"])
    assert [(row["date"], row["value"]) for row in answer.timeline] == RATES[4:]


def test_other_questions_have_no_timeline(assistant):
    assert assistant.ask("Какое решение Банк России принял 16 мая 2031 года?").to_dict()["timeline"] == []
    assert assistant.ask("Как изменилась жизнь в Барнауле после открытия школы?").timeline == []  # no series


def test_rag_ask_prints_the_timeline_as_a_table(assistant, index_dir, capsys):
    assert main(["ask", "Как менялась ключевая ставка в 2031 году?", "--index", str(index_dir)]) == 0
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if re.match(r"\d{4}-\d\d-\d\d\s", line)]
    assert [line.split()[:2] for line in lines] == [[d, v] if v else [d, "–"] for d, v in RATES]
    assert "О ключевой ставке Банка России" in lines[5]
    assert main(["ask", "Как менялась ключевая ставка в 2031 году?", "--index", str(index_dir), "--json"]) == 0
    assert [row["value"] for row in json.loads(capsys.readouterr().out)["timeline"]] == [v for _, v in RATES]


def test_turn_words_about_a_release_of_no_series_leave_the_question_as_asked(assistant):
    # the school release is of no series: «до этого» speaks of its own text
    answer = assistant.ask("А что было в Барнауле до этого?", ["Сколько мест в новой школе в Барнауле?"])
    assert "Предыдущий релиз" not in answer.answer and "нет более раннего" not in answer.answer.lower()
