"""How the releases spell what a question names: a name in any inflection, a place by its adjective or its
name word, a capital by its country, a region by its countries, a compound abbreviation spelled out, a
name of two words by the one adjective made of them (rag/answering/spellings.enforced_entities,
with the corpus's stems from rag/store/lexical.LexicalIndex.spellings)."""

from __future__ import annotations

from rag.answering.constraints import Failure, passage_failure
from rag.answering.spellings import enforced_entities
from rag.text import query_terms, terms
from tests.question_support import model, passage


def test_a_name_no_release_knows_refuses_a_russian_question_and_an_english_one_the_glossary_renders():
    known = {"узбекистан": ["узбекистан"], "казахстан": ["казахстан"]}

    def spellings(stem: str, transliterated: bool = False) -> list[str]:
        return known.get(stem, [])

    idf = lambda term: 5.0 if term in known else None  # noqa: E731
    named, unheard = enforced_entities(model("Что Казахстан поставляет в Зимбабве?"), spellings, idf)
    assert [n.entity.text for n in named] == ["Казахстан"] and unheard.text == "Зимбабве"
    # an English name transliterated is a guess at its spelling, not held against the releases; one the
    # glossary renders («Зимбабве») is not, and a title's country names it ("Emir of Kuwait" is «Кувейт»)
    named, unheard = enforced_entities(model("What does Kazakhstan export to Eswatini?"), spellings, idf)
    assert unheard is None and [n.entity.text for n in named] == ["Kazakhstan"]
    assert enforced_entities(model("What does Kazakhstan export to Zimbabwe?"), spellings, idf)[1].text == "Zimbabwe"
    known["эмир"] = ["эмир"]
    assert enforced_entities(model("What did Kazakhstan sign with the Emir of Kuwait?"), spellings, idf)[1].text \
        == "Emir of Kuwait"
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


def test_a_place_is_also_named_by_its_adjective():
    question = model("Сколько жилья построили в прошлом году в Перми?")
    corpus = {"перм": ["перм"], "пермск": ["пермск"]}
    spellings = lambda stem, transliterated=False: corpus.get(stem, [])  # noqa: E731
    [named], _ = enforced_entities(question, spellings, lambda term: 4.0 if term in corpus else None)
    assert "пермск" in named.spellings  # «Пермского края»
    region = passage("В Пермском крае построили 1,7 миллиона квадратных метров жилья.")
    assert passage_failure(question, region, {"пермск", "жил"}, [named], lambda w, t: False) is None


def test_a_surname_in_the_nominative_finds_the_releases_that_decline_it():
    from rag.store.lexical import LexicalIndex

    text = "Состоялся телефонный разговор Владимира Путина с Касым-Жомартом Токаевым. Сила тока в сети."
    index = LexicalIndex.build([("c#0", "c", "2025-03-06", "kremlin.ru", " ".join(terms(text)))], generation=1)
    [stem] = query_terms("Токаев")
    assert stem == "тока" and index.spellings(stem) == ["токаев"]
    assert index.spellings("сил") == ["сил"]  # a short stem that is no surname stays itself


def test_a_surname_ending_in_a_soft_sign_finds_its_nominative():
    from rag.store.lexical import LexicalIndex

    text = "В.Савельев: Спасибо. Доложил вице-премьер."
    index = LexicalIndex.build([("c#0", "c", "2025-03-06", "kremlin.ru", " ".join(terms(text)))], generation=1)
    [stem] = query_terms("Савельева")
    assert stem == "савельев" and "савел" in index.spellings(stem)


def test_a_capital_standing_for_its_government_is_named_by_the_country_but_a_city_of_place_is_not():
    corpus = {"астан": ["астан"], "казахстан": ["казахстан", "казахстанск"], "бишкек": ["бишкек"],
              "киргиз": ["киргиз"], "кыргызстан": ["кыргызстан"]}
    idf = lambda term: 3.0 if any(term in v for v in corpus.values()) else None  # noqa: E731
    spellings = lambda stem, transliterated=False: corpus.get(stem, [])  # noqa: E731
    [named], _ = enforced_entities(model("На какую сумму Астана рассчитывает нарастить поставки?"), spellings, idf)
    assert {"астан", "казахстан"} <= named.spellings
    [named], _ = enforced_entities(model("Что построили в Бишкеке?"), spellings, idf)
    assert named.spellings == {"бишкек"}  # the city itself
    [named], _ = enforced_entities(model("What does Bishkek expect from the talks?"), spellings, idf)
    assert "кыргызстан" in named.spellings


def test_a_name_finds_the_hyphenated_name_it_ends():
    from rag.store.lexical import LexicalIndex

    text = "Президент посетил предприятие в Санкт-Петербурге. Вход на северо-запад."
    index = LexicalIndex.build([("c#0", "c", "2025-03-06", "kremlin.ru", " ".join(terms(text)))], generation=1)
    [stem] = query_terms("Петербурге")
    assert "санкт-петербург" in index.spellings(stem)
    assert index.spellings("зап") == []  # a part the compound merely starts with is no name of it


