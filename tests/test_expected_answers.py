"""What kind of answer a question asks for, whether a sentence holds it, and which spans the offline
answerer may quote."""

from __future__ import annotations

import pytest

from rag.answering.expected import expected_answer, holds
from rag.answering.extractive import _quotable


@pytest.mark.parametrize("question, kind", [
    ("Во сколько обошлось строительство атомной подводной лодки?", "money"),
    ("Во сколько обойдётся строительство нового корпуса?", "money"),
    ("Сколько стоит билет на поезд до Бишкека?", "money"),
    ("Сколько процентов избирателей поддержали конституцию?", "percent"),
    ("Какую долю рынка занимает компания?", "percent"),
    ("Сколько человек эвакуировали из зоны подтопления?", "number"),
    ("Каким был уровень безработицы в 2023 году?", "number"),
    ("До какого уровня подняли ключевую ставку?", "number"),
    ("Какой стала ключевая ставка после заседания?", "number"),
    ("Какой будет инфляция в следующем году?", "number"),
    ("How many passengers did Aeroflot carry?", "number"),
    ("Какую годовую инфляцию приводил Банк России?", "percent"),
    ("Какую новую должность получил прежний глава?", None),  # «должность» is not «доля»
    ("Кто назначен послом в США?", "name"),
    ("Когда состоится следующее заседание?", "date"),
    ("В какие сроки товарооборот выйдет на два миллиарда долларов?", "date"),
    ("В каком году был подписан договор о дружбе?", "date"),
    ("In what year was the treaty signed?", "date"),
    ("Келісімге қай жылы қол қойылды?", "date"),
    ("Мәскеуге барып-қайту авиабилеті қанша тұрады?", "money"),  # "how much does it cost"
    ("Мерейтойға федералдық бюджеттен қанша қаражат бөлінеді?", "money"),  # "how many funds"
    ("Ол көмектің жалпы сомасын қанша деп атады?", "money"),  # "what total sum"
    ("Путин ЖІӨ өсімі туралы қандай көрсеткіш келтірді?", "number"),  # "what figure"
    ("О чём говорили президенты?", None),
    ("What key rate did the Bank of Russia set in July 2024?", "percent"),
    ("What share of its weapons does the army get from Rostec?", "percent"),
    ("What birth rate did the governor give for the region?", None),  # a birth rate is no percentage
    # a duration, a speed, a record, a part or a growth asked for is a number
    ("Какой средней продолжительности жизни достигли жители области?", "number"),
    ("С какой скоростью вращается ротор центрифуги?", "number"),
    ("Какой рекорд по сбору зерна поставил край?", "number"),
    ("Какую часть рынка контролирует компания?", "number"),
    ("Какое увеличение ВВП прогнозировал банк?", "number"),
    ("How long is the new bridge over the river?", "number"),
    ("How high did the bank raise its policy rate?", "number"),
    ("What GDP growth did the minister report for last year?", "number"),
    ("What annual capacity is the coal terminal built for?", "number"),
    ("What revenue did the region's IT companies bring in?", "money"),
    ("What dollar value does the government put on the new exports?", "money"),
    ("What investment projects did the governor present?", None),  # projects are not a sum
    ("Какой бюджет был у фильма?", "money"),
    ("Сколько в год зарабатывала студия до реформы?", "money"),
    ("Сколько человек работало на студии?", "number"),
    ("What new maximum family mortgage loan amount did the governors propose?", "money"),
    ("Какой спад производства прогнозирует банк?", "number"),
    ("Какое снижение ставки ожидают аналитики?", "number"),
    ("Жүк ағыны қандай көлемге жетеді?", "number"),
    ("On what exact date did the prime minister visit Bishkek?", "day"),
    ("На какое число назначено следующее заседание совета директоров?", "day"),  # «число» is a day here
    ("К какому числу нужно подать документы на аккредитацию?", "day"),
    ("Какое число беженцев приняла область?", None),  # and a count there
    ("Как назывался контейнеровоз, прошедший Севморпуть?", "name"),
    # the first question word tells what is asked; a "when" after it is of the event asked about
    ("Who received the prime minister when he visited Bishkek?", "name"),
    ("Кто встречал делегацию, когда она прилетела в Москву?", "name"),
    ("Когда и кто подписал указ?", "date"),
    ("What did the two leaders talk about when they met in Moscow?", None),
    ("О чём говорили лидеры, когда встретились в Москве?", None),
    ("When and where did they meet?", "date"),
    ("In his call with Maduro, when did Putin say the two countries established relations?", "date"),
    # an English "who" after a noun is a relative pronoun, not a question word
    ("What target did the minister set for the share of leavers who go on to work in industry?", None),
    ("Who replaced him in Orenburg, and who took over in Sverdlovsk?", "name"),
])
def test_expected_answer(question, kind):
    assert expected_answer(question) == kind


