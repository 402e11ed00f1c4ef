"""The question model: the entities, answer type, focus, predicate and kind of document a Russian, English or
Kazakh question names, read once (rag/answering/question.py), and the entity checks made with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.constraints import Failure, passage_failure, sentence_failure, unanswered_clause
from rag.answering.spellings import Named, enforced_entities
from rag.retrieval import Passage
from rag.text import query_terms, terms
from tests.question_support import model, passage

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"


def test_russian_entities_come_from_ner_with_their_stems():
    question = model("На какую сумму Казахстан готов нарастить экспорт в Узбекистан?")
    assert [(e.text, e.kind) for e in question.entities] == [("Казахстан", "LOC"), ("Узбекистан", "LOC")]
    assert question.entities[1].stems == ("узбекистан",)
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


def test_a_kazakh_run_of_names_is_cut_where_one_name_ends():
    # the Russian tagger runs them together; each must be spoken of on its own
    texts = lambda question: [e.text for e in model(question).entities]
    assert texts("Тоқаев пен Путин мамырда не талқылады?")[:2] == ["Тоқаев", "Путин"]
    assert "Душанбеге" in texts("Премьер Бектенов Душанбеге қашан барды?")
    # a place of two words stays one name, and a month is no name at all
    assert "Орталық Азия" in texts("Путин Наурыз мерекесімен Орталық Азия басшыларын құттықтады ма?")
    assert not any("Наурыз" in text for text in texts("Путин Наурыз мерекесімен Орталық Азия басшыларын құттықтады ма?"))


def test_a_figure_the_question_names_tells_the_release_it_asks_about():
    question = model("When did the Bank of Russia take its key rate up to 21%?")
    assert question.figures == ("21",)
    assert model("Что произошло 25 октября 2024 года и в 2023 году?").figures == ()  # days and years are dates
    raised = passage("Банк России повысил ключевую ставку до 21,00% годовых.", source="Банк России")
    other = passage("Банк России повысил ключевую ставку до 19,00% годовых.", source="Банк России")
    no_entities: list = []
    assert passage_failure(question, raised, set(terms(raised.text)), no_entities, lambda w, t: False) is None
    assert passage_failure(question, other, set(terms(other.text)), no_entities, lambda w, t: False) == \
        Failure("entity", "21")


def test_the_seat_of_a_publisher_goes_without_saying_in_its_releases():
    question = model("Кого Путин наградил в Кремле?")
    named = [Named(e, frozenset({"кремл"})) for e in question.entities if e.text == "Кремле"]
    kremlin = passage("Президент вручил государственные награды.", source="Президент России (kremlin.ru)")
    other = passage("Министр вручил награды.", source="Минобороны")
    assert passage_failure(question, kremlin, {"президент"}, named, lambda w, t: False) is None
    assert passage_failure(question, other, {"министр"}, named, lambda w, t: False) == Failure("entity", "Кремле")


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


def test_a_kazakh_how_many_names_what_it_counts_through_the_glossary():
    question = model("Сапар кезінде неше құжатқа қол қойылды?")
    assert question.answer_type == "number" and question.focus_word == "құжатқа"
    assert "документ" in question.focus


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


def test_a_person_is_told_apart_by_the_surname_not_the_first_name_or_patronymic():
    [entity] = [e for e in model("О чём Путин и Александр Вучич говорили по телефону?").entities if "Вучич" in e.text]
    assert entity.name_stems == ("вучич",)
    corpus = {"александр": ["александр", "александрович"], "вучич": ["вучич"]}
    idf = {"александр": 1.0, "александрович": 5.0, "вучич": 5.0}.get
    [named], _ = enforced_entities(model("Что обсудил Александр Вучич?"), lambda stem, t=False: corpus.get(stem, []), idf)
    assert named.spellings == {"вучич"}  # a release naming another Alexander does not name Vučić
    [entity] = model("Что сказал Сергей Викторович Лавров?").entities
    assert entity.name_stems == ("лавр",)


def test_a_kazakh_question_for_a_part_wants_a_share():
    assert model("Нарыққа түскен мұнайдың қанша бөлігі Ресейден келді?").answer_type == "percent"
    assert model("Жарылыста қанша адам қаза тапты?").answer_type == "number"


def test_a_kazakh_how_many_of_to_be_counts_nothing_and_kilometres_are_a_unit():
    assert model("Қонақүйлердің нөмір қоры қанша болатынын айтты?").focus == ()
    assert "километр" in model("Қанша шақырым жол салынды?").focus


def test_a_kazakh_how_many_counts_the_noun_after_its_adjective():
    assert model("Банк мөлшерлемені неше базистік пунктке төмендетті?").focus_word == "пунктке"
    assert model("Өткен жылы қанша шетелдік турист келді?").focus_word == "турист"
    assert model("Жарылыста қанша адам қаза тапты?").focus_word == "адам"


def test_an_english_title_before_a_name_does_not_stand_for_the_name():
    [entity] = [e for e in model("What did Putin discuss with Kyrgyz President Sadyr Japarov?").entities
                if "Japarov" in e.text]
    assert "президент" in entity.stems and "президент" not in entity.name_stems
    assert entity.name_stems[-1].startswith("джапар")
    from rag.text import skeleton
    assert skeleton("робертсон") == skeleton("роберцон")  # Robertson transliterated with ц


def test_a_kazakh_sentences_first_word_is_not_taken_for_a_name():
    question = model("Путин отбасын қабылдады. Содырлармен атыста қаза тапқан жасөспірімге қандай атақ берілді?")
    assert "Содырлармен" not in [e.text for e in question.entities]
    assert "Путин" in [e.text for e in question.entities]


def test_a_capitalised_kazakh_word_the_tagger_misses_is_a_name_and_a_name_run_stays_whole():
    question = model("Қазақстан Өзбекстанға экспортты неше тауар позициясы бойынша арттыруға дайын?")
    assert ("узбекистан",) in [e.stems for e in question.entities]
    bank = model("2023 жылғы 15 тамызда Ресей Орталық банкі ставканы қанша пайызға дейін көтерді?")
    assert [e.text for e in bank.entities] == ["Ресей Орталық"]


def test_a_question_asking_two_things_wants_what_each_asks_for():
    question = model("Как звали погибшую бортпроводницу и сколько ей было лет?")
    assert question.answer_type == "name" and question.answer_types == ("name", "number")
    # a sentence giving a name answers the first of «сколько … и кто …», though it holds no number
    age_first = model("Сколько лет было погибшей бортпроводнице и как её звали?")
    assert age_first.answer_types == ("number", "name")
    named = "Погибла бортпроводница нашего самолёта Юлия Фомина."
    assert sentence_failure(age_first, passage(named), named) is None
    both_numbers = model("Сколько стоит билет и сколько дней идёт поезд?")
    assert both_numbers.answer_types == ("money", "number")
    words = "Поезд идёт по новому маршруту через Казахстан."
    assert sentence_failure(both_numbers, passage(words), words) == Failure("answer_type", "money")


def test_a_which_question_names_what_it_asks_of():
    assert model("Какой товарооборот между Казахстаном и Кыргызстаном?").asked_noun == ("товарооборот",)
    assert model("Какую международную выставку провели в Ташкенте?").asked_noun == ("выставк",)
    assert model("Сколько стоил билет?").asked_noun == ()


@pytest.mark.parametrize("question, ahead", [
    ("Сколько гостиниц откроют в Твери к 2030 году?", True),
    ("How much housing does the region plan to build this year?", True),
    ("What range would the missiles have if they were deployed abroad?", True),
    ("Облыста салынатын мектептердің саны қанша болады?", True),  # a future participle
    ("Өзен арқылы жаңа көпір қашан салынады?", True),  # passive present-future
    ("Өзен арқылы жаңа көпір қашан салынды?", False),  # its past
    ("Сколько домов построили в Твери в 2024 году?", False),
    ("How many homes did the region build last year?", False),
])
def test_a_question_looks_ahead_in_every_language(question, ahead):
    assert model(question).looks_ahead is ahead


def test_a_kazakh_question_asks_a_second_thing_after_and_when_a_question_word_follows():
    two = model("Тоқаев Мәскеуге қашан барады, және Лукашенко Минскіде кімді қабылдады?")
    assert {e.text: e.clause for e in two.entities} == {"Тоқаев": 0, "Мәскеуге": 0, "Лукашенко": 1, "Минскіде": 1}
    assert two.asks_several
    one = model("Путин және Тоқаев Мәскеуде не талқылады?")  # «және» joins two names of one question
    assert {e.clause for e in one.entities} == {0} and not one.asks_several


def test_whose_asks_a_second_thing():
    question = model("Кто возглавил Тверскую область и чью отставку принял Президент в Курской области?")
    assert {e.text: e.clause for e in question.entities}["Курской области"] == 1


def test_an_english_how_many_counts_the_noun_not_the_auxiliary_after_it():
    assert model("How many pupils will the new school take in?").focus_word == "pupils"
    assert model("How many product lines is the region ready to expand?").focus_word == "product lines"


def test_a_persons_name_is_answered_only_by_a_sentence_naming_a_person_not_by_a_transcripts_speaker():
    from rag.answering.constraints import _names_someone_else

    question = model("Как зовут многодетную мать из Нерехтского района?")
    assert question.who and question.person
    assert not model("Как называется новый завод?").person
    assert not _names_someone_else(question, "С.Ситников: Появилась у нас одна женщина, 11-й ребёнок. В.Путин: Помогаете?")
    assert not _names_someone_else(question, "Памятник открыли на бульваре Советской Армии.")  # a place is no name
    assert _names_someone_else(question, "Это Ольга Смирнова, у неё одиннадцать детей.")
    assert _names_someone_else(model("Кто открыл памятник?"), "Памятник открыла администрация Перми.")


def test_a_view_of_analysts_or_experts_is_given_only_by_a_sentence_naming_them():
    question = model("Как аналитики оценили решение Банка России сохранить ставку?")
    assert question.pundits == ("аналитик",)
    assert model("Do economists think the forecast was too pessimistic?").pundits == ("экономист",)
    assert model("Сарапшылардың пікірінше, сайлау қатынастарға қалай әсер етеді?").pundits == ("эксперт",)
    # experts and boards that are told of, not asked for a view
    assert model("Где проходили консультации экспертных групп России и США?").pundits == ()
    assert model("Что сказала школьница на наблюдательном совете «Движения первых»?").pundits == ()
    decision = passage("Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 21%.")
    assert sentence_failure(question, decision, decision.text) == Failure("opinion")
    said = "Аналитики оценили решение как взвешенное."
    assert sentence_failure(question, passage(said), said) is None


def test_two_places_joined_by_and_are_each_a_clause_but_two_sides_of_one_event_are_not():
    def clauses(text):
        return [entity.clause for entity in model(text).entities]
    first, second = clauses("Сколько дорог отремонтировали в Брянской и в Костромской областях?")
    assert first != second  # each region's own release may answer for it
    assert len(set(clauses("How much housing did the Perm Territory and Tatarstan build last year?"))) == 2
    assert len(set(clauses("What did Putin and Tokayev discuss by phone?"))) == 1
    assert len(set(clauses("Какие объекты согласовали Москва и Вашингтон?"))) == 1  # the two sides of one agreement


def test_two_people_joined_by_and_are_each_a_clause_when_each_met_someone_else():
    def clauses(text):
        return {entity.text: entity.clause for entity in model(text).entities}
    met = clauses("О каких планах рассказали Солодов и Дрозденко на встречах с Путиным в марте?")
    assert met["Солодов"] != met["Дрозденко"]  # two meetings, each its own release
    called = clauses("In their phone calls with Putin, what did Serbia's Aleksandar Vučić and Armenia's Nikol Pashinyan say?")
    assert called["Armenia"] == called["Nikol Pashinyan"] != called["Aleksandar Vučić"]
    assert len(set(clauses("What did Putin and Tokayev talk about in their phone calls of March and April?").values())) == 1
    assert len(set(clauses("О чём говорили Солодов и Дрозденко на переговорах с Путиным?").values())) == 1  # one talks

