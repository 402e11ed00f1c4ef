"""The question model (entities, answer type, focus, predicate) and the constraints checked with it, on
Russian, English and Kazakh questions written for these tests; refusals that say which constraint failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_corpus
from rag.answering.constraints import Failure, Named, enforced_entities, passage_failure, sentence_failure
from rag.answering.question import Entity, read_question
from rag.assistant import Assistant
from rag.query import build_query
from rag.retrieval import Passage
from rag.text import query_terms

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"


def model(question: str, history: list[str] | None = None):
    return read_question(build_query(question, history or []))


def passage(text: str, date: str = "2024-04-08", source: str = "МЧС России", doc_id: str = "d") -> Passage:
    return Passage(f"{doc_id}#0", doc_id, "Заголовок", date, source, "", text, 1.0)


def test_russian_entities_come_from_ner_with_their_stems():
    question = model("На какую сумму Казахстан готов нарастить экспорт в Узбекистан?")
    assert [(e.text, e.kind) for e in question.entities] == [("Казахстан", "LOC"), ("Узбекистан", "LOC")]
    assert question.entities[1].stems == ("узбекиста",)
    assert question.answer_type == "money"


def test_an_abbreviation_is_spelled_out_as_releases_spell_it():
    [entity] = model("Какое решение принял ЦБ в июле 2023 года?").entities
    assert entity.text == "ЦБ" and set(entity.stems) == {"банк", "росс"}


def test_a_follow_up_keeps_the_entities_of_the_question_it_follows():
    question = model("А сколько домов там подтоплено?", ["Что случилось в Оренбургской области?"])
    assert [e.text for e in question.entities] == ["Оренбургской области"]


def test_how_many_names_what_it_counts_and_the_predicate_what_happened():
    question = model("Сколько новых документов подписали стороны?")
    assert question.answer_type == "number"
    assert (question.focus, question.focus_word) == (("документ",), "документов")
    assert "подписа" in question.predicate
    assert model("Сколько стоит билет?").focus == ()  # «стоит» is a verb, not what is counted


def test_english_names_are_rendered_in_russian_and_how_many_has_a_focus():
    question = model("How many agreements did Putin sign in Muscat?")
    assert [e.text for e in question.entities] == ["Putin", "Muscat"]
    assert question.entities[0].stems == ("путин",)
    assert question.answer_type == "number" and question.focus == ("соглашен",)


def test_kazakh_names_lose_their_case_endings():
    question = model("Тоқаевтың Бішкекке сапары қашан болды?")
    stems = {stem for entity in question.entities for stem in entity.stems}
    assert set(query_terms("Токаев Бишкек")) <= stems
    assert question.answer_type == "date"


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


def test_the_seat_of_a_publisher_goes_without_saying_in_its_releases():
    question = model("Кого Путин наградил в Кремле?")
    named = [Named(e, frozenset({"кремл"})) for e in question.entities if e.text == "Кремле"]
    kremlin = passage("Президент вручил государственные награды.", source="Президент России (kremlin.ru)")
    other = passage("Министр вручил награды.", source="Минобороны")
    assert passage_failure(question, kremlin, {"президент"}, named, lambda w, t: False) is None
    assert passage_failure(question, other, {"министр"}, named, lambda w, t: False) == Failure("entity", "Кремле")


def test_a_name_no_release_knows_refuses_a_russian_question_but_not_an_english_one():
    known = {"узбекиста": ["узбекиста"], "казахста": ["казахста"]}

    def spellings(stem: str, transliterated: bool = False) -> list[str]:
        return known.get(stem, [])

    idf = lambda term: 5.0 if term in known else None  # noqa: E731
    named, unheard = enforced_entities(model("Что Казахстан поставляет в Зимбабве?"), spellings, idf)
    assert [n.entity.text for n in named] == ["Казахстан"] and unheard.text == "Зимбабве"
    named, unheard = enforced_entities(model("What does Kazakhstan export to Zimbabwe?"), spellings, idf)
    assert unheard is None and [n.entity.text for n in named] == ["Kazakhstan"]
    assert enforced_entities(model("Что сказал представитель ЦДУМ?"), spellings, idf) == ([], None)  # acronym


@pytest.mark.parametrize("question, sentence, failed", [
    ("Во сколько обошлось строительство моста?", "Мост построен за два года.", "answer_type"),
    ("Во сколько обошлось строительство моста?", "Мост обошёлся в 3,2 млрд рублей.", None),
    ("Во сколько обошлось строительство терминала?", "Терминал переваливает 18 миллионов тонн в год.", "answer_type"),
    ("Сколько процентов выпускников поступили в вузы?", "Выпускники поступили в вузы.", "answer_type"),
    ("Сколько домов подтоплено?", "Подтоплены 10 812 жилых домов.", None),
    ("Сколько домов подтоплено?", "Паводок начался 8 апреля 2024 года.", "answer_type"),  # a date is no amount
])
def test_a_quotable_sentence_holds_the_answer_type(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence), sentence)
    assert (failure.constraint if failure else None) == failed


def test_an_undated_release_answers_when_only_in_its_words():
    question = model("Когда состоится визит президента?")
    undated = passage("Визит президента состоится в ближайшее время.", date="")
    dated = passage("Визит президента состоится в ближайшее время.")
    assert sentence_failure(question, undated, undated.text) == Failure("answer_type", "date")
    assert sentence_failure(question, dated, dated.text) is None
    assert sentence_failure(question, undated, "Визит состоится 12 мая 2024 года.") is None


@pytest.fixture(scope="module")
def assistant(settings, embedder, tmp_path_factory):
    corpus = copy_corpus(tmp_path_factory.mktemp("model") / "corpus")
    opened = Assistant(settings=settings, index_dir=tmp_path_factory.mktemp("model-index"), embedder=embedder)
    opened.ingest([corpus])
    yield opened
    opened.close()


@pytest.mark.parametrize("question, reason, said", [
    ("Сколько домов подтоплено в Курганской области в апреле 2024 года?", "entity", "«Курганской области»"),
    ("Сколько автобусов выделили для эвакуации в Оренбургской области в апреле 2024 года?", "focus", "«автобусов»"),
    ("Во сколько обошлось строительство новой школы в Новосибирске?", "answer_type", "нет суммы"),
])
def test_a_refusal_says_which_constraint_failed(assistant, question, reason, said):
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == [] and answer.refusal_reason == reason
    assert said in answer.answer.split("\n")[0]


def test_a_kazakh_refusal_speaks_kazakh_and_names_the_constraint(assistant):
    answer = assistant.ask("Новосибирскідегі жаңа мектептің құрылысы қанша теңгеге түсті?")
    assert answer.refused and answer.answer.startswith("Индекстелген баспасөз релиздерінде")
    assert "сома жоқ" in answer.answer.split("\n")[0]


def test_a_sum_must_be_the_cost_of_what_the_question_names():
    question = model("Во сколько обошлось строительство нового моста через Ишим?")
    assert question.answer_type == "money" and question.cost_of == ("моста", "Ишим")
    other = "На ремонт дорог области направлено 3,2 млрд рублей."
    own = "Строительство моста обошлось бюджету в 3,2 млрд рублей."
    assert sentence_failure(question, passage(other), other, other) == Failure("focus", "Ишим")
    assert sentence_failure(question, passage(own), own, own) is None
    beside = "Мост открыт для движения. Его строительство обошлось в 3,2 млрд рублей."
    assert sentence_failure(question, passage(beside), "Его строительство обошлось в 3,2 млрд рублей.", beside) is None


def test_a_kazakh_how_many_names_what_it_counts_through_the_glossary():
    question = model("Сапар кезінде неше құжатқа қол қойылды?")
    assert question.answer_type == "number" and question.focus_word == "құжатқа"
    assert "документ" in question.focus


def test_the_models_loaded_fast_tag_as_natashas_own(tmp_path):
    from natasha import Doc, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    from rag.answering.natasha_models import load
    from rag.evaluation.command import documents

    def tagged(models, text: str):
        segmenter, morph, ner = models
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        return [(t.text, t.pos, t.feats) for t in doc.tokens], [(s.start, s.stop, s.type) for s in doc.spans]

    embedding = NewsEmbedding()
    natasha = (Segmenter(), NewsMorphTagger(embedding), NewsNERTagger(embedding))
    texts = [f"{doc.title}. {doc.text[:300]}" for doc in documents([CORPUS_DIR], 2**24)][::4]
    texts += ["Куда прибыл Олжас Бектенов?", "Ёлка в Заполярье: Эмбало и ЦБ РФ", "xyzzy QWERTY 2024-го", ""]
    for models in (load(tmp_path / "cache"), load(tmp_path / "cache"), load(None)):  # made, read back, in memory
        assert [tagged(models, text) for text in texts] == [tagged(natasha, text) for text in texts]
    assert (tmp_path / "cache" / "natasha-words").is_dir()
