"""Text helpers (normalisation, stems, stopwords, language) and question parsing (dates, follow-ups)."""

from __future__ import annotations

import pytest

from rag.query import DateRange, build_query, is_followup, parse_dates, without_dates
from rag.text import detect_language, normalise, query_terms, sentences, terms, words
from rag.translate import glossary, to_russian, transliterate

# Text


def test_normalise_lowercases_and_folds_yo():
    assert normalise("Ёлка и ЁЖ, объём, ещё") == "елка и еж, объем, еще"


def test_terms_fold_yo():
    assert terms("объём") == terms("объем")
    assert terms("учётом") == terms("учетом")
    assert terms("Вертолёт") == terms("вертолет") == ["вертолет"]


def test_terms_stem_inflections_to_one_form():
    assert terms("пшеница") == terms("пшеницы") == terms("пшеницей") == ["пшениц"]
    assert terms("ключевая ставка") == terms("ключевой ставки") == terms("ключевую ставку") == ["ключев", "ставк"]
    assert terms("спутник") == terms("спутника") == terms("спутником") == ["спутник"]


@pytest.mark.parametrize("forms", [
    "Казахстан Казахстана Казахстаном Казахстане",  # Snowball: казахста, казахстан, …
    "граждан гражданам гражданами граждане",
    "потенциал потенциала потенциалу потенциалом",
    "охрана охраны охране охраной",
])
def test_a_noun_snowball_cuts_like_a_verb_is_stemmed_as_its_other_forms(forms):
    assert len(set(terms(forms))) == 1


def test_a_short_participle_keeps_the_verbs_stem():
    assert terms("подписан") == terms("подписали") == terms("подписана")
    assert terms("создан") == terms("создали")


def test_terms_drop_stopwords_and_question_words():
    assert terms("и в на по с к о что он она мы the and of") == []
    assert terms("Какой был объём экспорта пшеницы в 2024 году?") == ["объ", "экспорт", "пшениц", "2024"]
    assert terms("Сколько жилых домов подтоплено?") == ["жил", "дом", "подтопл"]


def test_terms_keep_numbers_in_one_form():
    assert terms("8,50%") == terms("8.5") == ["8,5"]
    assert terms("13,00") == terms("13") == ["13"]
    assert terms("1,9 млрд долларов") == ["1,9", "млрд", "доллар"]


def test_words_keep_hyphenated_words_whole():
    assert words("Азово-Черноморское побережье, Ми-8") == ["азово-черноморское", "побережье", "ми", "8"]


def test_sentences_are_spans_of_the_text():
    text = "Первое предложение. Второе, с числом 8,5%. А это т.е. третье!"
    found = sentences(text)
    assert [s.text for s in found] == ["Первое предложение.", "Второе, с числом 8,5%.", "А это т.е. третье!"]
    assert all(text[s.start:s.end] == s.text for s in found)


