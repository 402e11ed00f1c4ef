"""Retrieval and cited answers over the fixture corpus: the right release first, verbatim quotes, [n] markers
that match the citations, refusals in the question's language, filters, dates and follow-ups."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXPECTED, copy_corpus
from rag.answering.base import REFUSALS
from rag.assistant import Assistant
from rag.documents import Document, iter_input_files, load_path
from rag.query import build_query
from rag.retrieval import retrieve

CBR = {"cbr-2023-07-21", "cbr-2023-09-15"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return copy_corpus(tmp_path_factory.mktemp("retrieval") / "corpus")


@pytest.fixture(scope="module")
def assistant(settings, embedder, corpus, tmp_path_factory):
    chunked = settings.model_copy(update={"chunk_chars": 400})  # several passages per release
    opened = Assistant(settings=chunked, index_dir=tmp_path_factory.mktemp("retrieval-index"), embedder=embedder)
    summary = opened.ingest([corpus])
    assert summary.counts()["added"] == len(EXPECTED) and not summary.failed
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def texts(corpus) -> dict[str, str]:
    """The full text of every release, as loaded."""
    loaded = [d for path, root in iter_input_files([corpus]) for d in load_path(path, root, 2**20)]
    assert all(isinstance(d, Document) for d in loaded)
    return {d.id: d.text for d in loaded}


def ranked_docs(answer) -> list[str]:
    return list(dict.fromkeys(r["doc_id"] for r in answer.retrieved))


def cited(answer, doc_id: str, fact: str) -> bool:
    """The fact is quoted from that release (and so appears in the answer with its marker)."""
    return any(c["doc_id"] == doc_id and fact in c["quote"] for c in answer.citations)


def check_citations(answer, assistant, texts) -> None:
    """Every [n] has its citation and every citation its [n]; quotes are verbatim stored text."""
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    numbers = [c["n"] for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert sorted(set(markers)) == numbers
    stored = assistant.index.chunks([c["chunk_id"] for c in answer.citations])
    for citation in answer.citations:
        assert citation["quote"] in texts[citation["doc_id"]]
        assert citation["quote"] in stored[citation["chunk_id"]].text
        assert citation["chunk_id"].rsplit("#", 1)[0] == citation["doc_id"]
        title, date, source = EXPECTED[citation["doc_id"]]
        assert (citation["title"], citation["date"], citation["source"]) == (title, date, source)
        assert " ".join(citation["quote"].split()) in answer.answer


ANSWERABLE = [
    ("Какой объём экспортной квоты на зерно сохранило Правительство?", "gov-wheat-2024-03-14", "24 млн тонн"),
    ("Какой объем экспортной квоты на зерно сохранило Правительство?", "gov-wheat-2024-03-14", "24 млн тонн"),
    ("Сколько жилых домов подтоплено в Оренбургской области?", "mchs-floods-2024-04-08", "10 812 жилых домов"),
    ("Какой спутник запустили с космодрома Восточный?", "vostochny-launch", "«Метеор-М» № 2-4"),
    ("Сколько учеников зачислено в первые классы новой школы в Новосибирске?", "novosibirsk-school", "240 учеников"),
    ("Сколько самоваров представил музей в Казани?", "kazan-samovars", "300 самоваров"),
    ("Какой была ключевая ставка в июле 2023 года?", "cbr-2023-07-21", "8,50%"),
    ("До какого уровня Банк России повысил ключевую ставку в сентябре 2023 года?", "cbr-2023-09-15", "13,00%"),
]


@pytest.mark.parametrize("question, doc_id, fact", ANSWERABLE)
def test_answer_cites_the_right_release(assistant, texts, question, doc_id, fact):
    answer = assistant.ask(question)
    assert not answer.refused
    assert answer.retrieved[0]["doc_id"] == doc_id
    assert "[1]" in answer.answer
    assert answer.citations[0]["doc_id"] == doc_id
    assert cited(answer, doc_id, fact)
    assert fact in answer.answer
    check_citations(answer, assistant, texts)
    assert answer.closest == []


def test_answer_sentences_are_each_followed_by_their_marker(assistant):
    answer = assistant.ask("Какое решение по ключевой ставке принял Банк России 15 сентября 2023 года?")
    assert not answer.refused
    for citation in answer.citations:
        assert f"{' '.join(citation['quote'].split())} [{citation['n']}]" in answer.answer


@pytest.mark.parametrize("question", [
    "Какой урожай кукурузы собрали в Бразилии?",
    "Кто выиграл чемпионат мира по шахматам?",
    "Сколько стоит биткоин в Бразилии?",
])
def test_absent_topic_is_refused_in_russian(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.answer.startswith(REFUSALS["ru"])
    assert "Ближайшие документы:" in answer.answer
    assert answer.citations == []
    assert not re.search(r"\[\d+\]", answer.answer)
    assert answer.closest and len(answer.closest) <= 3
    assert set(answer.closest[0]) == {"doc_id", "title", "date", "url"}
    assert answer.closest[0]["doc_id"] == answer.retrieved[0]["doc_id"]
    assert f"— {answer.closest[0]['title']}" in answer.answer


@pytest.mark.parametrize("question", [
    "Какой курс биткоина установил Центробанк Бразилии?",
    "Сколько медалей завоевали российские фигуристы на чемпионате мира?",
])
def test_absent_topic_sharing_a_generic_word_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == []


@pytest.mark.parametrize("question", [
    "What exchange rate did the Central Bank of Brazil set for bitcoin?",
    "Who won the world chess championship?",
])
def test_absent_topic_is_refused_in_english(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.answer.startswith(REFUSALS["en"])
    assert "Closest documents:" in answer.answer
    assert answer.citations == [] and answer.closest


@pytest.mark.parametrize("question, doc_id, fact", [
    ("How many people were evacuated in the Orenburg region?", "mchs-floods-2024-04-08", "6 тысяч человек"),
    ("What satellite was launched from the Vostochny cosmodrome?", "vostochny-launch", "«Метеор-М» № 2-4"),
    ("To what level did the Bank of Russia raise the key rate in September 2023?", "cbr-2023-09-15", "13,00%"),
])
def test_english_question_is_answered_from_russian_releases(assistant, texts, question, doc_id, fact):
    answer = assistant.ask(question)
    assert not answer.refused
    assert ranked_docs(answer)[0] == doc_id
    assert cited(answer, doc_id, fact)
    check_citations(answer, assistant, texts)
    assert answer.answer.startswith("From the releases, quoted in Russian: ")


def test_a_kazakh_question_gets_kazakh_framing_around_the_russian_quotes(assistant, texts):
    answer = assistant.ask("Орынбор облысында қанша адам эвакуацияланды?")
    assert not answer.refused and answer.answer.startswith("Релиздерден үзінділер (орыс тілінде): ")
    assert cited(answer, "mchs-floods-2024-04-08", "6 тысяч человек")
    check_citations(answer, assistant, texts)


def test_absent_topic_is_refused_in_kazakh(assistant):
    answer = assistant.ask("Футбол чемпионатында кім жеңді?")
    assert answer.refused
    assert answer.answer.startswith(REFUSALS["kk"])
    assert "Ең жақын құжаттар:" in answer.answer


def test_question_about_a_period_with_no_release_is_refused(assistant):
    answer = assistant.ask("Какой была ключевая ставка Банка России в июле 2019 года?")
    assert answer.refused
    assert answer.citations == []
    assert set(ranked_docs(answer)[:2]) == CBR  # the closest releases are still named


@pytest.mark.parametrize("question", [
    "Сколько жилых домов подтоплено в Оренбургской области в 2023 году?",  # 2023 has releases, not on floods
    "Сколько домов подтопил паводок 2021 года в Оренбургской области?",
])
def test_question_naming_a_year_the_topic_release_is_not_from_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == []
    assert "mchs-floods-2024-04-08" in ranked_docs(answer)[:3]


@pytest.mark.parametrize("question", [
    "Во сколько обошлось строительство новой школы в Новосибирске?",  # the release gives no cost
    "Сколько процентов учеников новой школы в Новосибирске пошли в первый класс?",  # nor a percentage
])
def test_how_much_question_without_that_kind_of_number_in_the_release_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == []
    assert ranked_docs(answer)[0] == "novosibirsk-school"


def test_a_name_the_releases_found_do_not_mention_is_refused_and_named(assistant):
    asked = "Сколько домов подтоплено в Оренбургской области в апреле 2024 года"
    assert not assistant.ask(f"{asked}?").refused
    # Минсельхоз is in a March release, not in April's: the question is about something else.
    elsewhere = assistant.ask(f"{asked}, по данным Минсельхоза?")
    never_seen = assistant.ask(f"{asked}, по данным Пентагона?")  # no release mentions it at all
    for answer, name in ((elsewhere, "Минсельхоза"), (never_seen, "Пентагона")):
        assert answer.refused and answer.citations == [] and answer.refusal_reason == "entity"
        assert f"не упоминает «{name}»" in answer.answer.split("\n")[0]


def test_a_day_counts_when_a_later_release_of_that_year_recalls_it(assistant):
    answer = assistant.ask("Какую экспортную квоту на зерно ввели с 15 февраля 2024 года?")  # said on 14 March
    assert not answer.refused
    assert cited(answer, "gov-wheat-2024-03-14", "24 млн тонн")


def test_a_year_counts_when_a_release_of_another_year_mentions_it(assistant):
    answer = assistant.ask("До какого уровня вернётся годовая инфляция в 2024 году по прогнозу Банка России?")
    assert not answer.refused
    assert any(c["doc_id"] in CBR and "4% в 2024 году" in c["quote"] for c in answer.citations)


def test_empty_question_and_unknown_mode_are_errors(assistant):
    with pytest.raises(ValueError, match="empty"):
        assistant.ask("   ")
    with pytest.raises(ValueError, match="unknown answer mode 'oracle'"):
        assistant.ask("Какой спутник запустили?", mode="oracle")


# Filters


def test_date_filters_exclude_releases_outside(assistant, texts):
    answer = assistant.ask("Какой была ключевая ставка?", date_from="2023-09-01", date_to="2023-12-31")
    assert ranked_docs(answer) == ["cbr-2023-09-15"]
    assert not answer.refused and "13,00%" in answer.answer
    check_citations(answer, assistant, texts)

    answer = assistant.ask("Какой была ключевая ставка?", date_from="2024-01-01")
    docs = ranked_docs(answer)
    assert docs and not set(docs) & CBR
    assert all(EXPECTED[d][1] >= "2024-01-01" for d in docs)  # undated releases are outside too

    answer = assistant.ask("Какой была ключевая ставка?", date_to="2023-08-01")
    assert ranked_docs(answer)[0] == "cbr-2023-07-21"
    assert "cbr-2023-09-15" not in ranked_docs(answer)


def test_date_to_filter_excludes_undated_releases(assistant):
    answer = assistant.ask("Какой была ключевая ставка?", date_to="2023-08-01")
    assert ranked_docs(answer) == ["cbr-2023-07-21"]


def test_source_filter(assistant):
    answer = assistant.ask("Сколько пшеницы отгрузили за рубеж?", sources=["Банк России"])
    assert set(ranked_docs(answer)) == CBR
    answer = assistant.ask("Сколько пшеницы отгрузили за рубеж?", sources=["МЧС России", "Правительство России"])
    assert ranked_docs(answer)[0] == "gov-wheat-2024-03-14"
    assert set(ranked_docs(answer)) == {"gov-wheat-2024-03-14", "mchs-floods-2024-04-08"}
    assert assistant.ask("Сколько пшеницы отгрузили?", sources=["Нет такого"]).retrieved == []


# Dates in the question


@pytest.mark.parametrize(
    "question, first, rate",
    [
        ("Какой была ключевая ставка в июле 2023 года?", "cbr-2023-07-21", "8,50%"),
        ("Какой была ключевая ставка в сентябре 2023 года?", "cbr-2023-09-15", "13,00%"),
        ("Какой была ключевая ставка осенью 2023 года?", "cbr-2023-09-15", "13,00%"),
        ("Какой была ключевая ставка 21.07.2023?", "cbr-2023-07-21", "8,50%"),
    ],
)
def test_date_in_question_ranks_the_release_of_that_date_first(assistant, question, first, rate):
    answer = assistant.ask(question)
    docs = ranked_docs(answer)
    assert docs[0] == first
    assert set(docs[:2]) == CBR  # the other one is close behind: only the date tells them apart
    assert not answer.refused
    assert cited(answer, first, rate)
    other = next(iter(CBR - {first}))
    assert not any(c["doc_id"] == other for c in answer.citations)


def test_answer_quotes_only_releases_of_the_period_named(assistant):
    answer = assistant.ask("Какой была ключевая ставка летом 2023 года?")  # the September release says "летом"
    assert ranked_docs(answer)[0] == "cbr-2023-07-21"
    assert cited(answer, "cbr-2023-07-21", "8,50%")
    assert [c["doc_id"] for c in answer.citations if c["doc_id"] != "cbr-2023-07-21"] == []


# Follow-ups


@pytest.mark.parametrize("history", [
    ["Сколько жилых домов подтоплено в Оренбургской области?"],
    [{"q": "Сколько жилых домов подтоплено в Оренбургской области?"}],
    [{"role": "user", "content": "Сколько жилых домов подтоплено в Оренбургской области?"},
     {"role": "assistant", "content": "По состоянию на утро 8 апреля подтоплены 10 812 жилых домов."}],
])
def test_followup_with_history_finds_the_release(assistant, texts, history):
    answer = assistant.ask("А сколько человек оттуда эвакуировали?", history=history)
    assert answer.search_query == ("Сколько жилых домов подтоплено в Оренбургской области? "
                                   "А сколько человек оттуда эвакуировали?")
    assert answer.retrieved[0]["doc_id"] == "mchs-floods-2024-04-08"
    assert not answer.refused
    assert answer.citations[0]["doc_id"] == "mchs-floods-2024-04-08"
    assert cited(answer, "mchs-floods-2024-04-08", "более 6 тысяч человек")
    check_citations(answer, assistant, texts)


def test_followup_naming_another_month(assistant):
    history = ["Какой была ключевая ставка Банка России в июле 2023 года?"]
    answer = assistant.ask("А в сентябре?", history=history)
    assert ranked_docs(answer)[0] == "cbr-2023-09-15"
    assert not answer.refused and cited(answer, "cbr-2023-09-15", "13,00%")


def test_followup_without_history_stays_alone(assistant):
    answer = assistant.ask("А сколько человек оттуда эвакуировали?")
    assert answer.search_query == "А сколько человек оттуда эвакуировали?"


# The JSON answer


def test_json_shape(assistant):
    answer = assistant.ask("Сколько жилых домов подтоплено в Оренбургской области?", id="q-7")
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert {"id", "question", "answer", "refused", "citations", "retrieved", "timings_ms"} <= set(data)
    assert data["id"] == "q-7"
    assert data["question"] == "Сколько жилых домов подтоплено в Оренбургской области?"
    assert data["refused"] is False and data["mode"] == "extractive"
    assert data["citations"]
    for citation in data["citations"]:
        assert {"n", "doc_id", "title", "date", "source", "url", "quote"} <= set(citation)
    assert data["citations"][0]["url"] == "https://mchs.example/news/floods-2024-04-08"
    assert 1 <= len(data["retrieved"]) <= assistant.settings.top_k
    assert all(set(r) == {"doc_id", "chunk_id", "score"} for r in data["retrieved"])
    scores = [r["score"] for r in data["retrieved"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert len({r["chunk_id"] for r in data["retrieved"]}) == len(data["retrieved"])
    assert {"query", "retrieval", "answer", "total"} <= set(data["timings_ms"])
    assert all(isinstance(v, float) and v >= 0 for v in data["timings_ms"].values())
    assert data["timings_ms"]["total"] >= data["timings_ms"]["retrieval"]


@pytest.mark.parametrize("question", ["Какая сейчас ключевая ставка Банка России?",
                                      "What is the current key rate of the Bank of Russia?"])
def test_a_question_about_the_present_is_answered_from_the_newest_release_with_its_date(assistant, question):
    answer = assistant.ask(question)
    assert not answer.refused
    assert {c["doc_id"] for c in answer.citations} == {"cbr-2023-09-15"}
    assert "13,00%" in answer.answer and "2023-09-15:" in answer.answer


def test_without_now_the_same_question_reads_every_release(assistant):
    answer = assistant.ask("Какая была ключевая ставка Банка России в июле 2023 года?")
    assert {c["doc_id"] for c in answer.citations} == {"cbr-2023-07-21"} and "последнего релиза" not in answer.answer
