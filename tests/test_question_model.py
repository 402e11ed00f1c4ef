"""The question model (entities, answer type, focus, predicate) and the constraints checked with it, on
Russian, English and Kazakh questions written for these tests; refusals that say which constraint failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_corpus
from rag.answering.constraints import (Failure, Named, enforced_entities, passage_failure, premise_failure,
                                      sentence_failure, unanswered_clause)
from rag.answering.question import Entity, read_question
from rag.assistant import Assistant
from rag.query import build_query
from rag.retrieval import Passage
from rag.text import query_terms, terms

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


def test_a_place_is_known_by_its_name_word_not_by_the_word_for_its_kind():
    [entity] = model("Кого назначили врио губернатора Курганской области?").entities
    assert entity.name_stems == ("курганск",)
    spellings = lambda stem, transliterated=False: {"курганск": ["курганск"], "област": ["област"]}.get(stem, [])  # noqa: E731
    idf = lambda term: 4.0  # noqa: E731 - «области» as rare as «Курганской»: only the name word may tell them apart
    [named], _ = enforced_entities(model("Кого назначили врио губернатора Курганской области?"), spellings, idf)
    assert named.spellings == {"курганск"}
    other_region = passage("Назначить временно исполняющим обязанности губернатора Оренбургской области.")
    assert passage_failure(model("Кого назначили врио губернатора Курганской области?"), other_region,
                           {"оренбургск", "област"}, [named], lambda w, t: False) == Failure("entity", "Курганской области")


def test_a_question_asking_two_things_needs_each_answered_by_some_release():
    question = model("Кто сменил Дениса Паслера в Оренбургской области, и какой регион возглавил Паслер?")
    assert {e.text: e.clause for e in question.entities} == {"Дениса Паслера": 0, "Оренбургской области": 0,
                                                             "Паслер": 1}
    named = [Named(e, frozenset(e.stems[-1:])) for e in question.entities]
    orenburg = passage("Назначить Солнцева врио губернатора Оренбургской области.", doc_id="a")
    sverdlovsk = passage("Назначить Паслера врио губернатора Свердловской области.", doc_id="b")
    held = {"a": {"паслер", "област"}, "b": {"паслер"}}
    # each release answers one clause: both are eligible, and the question is answered
    assert passage_failure(question, sverdlovsk, held["b"], named, lambda w, t: False) is None
    assert unanswered_clause(named, [(orenburg, held["a"]), (sverdlovsk, held["b"])]) is None
    # no release names the Orenburg region: the first clause is unanswered, whatever answers the second
    assert unanswered_clause(named, [(sverdlovsk, held["b"])]) == Failure("entity", "Оренбургской области")


@pytest.mark.parametrize("question, text, failed", [
    # a why-question is answered only where its premise is said
    ("Почему Банк России повысил ключевую ставку в октябре?",
     "Совет директоров Банка России принял решение повысить ключевую ставку до 21%. Инфляция ускорилась.", None),
    ("Почему глава региона отказался встретиться с министром в Бишкеке?",
     "В Бишкеке главу региона принял министр. Стороны обсудили торговлю.", Failure("premise")),
    # an opposite change of the same thing makes the premise false, and is quoted
    ("Почему Банк России снизил ключевую ставку в октябре?",
     "Совет директоров Банка России принял решение повысить ключевую ставку до 21%.",
     Failure("premise", "Совет директоров Банка России принял решение повысить ключевую ставку до 21%.")),
    ("На сколько Банк России снизил ключевую ставку в июне?",
     "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 16%.",
     Failure("premise", "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 16%.")),
    # a change of something else is no denial («снизить инфляционные ожидания»)
    ("На сколько Банк России снизил ключевую ставку в июне?",
     "Банк России намерен снизить инфляционные ожидания. Ставка обсуждалась.", None),
    # what it says happened is its finite verb, not the verb it governs
    ("Почему президент Франции отозвал приглашение посетить Париж?",
     "Президент Франции подтвердил приглашение посетить Париж.", Failure("premise")),
    # a premise in the negative is said only in the negative; the release saying otherwise is quoted
    ("Почему президент Казахстана не приедет на торжества в Москве?",
     "В торжествах в Москве примет участие президент Казахстана, он приедет в Москву.",
     Failure("premise", "В торжествах в Москве примет участие президент Казахстана, он приедет в Москву.")),
    ("Почему президент Казахстана не приедет на торжества в Москве?",
     "Президент Казахстана не приедет на торжества в Москве из-за болезни.", None),
])
def test_a_premise_must_be_said_and_a_contrary_change_denies_it(question, text, failed):
    weights = {term: 1.0 for term in build_query(question).content_terms}
    assert premise_failure(model(question), passage(text), weights) == failed


def test_when_something_lies_ahead_the_release_date_is_no_answer():
    question = model("Когда состоится визит президента в Казахстан?")
    assert question.future and not model("Когда президент посетил Казахстан?").future
    dated = passage("Президент поздравил коллег с праздником.")
    assert sentence_failure(question, dated, dated.text) == Failure("answer_type", "date")
    assert sentence_failure(question, dated, "Визит состоится 12 мая 2025 года.") is None
    assert model("When will the president visit Kazakhstan?").future


@pytest.mark.parametrize("question, sentence, failed", [
    ("Какого числа министр прибыл в Бишкек?", "Министр прибыл в Бишкек в 2024 году.", "answer_type"),
    ("Какого числа министр прибыл в Бишкек?", "Министр прибыл в Бишкек 12 марта 2024 года.", None),
])
def test_asking_for_the_day_wants_a_day_from_an_undated_release(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence, date=""), sentence)
    assert (failure.constraint if failure else None) == failed


@pytest.mark.parametrize("question, sentence, failed", [
    ("Во сколько обошлось строительство моста?", "Мост построен за два года.", "answer_type"),
    ("Во сколько обошлось строительство моста?", "Мост обошёлся в 3,2 млрд рублей.", None),
    ("Во сколько обошлось строительство терминала?", "Терминал переваливает 18 миллионов тонн в год.", "answer_type"),
    ("Сколько процентов выпускников поступили в вузы?", "Выпускники поступили в вузы.", "answer_type"),
    ("Сколько домов подтоплено?", "Подтоплены 10 812 жилых домов.", None),
    ("Сколько домов подтоплено?", "Паводок начался 8 апреля 2024 года.", "answer_type"),  # a date is no amount
    ("Сколько будет стоить новый терминал?", "Терминал будет переваливать 18 миллионов тонн.", "answer_type"),
])
def test_a_quotable_sentence_holds_the_answer_type(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence), sentence)
    assert (failure.constraint if failure else None) == failed


def test_an_undated_release_answers_when_only_in_its_words():
    question = model("Когда президент посетил область?")
    undated = passage("Президент посетил область и провёл совещание.", date="")
    dated = passage("Президент посетил область и провёл совещание.")
    assert sentence_failure(question, undated, undated.text) == Failure("answer_type", "date")
    assert sentence_failure(question, dated, dated.text) is None
    assert sentence_failure(question, undated, "Президент посетил область 12 мая 2024 года.") is None


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


def test_a_release_of_the_period_that_says_far_less_than_one_of_another_period_does_not_answer():
    from rag.answering.extractive import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(idf=lambda term: 1.0, embed=None, document_terms=lambda ids: set(),
                                  spellings=lambda stem, transliterated=False: [])
    query = build_query("Какое решение по ключевой ставке принял Банк России в апреле 2024 года?")
    wanted = {term: 1.0 for term in query.content_terms}
    decision = passage("Банк России принял решение повысить ключевую ставку до 13%.", date="2023-09-15", doc_id="cbr")
    unrelated = passage("Правительство приняло решение о помощи жителям.", date="2024-04-08", doc_id="gov")
    near = passage("Банк России принял решение по ключевой ставке позже.", date="2024-04-26", doc_id="cbr2")
    period = [Failure("period")]
    assert answerer._better_in_another_period([decision, unrelated], [unrelated], period, wanted)
    assert not answerer._better_in_another_period([decision, near], [near], period, wanted)
    assert not answerer._better_in_another_period([decision, unrelated], [unrelated], [], wanted)


def test_a_question_about_a_kind_of_event_needs_a_release_reporting_one():
    question = model("О чём Путин говорил по телефону с президентом Киргизии?")
    assert question.events == (("телефон", "разговор"),)
    greeting = Passage("g#0", "g", "Поздравления с праздником Навруз", "2025-03-21", "kremlin.ru", "",
                       "Президент России направил поздравления президенту Киргизии.", 1.0)
    call = Passage("c#0", "c", "Телефонный разговор с Президентом Киргизии", "2025-03-21", "kremlin.ru", "",
                   "Обсуждены вопросы сотрудничества.", 1.0)
    assert passage_failure(question, greeting, {"президент", "росс", "поздравлен", "киргиз"}, [],
                           lambda w, t: False) == Failure("event", "телефон")
    assert passage_failure(question, call, {"обсужд", "сотрудничеств"}, [], lambda w, t: False) is None
    # English and Kazakh questions name them in the Russian of their glossaries; any kind named will do
    assert ("телефон", "разговор") in model("What did Putin and Tokayev discuss in their phone call?").events
    assert model("Кто выступил на пресс-конференции?").events == (("пресс-конференц",),)


def test_how_someone_judged_something_is_a_premise_a_release_must_state():
    assert model("Как Путин оценил итоги работы губернатора?").premised
    assert model("How did Tokayev assess the visit?").premised
    assert not model("Как прошёл визит президента?").premised
    question = model("Как Жапаров оценил идею создания торгового комплекса на границе?")
    weights = {term: 1.0 for term in build_query(question.query.question).content_terms}
    plans = passage("Этому способствуют планы создания торгового комплекса на границе. Жапаров принял гостей.")
    judged = passage("Жапаров высоко оценил идею создания торгового комплекса на границе.")
    assert premise_failure(question, plans, weights) == Failure("premise")
    assert premise_failure(question, judged, weights) is None


@pytest.mark.parametrize("question, sentence, failed", [
    ("Сколько человек посетили центр за год?", "Центр занимает 37 тысяч квадратных метров.", "focus"),
    ("Сколько человек посетили центр за год?", "Центр посетили 3059 человек из 60 регионов.", None),
    ("Сколько дней заложник провёл в плену?", "А.Труфанов: 498 дней.", None),
    # a substance is measured: «сколько угля» is answered in tonnes
    ("Сколько угля будет переваливать терминал?", "Терминал будет переваливать 18 миллионов тонн в год.", None),
])
def test_a_count_of_things_is_not_answered_by_a_measure_of_something_else(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence), sentence)
    assert (failure.constraint if failure else None) == failed


def test_a_release_names_its_publisher_and_the_head_of_the_publisher_of_its_time():
    question = model("Кого Путин назначил послом России в Аргентине?")
    named = [Named(e, frozenset(e.stems)) for e in question.entities if e.text in ("Путин", "России")]
    decree = Passage("k#0", "k", "Указ о после", "2025-03-01", "Президент России (kremlin.ru)", "",
                     "Указом Президента Иван Иванов назначен Послом в Аргентине.", 1.0)
    older = Passage("o#0", "o", "Указ о после", "2010-03-01", "Президент России (kremlin.ru)", "",
                    "Указом Президента Иван Иванов назначен Послом в Аргентине.", 1.0)
    elsewhere = Passage("m#0", "m", "О после", "2025-03-01", "Министерство", "", "Иван Иванов назначен Послом.", 1.0)
    held = {"указ", "президент", "иван", "назнач", "посл", "аргентин"}
    assert passage_failure(question, decree, held, named, lambda w, t: False) is None
    assert passage_failure(question, older, held, named, lambda w, t: False) == Failure("entity", "Путин")
    assert passage_failure(question, elsewhere, held, named, lambda w, t: False) == Failure("entity", "Путин")
    # the whole name must be the publisher's: «Правительство России» does not name the Bank of Russia
    bank = [Named(e, frozenset(e.stems)) for e in model("Какую ставку установил Банк России?").entities]
    government = Passage("g#0", "g", "Об экспорте", "2024-03-14", "Правительство России", "", "Обсудили экспорт.", 1.0)
    cbr = Passage("c#0", "c", "О ставке", "2024-03-14", "Банк России (cbr.ru)", "", "Ставка сохранена.", 1.0)
    assert passage_failure(model("Какую ставку установил Банк России?"), government, {"экспорт"}, bank,
                           lambda w, t: False) is not None
    assert passage_failure(model("Какую ставку установил Банк России?"), cbr, {"ставк"}, bank,
                           lambda w, t: False) is None


def test_an_abbreviated_country_is_searched_also_as_releases_spell_it_out():
    assert {"сша", "соединен", "штат", "америк"} <= set(query_terms("послом в США"))
    assert model("What was the value of trade between Russia and Oman?").answer_type == "number"


@pytest.mark.parametrize("question, sentence, failed", [
    ("Какова длина нового моста?", "Длина моста составляет 1 250 метров.", None),
    ("Какова длина нового моста?", "Три новых моста построили недалеко от города.", "answer_type"),
    ("Какой протяжённости достигла линия фронта?", "Линия фронта превышает тысячу километров.", None),
    ("Какой мощностью будет обладать ледокол?", "Строится 120-мегаваттный ледокол «Россия».", None),
])
def test_a_size_is_answered_by_a_number_in_its_units(question, sentence, failed):
    failure = sentence_failure(model(question), passage(sentence), sentence)
    assert (failure.constraint if failure else None) == failed


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


def test_an_english_question_takes_its_change_as_given_through_its_russian_rendering():
    question = model("Why did the Bank of Russia cut the key rate in October?")
    assert question.predicate == ("сниз",) and "ставк" in question.changed
    weights = {term: 1.0 for term in build_query(question.query.question).content_terms}
    raised = passage("Совет директоров Банка России принял решение повысить ключевую ставку до 21%.")
    assert premise_failure(question, raised, weights).constraint == "premise"
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


def test_a_question_asking_one_thing_quotes_another_release_only_for_what_is_not_yet_said():
    from rag.answering.extractive import Candidate, ExtractiveAnswerer
    from rag.text import terms

    answerer = ExtractiveAnswerer(idf=lambda term: 1.0, embed=None, document_terms=lambda ids: set(),
                                  spellings=lambda stem, transliterated=False: [])

    def candidate(text: str, doc_id: str, score: float) -> Candidate:
        return Candidate(passage(text, doc_id=doc_id), text, set(terms(text)), 0.5, 0, score=score)

    asked = model("Кто назначен послом России в Египте?")
    wanted = {term: 1.0 for term in asked.query.content_terms}
    answer = candidate("Послом России в Египте назначен Георгий Борисенко.", "decree", 1.0)
    same_topic = candidate("Посол России в Египте вручил верительные грамоты президенту.", "other", 0.9)
    same_release = candidate("Борисенко ранее работал послом России в Мексике.", "decree", 0.8)
    chosen = answerer._select([answer, same_topic, same_release], wanted, sum(wanted.values()), asked.asks_several)
    assert [c.passage.doc_id for c in chosen] == ["decree", "decree"]

    two = model("Кто назначен послом России в Египте, и когда он вручил верительные грамоты?")
    assert two.asks_several and model("О чём говорили в марте и апреле 2025 года?").asks_several
    wanted = {term: 1.0 for term in two.query.content_terms}
    chosen = answerer._select([answer, same_topic], wanted, sum(wanted.values()), two.asks_several)
    assert [c.passage.doc_id for c in chosen] == ["decree", "other"]


def test_a_surname_in_the_nominative_finds_the_releases_that_decline_it():
    from rag.store.lexical import LexicalIndex

    text = "Состоялся телефонный разговор Владимира Путина с Касым-Жомартом Токаевым. Сила тока в сети."
    index = LexicalIndex.build([("c#0", "c", "2025-03-06", "kremlin.ru", " ".join(terms(text)))], generation=1)
    [stem] = query_terms("Токаев")
    assert stem == "тока" and index.spellings(stem) == ["токаев"]
    assert index.spellings("сил") == ["сил"]  # a short stem that is no surname stays itself


def test_a_kazakh_question_for_a_part_wants_a_share():
    assert model("Нарыққа түскен мұнайдың қанша бөлігі Ресейден келді?").answer_type == "percent"
    assert model("Жарылыста қанша адам қаза тапты?").answer_type == "number"


def test_a_release_published_before_the_year_asked_tells_only_what_was_expected_of_it():
    earlier = passage("По прогнозу Банка России, годовая инфляция снизится до 4,5–5,0% в 2025 году.", date="2024-10-25")
    happened = model("Какой оказалась годовая инфляция по итогам 2025 года?")
    assert passage_failure(happened, earlier, set(), [], lambda w, t: False) == Failure("period")
    expected = model("Какую инфляцию Банк России прогнозировал на 2025 год?")
    assert passage_failure(expected, earlier, set(), [], lambda w, t: False) is None
    deadline = model("Какую потребность в кадрах к 2029 году назвал Путин?")
    assert passage_failure(deadline, passage("Потребность в кадрах к 2029 году — 74 миллиона.", date="2025-02-06"),
                           set(), [], lambda w, t: False) is None


@pytest.mark.parametrize("sentence, failed", [
    ("В прошлом году инвестиции выросли на 5%.", None),
    ("В 2024 году инвестиции выросли на 5%.", None),
    ("Инвестиции выросли на 3% в 2023 году.", Failure("period")),
])
def test_a_release_of_another_year_speaks_of_the_year_asked_only_where_it_names_it(sentence, failed):
    question = model("На сколько процентов выросли инвестиции в 2024 году?")
    assert sentence_failure(question, passage(sentence, date="2025-03-01"), sentence) == failed


def test_a_sites_links_to_other_pages_are_not_quoted(settings, embedder, tmp_path):
    text = ("В Кремле прошли переговоры президентов России и Омана. "
            "Дополнительно Список документов, подписанных по итогам переговоров 22 апреля 2025 года. "
            "Дополнительно будет выделено 5 миллиардов рублей на совместные проекты.")
    (tmp_path / "oman.md").write_text(f"---\ntitle: Переговоры с Султаном Омана\ndate: 2025-04-22\n---\n{text}\n",
                                      encoding="utf-8")
    with Assistant(settings=settings, index_dir=tmp_path / "index", embedder=embedder) as assistant:
        assistant.ingest([tmp_path / "oman.md"])
        # the list's heading names documents, but it is the only sentence that does: nothing says which
        answer = assistant.ask("Какие документы подписали Россия и Оман по итогам переговоров?")
        assert answer.refused and answer.refusal_reason == "document"
        sum_answer = assistant.ask("Сколько рублей выделят на совместные проекты России и Омана?")
        assert any("5 миллиардов рублей" in c["quote"] for c in sum_answer.citations)


def test_a_count_of_basis_points_is_answered_by_the_abbreviation_releases_use():
    question = model("How many basis points did the Bank of Russia add to the key rate?")
    sentence = "Банк России принял решение повысить ключевую ставку на 350 б.п., до 12,00% годовых."
    assert sentence_failure(question, passage(sentence), sentence) is None
    tonnes = "Экспорт зерна вырос на 350 тысяч тонн."
    assert sentence_failure(question, passage(tonnes), tonnes) == Failure("focus", "basis points")


def test_a_kazakh_how_many_of_to_be_counts_nothing_and_kilometres_are_a_unit():
    assert model("Қонақүйлердің нөмір қоры қанша болатынын айтты?").focus == ()
    assert "километр" in model("Қанша шақырым жол салынды?").focus


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


@pytest.mark.parametrize("question, sentence, failed", [
    ("Правильно ли Банк России поднял ставку до 21%?",
     "Банк России принял решение повысить ключевую ставку до 21%.", Failure("opinion")),
    ("Was the Bank of Russia right to raise the key rate to 21%?",
     "Банк России принял решение повысить ключевую ставку до 21%.", Failure("opinion")),
    ("Правильно ли Банк России поднял ставку до 21%?",
     "Председатель назвал решение повысить ставку до 21% правильным и своевременным.", None),
    ("Поднял ли Банк России ставку до 21%?", "Банк России принял решение повысить ключевую ставку до 21%.", None),
])
def test_a_question_about_a_judgement_is_answered_only_by_a_sentence_making_one(question, sentence, failed):
    assert sentence_failure(model(question), passage(sentence), sentence) == failed


def test_an_english_title_before_a_name_does_not_stand_for_the_name():
    [entity] = [e for e in model("What did Putin discuss with Kyrgyz President Sadyr Japarov?").entities
                if "Japarov" in e.text]
    assert "президент" in entity.stems and "президент" not in entity.name_stems
    assert entity.name_stems[-1].startswith("джапар")
    from rag.text import skeleton
    assert skeleton("робертсон") == skeleton("роберцон")  # Robertson transliterated with ц


def test_an_english_assessment_is_a_premise_its_release_must_state():
    question = model("How did Putin assess the new trade agreement?")
    assert question.premised and any(stem.startswith("оцен") for stem in question.predicate)
    weights = {term: 1.0 for term in question.query.content_terms}
    talks = passage("Путин и его гости обсудили новое соглашение о торговле.")
    assert premise_failure(question, talks, weights) == Failure("premise")
    said = passage("Путин высоко оценил новое соглашение о торговле.")
    assert premise_failure(question, said, weights) is None


def test_a_question_naming_several_periods_of_one_kind_quotes_each():
    from rag.answering.extractive import Candidate, ExtractiveAnswerer
    from rag.query import DateRange

    def candidate(text: str, date: str, score: float) -> Candidate:
        return Candidate(passage(text, date=date, doc_id=date), text, set(terms(text)), 0.5, 0, score=score)

    july = candidate("Банк России повысил ключевую ставку до 18%.", "2024-07-26", 1.0)
    july_more = candidate("Банк России допускает дальнейшее повышение ставки.", "2024-07-26", 0.9)
    october = candidate("Банк России повысил ключевую ставку до 21%.", "2024-10-25", 0.5)
    months = (DateRange(20240701, 20240731), DateRange(20241001, 20241031))
    assert ExtractiveAnswerer._each_period([july, july_more, october], months) == [july, october]
    # a release's day and the year it forecasts are not two periods asked alike
    day_and_year = (DateRange(20240726, 20240726), DateRange(20250101, 20251231))
    assert ExtractiveAnswerer._each_period([july, october], day_and_year) == []


def test_the_year_asked_must_be_named_by_the_quoted_sentence_itself():
    question = model("Какой была инфляция по итогам 2012 года?")
    text = "В 2012 году инфляция была высокой. Цены выйдут на целевой уровень 5,0% в конце 2014 года."
    later = passage(text, date="2014-02-14")
    quoted = "Цены выйдут на целевой уровень 5,0% в конце 2014 года."
    assert sentence_failure(question, later, quoted, text) == Failure("period")


@pytest.mark.parametrize("question, sentence, failed", [
    ("Какие соглашения подписали президенты по итогам переговоров?",
     "В Кремле началась беседа президентов.", Failure("document", "соглашения")),
    ("Какие соглашения подписали президенты по итогам переговоров?",
     "Подписан договор о стратегическом партнёрстве.", None),
    ("Какой указ подписал президент?", "Президент подписал Указ «О комиссии Государственного Совета».", None),
    ("Какой рекорд поставил регион?", "Регион впервые собрал 3 миллиона тонн зерна.", None),
    ("Which agreements did the presidents sign after the talks?",
     "В Кремле началась беседа президентов.", Failure("document", "agreements")),
    ("Президенттер қандай келісімдерге қол қойды?", "В Кремле началась беседа президентов.",
     Failure("document", "келісімдерге")),
])
def test_a_question_for_a_kind_of_document_needs_a_sentence_naming_one(question, sentence, failed):
    assert sentence_failure(model(question), passage(sentence), sentence) == failed


def test_a_refusal_for_a_document_names_what_was_asked(assistant):
    answer = assistant.ask("Какие соглашения подписал губернатор на открытии школы в Новосибирске?")
    assert answer.refused and answer.refusal_reason == "document" and "«соглашения»" in answer.answer.split("\n")[0]


def test_a_kazakh_sentences_first_word_is_not_taken_for_a_name():
    question = model("Путин отбасын қабылдады. Содырлармен атыста қаза тапқан жасөспірімге қандай атақ берілді?")
    assert "Содырлармен" not in [e.text for e in question.entities]
    assert "Путин" in [e.text for e in question.entities]


@pytest.mark.parametrize("question, sentence, failed", [
    ("Какой уровень ключевой ставки Банк России прогнозирует на 2026 год?",
     "Банк России прогнозирует прирост ВВП на 1,5–2,5% в 2026 году.", Failure("focus", "ключевая ставка")),
    ("Какой уровень ключевой ставки Банк России прогнозирует на 2026 год?",
     "Банк России прогнозирует среднюю ключевую ставку 13,0–15,0% в 2026 году.", None),
    # the rate asked is the one its first words name, not the release it names later
    ("Какой была годовая инфляция по оценке на 20 июля, согласно пресс-релизу о ключевой ставке?",
     "По оценке на 20 июля, годовая инфляция составила около 3,3%.", None),
    ("Каким был годовой темп прироста денежной массы М2, по пресс-релизу о ключевой ставке?",
     "Годовой темп прироста денежной массы (М2) составил 7,4%.", None),
])
def test_a_figure_of_a_rate_is_answered_by_a_sentence_about_that_rate(question, sentence, failed):
    assert sentence_failure(model(question), passage(sentence), sentence) == failed