@pytest.mark.parametrize(
    "text, language",
    [
        ("Куда прибыл премьер-министр Казахстана?", "ru"),
        ("What rate did the Bank of Russia set in July 2023?", "en"),
        ("Қазақстан премьер-министрі қайда барды?", "kk"),
        ("Какой была ставка ЦБ (key rate) в 2023 году?", "ru"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_kazakh_spelling_of_kazakhstan_meets_the_russian_one():
    assert terms("Тоқаев") == terms("Токаев")  # this pair works
    assert terms("Қазақстан") == terms("Казахстан")


# Dates


@pytest.mark.parametrize(
    "question, start, end",
    [
        ("Какой была ключевая ставка 28 февраля 2022 года?", 20220228, 20220228),
        ("Что решил Банк России в июле 2023 года?", 20230701, 20230731),
        ("Какие паводки были весной 2025?", 20250301, 20250531),
        ("Что обсуждали зимой 2024 года?", 20231201, 20240229),
        ("Что произошло летом 2023 года?", 20230601, 20230831),
        ("Какой была инфляция в 2014 году?", 20140101, 20141231),
        ("Как менялась ставка в течение 2019 года?", 20190101, 20191231),
        ("How did the rate change during 2019?", 20190101, 20191231),
        ("2019 жылы мөлшерлеме қалай өзгерді?", 20190101, 20191231),
        ("2019 жыл бойы мөлшерлеме қалай өзгерді?", 20190101, 20191231),
        ("Сколько пшеницы вывезли с января по март 2024?", 20240101, 20240331),
        ("Как менялась ставка в июле и сентябре 2023 года?", 20230701, 20230930),
        ("Что случилось 28.02.2022?", 20220228, 20220228),
        ("Что было в мае 2024 года?", 20240501, 20240531),
        ("What did the Bank of Russia decide in July 2023?", 20230701, 20230731),
        ("Что говорили осенью и зимой 2024 года?", 20240901, 20250228),  # the winter after that autumn
        ("Что решили весной и летом 2023?", 20230301, 20230831),
        ("Как изменилась ставка в конце 2014 года?", 20141001, 20141231),
        ("Что было в начале 2015-го?", 20150101, 20150331),
        ("Какой была инфляция во втором квартале 2024 года?", 20240401, 20240630),
        ("Что произошло в первой половине 2023 года?", 20230101, 20230630),
        ("What happened in late 2014?", 20141001, 20141231),
        # a target named with «на» is not when the release came out; the season is
        ("Какую цель на конец 2014 года называл Банк России весной 2014 года?", 20140301, 20140531),
        ("What did the Bank of Russia decide on June 19, 2020?", 20200619, 20200619),
        ("What happened in June of 2020?", 20200601, 20200630),
        ("What was said in the spring of 2024?", 20240301, 20240531),
        ("Что решили 2024-03-12?", 20240312, 20240312),
        ("Что изменилось в mid-2024?", 20240501, 20240831),
        ("Как менялась ставка в 2020–2022 годах?", 20200101, 20221231),
        ("Что обсуждали зимой 2023-2024 годов?", 20231201, 20240229),
        ("Что решили весной-летом 2024?", 20240301, 20240831),
        # a deadline in English is not the period either: the year it names stays
        ("Which checkpoint will be modernised before the end of 2026?", 20260101, 20261231),
    ],
)
def test_parse_dates(question, start, end):
    assert parse_dates(question) == DateRange(start, end)


@pytest.mark.parametrize(
    "question",
    ["Куда прибыл премьер-министр Казахстана?", "Сколько жилых домов подтоплено?", "Что было 31.02.2022?",
     "Какая ставка была в сентябре?", "Какой пункт пропуска модернизируют до конца 2026 года?",
     "Что стало причиной ослабления рубля с начала 2023 года?", "Что планируют сделать к середине 2026 года?"],
)
def test_no_date(question):
    assert parse_dates(question) is None


@pytest.mark.parametrize("question", ["Сколько человек уехали с начала 1990-х?", "Что изменилось в 2000-е?"])
def test_decades_are_not_years(question):
    assert parse_dates(question) is None
    assert build_query(question).years == ()


def test_a_quantity_is_not_a_year():
    assert build_query("Где температура поднималась свыше 1900 градусов?").years == ()
    assert build_query("Сколько стоил билет в 2019 году: 2000 рублей?").years == (2019,)


def test_pathological_lists_of_dates_do_not_hang():
    # Patterns with optional separators between words ending in \w* used to backtrack exponentially.
    for question in ("зимойи" * 60 + "зимой?", "январи " * 2000 + "2024", "what did " * 20000):
        build_query(question)


def test_english_followup_naming_a_month():
    earlier = "What key rate did the Bank of Russia set in April 2024?"
    for question in ("What about June?", "And June?", "And in June?"):
        assert build_query(question, [earlier]).dates == DateRange(20240601, 20240630)


def test_every_year_the_question_names_is_kept():
    assert build_query("Сколько процентов поддержали конституцию на референдуме 2003 года?").years == (2003,)
    assert build_query("Как менялась ставка с 2014 по 2016 год?").years == (2014, 2016)
    assert build_query("Ставка выросла в 2,2020 раза?").years == ()
    assert build_query("А грузов?", ["Сколько пассажиров перевезли в 2024 году?"]).years == (2024,)
    assert build_query("What key rate did the bank forecast for 2026 in its June 2022 decision?").years == (2026,)
    assert build_query("What happened to prices during 2023?").years == (2023,)
    assert build_query("How many homes were built for over 2000 families?").years == ()


def test_leap_year_winter_ends_on_february_29():
    assert parse_dates("зимой 2024") == DateRange(20231201, 20240229)
    assert parse_dates("зимой 2023") == DateRange(20221201, 20230228)


def test_without_dates_cuts_the_date_expression():
    assert "июл" not in without_dates("Какой была ставка в июле 2023 года?")
    assert "2023" not in without_dates("Какой была ставка в июле 2023 года?")
    assert without_dates("Какой была ставка?") == "Какой была ставка?"


# Follow-ups


def test_followup_is_merged_with_the_previous_question_and_carries_its_dates():
    earlier = "Сколько домов подтоплено весной 2024 года?"
    query = build_query("А сколько человек оттуда эвакуировали?", [earlier])
    assert query.used_history == [earlier]
    assert query.search_text == f"{earlier} А сколько человек оттуда эвакуировали?"
    assert query.dates == DateRange(20240301, 20240531)
    assert "подтопл" in query.terms and "эвакуирова" in query.terms
    # the current question's words count twice
    assert query.terms.count("эвакуирова") == 2 and query.terms.count("подтопл") == 1


def test_followup_naming_a_month_takes_the_year_of_the_earlier_question():
    earlier = "Какой была ключевая ставка Банка России в июле 2023 года?"
    query = build_query("А какой она была в сентябре?", [earlier])
    assert query.used_history == [earlier]
    assert query.search_text == f"{earlier} А какой она была в сентябре?"
    assert query.dates == DateRange(20230901, 20230930)
    assert {"ключев", "ставк"} <= set(query.terms)


def test_second_followup_keeps_the_month_the_first_followup_named():
    history = ["Какой была ключевая ставка Банка России в июле 2023 года?", "А в сентябре?"]
    query = build_query("А какой тогда была инфляция?", history)
    assert query.used_history == history
    assert query.dates == DateRange(20230901, 20230930)


def test_self_contained_question_ignores_history():
    history = ["Какой была ключевая ставка Банка России в июле 2023 года?"]
    question = "Сколько жилых домов подтоплено в Оренбургской области?"
    query = build_query(question, history)
    assert query.used_history == []
    assert query.search_text == question
    assert query.dates is None
    assert "ставк" not in query.terms


def test_question_without_history_is_not_merged():
    query = build_query("А какой она была в сентябре?", [])
    assert query.used_history == [] and query.search_text == "А какой она была в сентябре?"
    assert query.dates is None


def test_is_followup():
    assert is_followup("А какой она была в сентябре?")
    assert is_followup("Сколько их было?")
    assert is_followup("And in September?")
    assert not is_followup("Сколько жилых домов подтоплено в Оренбургской области?")


def test_query_language():
    assert build_query("What rate did the Bank of Russia set?").language == "en"
    assert build_query("Какую ставку установил Банк России?").language == "ru"


# English questions over a Russian corpus


def test_english_is_rendered_in_russian_words_for_search():
    rendered = to_russian("How many passengers did the Aeroflot group carry in 2024?")
    assert rendered.split()[:5] == ["сколько", "пассажир", "аэрофлот", "группа", "перевезти"]
    assert to_russian("the Bank of Russia raised its key rate") == "банк россии повысить ключевая ставка"
    assert to_russian("talks in the Moscow region") == "переговоры московская область"  # longest phrase first
    # a capitalised word opening the question is no name to spell in Cyrillic
    assert to_russian("Between which nights did the ceasefire begin?").split()[0] == "ночь"
    # "who received him" is «кто принял», not «получить»
    assert to_russian("Who received the prime minister?").startswith("кто принял")


@pytest.mark.parametrize("english, russian", [
    ("Putin", "путин"), ("Tokayev", "токаев"), ("Zelensky", "зеленский"), ("Shchukin", "щукин"),
    ("Slovenia", "словения"), ("Bolivia", "боливия"),  # a name in -ia ends in -ия
])
def test_names_the_glossary_lacks_are_transliterated(english, russian):
    assert transliterate(english.lower()) == russian


def test_english_question_searches_with_russian_terms_and_keeps_its_own_text():
    query = build_query("What key rate did the Bank of Russia set in July 2023?")
    assert query.language == "en"
    assert query.question == "What key rate did the Bank of Russia set in July 2023?"
    assert {"ключев", "ставк", "банк"} <= set(query.terms)
    assert query.dates == DateRange(20230701, 20230731)
    assert "июл" not in " ".join(query.content_terms)  # the date is matched by publication date


@pytest.mark.parametrize("english, russian", [
    ("Did the US impose sanctions?", "сша ввести санкции ?"),  # «US» in capitals is the country…
    ("Tell us about the talks", "сообщить переговоры"),  # …«us» is a pronoun
    ("non-commodity exports", "несырьевой экспорт"),  # hyphenated words stay one
    ("the G20 summit", "группа двадцати g20 саммит"),
    ("What did Putin say about LIBOR?", "путин заявить libor либор ?"),  # an acronym also in Latin
    ("What did Putin order the government to do?", "путин правительство ?"),  # not «орден»
])
def test_glossary_phrases_acronyms_and_hyphens(english, russian):
    assert to_russian(english) == russian


def test_every_glossary_line_has_both_sides():
    entries = glossary()
    assert len(entries) > 400
    assert all(key and all(k.isascii() for k in key) and value for key, value in entries.items())


@pytest.mark.parametrize("question", ["Что решил регулятор?", "Что решил регулятора?", "Что решил ЦБ?",
                                      "Что сообщили в Центробанке?"])
def test_institutions_are_spelled_out_in_any_case(question):
    assert {"банк"} <= set(query_terms(question))


def test_a_day_a_figure_is_estimated_on_is_searched_in_the_releases_after_it():
    from rag.query import DateRange, build_query, parse_dates

    assert parse_dates("Какой была инфляция по оценке на 17 июля 2023 года?") == DateRange(20230717, 20230831)
    assert parse_dates("Сколько домов было подтоплено по состоянию на 8 апреля 2024 года?") == DateRange(
        20240408, 20240523)
    assert parse_dates("Что произошло 17 июля 2023 года?") == DateRange(20230717, 20230717)  # published that day
    assert build_query("Какая сейчас ключевая ставка?").latest
    # a part of a month something happened in; a day a figure is of («на начало сентября») is the whole month's
    assert parse_dates("До какого уровня подняли ставку в последний день февраля 2022 года?") == DateRange(20220228, 20220228)
    assert parse_dates("Что решили в конце января 2016 года?") == DateRange(20160120, 20160131)
    assert parse_dates("Что решили во второй половине июля 2023 года?") == DateRange(20230716, 20230731)
    assert parse_dates("What did the bank do in mid-August 2023?") == DateRange(20230810, 20230820)
    assert parse_dates("Как выросла денежная масса по оценке на начало сентября 2014 года?") == DateRange(20140901, 20140930)
    # a month named by its adjective, up to three words before the year (a hyphenated one counts as one)
    assert parse_dates("Что решили на декабрьском заседании 2024 года?") == DateRange(20241201, 20241231)
    assert parse_dates("О чём говорили на мартовской встрече в 2025 году?") == DateRange(20250301, 20250331)
    assert build_query("Насколько сократился ВВП в 2020 году, по данным февральского пресс-релиза Банка России "
                       "2021 года?").periods == (DateRange(20200101, 20201231), DateRange(20210201, 20210228))
    assert not build_query("Какая ключевая ставка была в июле 2023 года?").latest
    # "now" in the words of someone quoted is when he spoke
    assert not build_query("Какой, по словам губернатора, сейчас уровень бедности в области?").latest
    assert not build_query("Губернатордың айтуынша, облыстағы кедейлік деңгейі қазір қанша?").latest
    assert build_query("Облыстағы кедейлік деңгейі қазір қанша?").latest