def test_a_place_named_in_one_case_finds_the_release_naming_it_in_another():
    """Snowball cuts «Корея» to коре and «Кореи» to кор: the stems of the name's other forms count too."""
    from rag.store.lexical import LexicalIndex

    text = "Взыскано более 370 миллиардов рублей с резидентов Украины и Южной Кореи."
    index = LexicalIndex.build([("c#0", "c", "2025-03-19", "kremlin.ru", " ".join(terms(text)))], generation=1)
    idf = lambda term: 3.0 if term in index.df else None  # noqa: E731
    for question in ("How much was recovered from residents of South Korea?", "Южная Корея: сколько взыскано с её резидентов?"):
        named, unheard = enforced_entities(model(question), lambda stem, guessed=False: index.spellings(stem), idf)
        korea = next(n for n in named if "ore" in n.entity.text or "оре" in n.entity.text)
        assert unheard is None and "кор" in korea.spellings, question
        assert passage_failure(model(question), passage(text), set(terms(text)), [korea], lambda w, t: False) is None


def test_a_region_of_countries_is_named_by_a_release_naming_its_countries():
    from rag.store.lexical import LexicalIndex

    text = "Президент направил поздравления президентам Казахстана, Киргизии, Таджикистана и Узбекистана."
    index = LexicalIndex.build([("c#0", "c", "2025-03-20", "kremlin.ru", " ".join(terms(text)))], generation=1)
    idf = lambda term: 3.0 if term in index.df else None  # noqa: E731
    for question in ("Кого ещё, кроме лидеров Центральной Азии, поздравил Путин?",
                     "Whom besides the leaders of Central Asia did Putin congratulate?"):
        named, _ = enforced_entities(model(question), lambda stem, guessed=False: index.spellings(stem), idf)
        [region] = [n for n in named if "Азии" in n.entity.text or "Asia" in n.entity.text]
        assert passage_failure(model(question), passage(text), set(terms(text)), [region], lambda w, t: False) is None


def test_a_compound_abbreviation_finds_the_release_that_spells_it_out():
    question = model("Сколько интернет-ресурсов заблокировали по требованиям Генпрокуратуры в 2024 году?")
    [entity] = question.entities
    assert entity.also_named == (("генпрокуратур", "прокуратур"),)
    corpus = {"генпрокуратур", "прокуратур", "генеральн"}
    spellings = lambda stem, transliterated=False: [stem] if stem in corpus else []  # noqa: E731
    [named], unheard = enforced_entities(question, spellings, lambda term: 4.0 if term in corpus else None)
    release = passage("По актам реагирования Генеральной прокуратуры заблокировано свыше 75 тысяч интернет-ресурсов.")
    assert unheard is None
    assert passage_failure(question, release, set(terms(release.text)), [named], lambda w, t: False) is None
    other = passage("По актам реагирования Следственного комитета заблокировано свыше 75 тысяч интернет-ресурсов.")
    assert passage_failure(question, other, set(terms(other.text)), [named], lambda w, t: False) \
        == Failure("entity", "Генпрокуратуры")


def test_an_abbreviation_the_glossary_spells_out_still_finds_the_release_that_abbreviates_it():
    question = model("Какую выплату получают те, кто подписывает контракт с Минобороны?")
    [entity] = question.entities
    assert entity.stems == ("министерств", "оборон")  # the glossary's spelling out, for the search
    corpus = {"миноборон", "министерств", "оборон"}
    spellings = lambda stem, transliterated=False: [stem] if stem in corpus else []  # noqa: E731
    [named], _ = enforced_entities(question, spellings, lambda term: 4.0 if term in corpus else None)
    release = passage("Тем, кто подписывает контракт с Минобороны, выплачиваем 600 тысяч рублей.")
    assert passage_failure(question, release, set(terms(release.text)), [named], lambda w, t: False) is None


def test_words_that_only_begin_like_an_abbreviation_are_not_spelled_out():
    from rag.answering.wordforms import abbreviated_noun

    assert abbreviated_noun("Госдуму") == "думу" and abbreviated_noun("Генштаба") == "штаба"
    assert [abbreviated_noun(w) for w in ("господин", "Геннадий", "генерал", "госпиталь", "гостиница",
                                          "Государственной")] == [None] * 6


def test_a_name_of_two_words_finds_the_release_saying_it_in_one_adjective():
    from rag.store.lexical import LexicalIndex

    question = model("Когда была заключена сделка по Чёрному морю?")
    release = passage("В июле 2022 года была заключена Черноморская инициатива.")
    other = passage("В июле 2022 года договорились о Каспийском трубопроводе. Черный хлеб и морская вода.")
    index = LexicalIndex.build([(f"c#{n}", "c", "2025-03-06", "kremlin.ru", " ".join(terms(p.text)))
                                for n, p in enumerate((release, other))], generation=1)
    spellings = lambda stem, transliterated=False: index.spellings(stem)  # noqa: E731
    [named], unheard = enforced_entities(question, spellings, index.idf)
    assert unheard is None and "черноморск" in named.spellings
    assert passage_failure(question, release, set(terms(release.text)), [named], lambda w, t: False) is None
    assert passage_failure(question, other, set(terms("Каспийском трубопроводе")), [named], lambda w, t: False) \
        == Failure("entity", "Чёрному морю")