@pytest.mark.parametrize("kind, sentence, expected", [
    ("number", "Из зоны подтопления эвакуированы более 6 тысяч человек.", True),
    ("number", "За этот период погибло четверо муниципальных служащих.", True),
    ("number", "Строительство лодок ведёт «Севмаш».", False),
    ("number", "На первом месте Москва, третье место делят Татарстан и Башкортостан.", False),  # ordinals count nothing
    ("number", "Треть жителей области получили выплаты.", True),
    ("number", "В декабре 2023 года мы вместе запускали движение по новой линии.", False),  # a year is no amount
    ("number", "Заседание пройдёт 14 февраля, а не 14.02.2026.", False),
    ("number", "Комплекс мощностью 18 миллионов тонн в год откроется в 2026 году.", True),
    ("money", "Строительство обошлось в 3,5 млрд рублей.", True),
    ("money", "Строительство ведёт «Севмаш» по проекту 885М.", False),
    ("money", "Стороны обсудили европейскую безопасность.", False),
    ("money", "Свыше 20 миллионов солдат погибли на фронтах.", False),  # millions of people are no sum
    ("money", "Каждый получит по 2,5 миллиона.", True),
    ("percent", "Конституцию поддержали 95,5% избирателей.", True),
    ("percent", "Ставка снижена на 25 б.п.", True),
    ("percent", "Референдум прошёл в 2003 году.", False),
])
def test_holds(kind, sentence, expected):
    assert holds(kind, sentence) is expected


def test_a_short_reply_is_quoted_with_the_question_it_answers():
    text = ("Хочу вас поздравить с возвращением домой. Сколько Вы провели? А.Труфанов: 498 дней. "
            "Ещё раз хочу выразить надежду, что все будут освобождены.")
    units = _quotable(text)
    assert units == ["Хочу вас поздравить с возвращением домой. Сколько Вы провели? А.Труфанов: 498 дней.",
                     "Ещё раз хочу выразить надежду, что все будут освобождены."]
    assert all(unit in text for unit in units)  # quotes stay verbatim spans


def test_a_day_is_recalled_only_by_that_day_not_a_longer_number():
    from rag.answering.periods import _mentions_day
    from rag.query import build_query
    from rag.retrieval import Passage

    query = build_query("Что произошло 1 марта 2025 года?")

    def passage(text: str, date: str = "2025-06-10") -> Passage:
        return Passage("d#0", "d", "Заголовок", date, "Кремль", "", text, 1.0)

    assert _mentions_day(passage("Указ подписан 1 марта, в субботу."), query)
    assert not _mentions_day(passage("Указ подписан 21 марта, в пятницу."), query)
    assert not _mentions_day(passage("Указ подписан 1 марта.", date="2024-06-10"), query)  # another year
    # a later year's release recalls the day with its year; an earlier one naming it only announces it
    assert _mentions_day(passage("Бой 1 марта 2025 года вошёл в историю.", date="2026-03-01"), query)
    assert not _mentions_day(passage("Заседание пройдёт 1 марта 2025 года.", date="2024-12-20"), query)


def test_the_digits_of_an_address_are_no_amount():
    assert not holds("number", "Информация будет отправлена журналистам. E-mail: accredit@may9.ru")
    assert not holds("number", "Подробнее на сайте www.cbr.ru/press/pr/?file=20122024")
    assert holds("number", "Сайт kremlin.ru сообщил о 5 встречах.")


def test_the_digits_of_a_name_are_no_amount():
    assert not holds("number", "Начата утилизация мазута из носовой части «Волгонефти-239».")
    assert holds("number", "Поставлено 12 самолётов Су-57.") and holds("number", "Рост на 5-6%.")


def test_the_number_of_a_figure_of_speech_is_no_amount():
    assert not holds("number", "Буквально два слова о нашем театре, который в 2010 году едва не закрылся.")
    assert not holds("number", "Позвольте пару слов о музее.")
    assert holds("number", "Скажу пару слов: в театре работает 40 актёров.")
    # «один из» is one of several
    assert not holds("number", "Президент поддержал один из основных тезисов главы американского государства.")
    assert holds("number", "Одна из школ рассчитана на 855 мест.") and holds("number", "Построена одна школа.")
