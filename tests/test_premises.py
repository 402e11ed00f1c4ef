"""What a question takes as given: a why, yes/no or "how did X judge" question, a change, a negative premise, a
kind of event, a judgement — answered only where a release states it."""

from __future__ import annotations

import pytest

from rag.answering.constraints import Failure, passage_failure, premise_failure, sentence_failure
from rag.query import build_query
from rag.retrieval import Passage
from tests.question_support import model, passage


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
    # a contrary change said in fewer of the question's words denies it too, unless the asked one is said
    ("На сколько базисных пунктов и до какого уровня Банк России снизил ключевую ставку 25 октября?",
     "Принято решение повысить ключевую ставку на 200 б.п.",
     Failure("premise", "Принято решение повысить ключевую ставку на 200 б.п.")),
    ("На сколько базисных пунктов и до какого уровня Банк России снизил ключевую ставку 25 октября?",
     "Принято решение повысить ключевую ставку на 200 б.п. Позже ставку снизили на 100 б.п.", None),
    # a change that may come is no premise said: the decision made denies it
    ("Почему Банк России снизил ключевую ставку в феврале?",
     "Потенциал снижения ключевой ставки в первом полугодии уменьшился. "
     "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 10%.",
     Failure("premise", "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 10%.")),
    ("Почему Банк России снизил ключевую ставку в феврале?",
     "Банк России допускает возможность снижения ключевой ставки. "
     "Совет директоров Банка России принял решение снизить ключевую ставку до 9,75%.", None),
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
    # «чем объяснил», «из-за чего», «ради чего» take a cause as given, and a change named by a noun with it
    ("Чем Банк России объяснил снижение ключевой ставки в декабре?",
     "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 21%.",
     Failure("premise", "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 21%.")),
    ("Ради чего Банк России пошёл на снижение ключевой ставки?",
     "Совет директоров Банка России принял решение снизить ключевую ставку до 6%, чтобы поддержать экономику.", None),
])
def test_a_premise_must_be_said_and_a_contrary_change_denies_it(question, text, failed):
    weights = {term: 1.0 for term in build_query(question).content_terms}
    assert premise_failure(model(question), passage(text), weights) == failed


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


def test_a_decree_is_named_by_its_noun_not_by_the_verb_that_begins_alike():
    assert model("Какой рост цен указал Банк России в августе 2023 года?").events == ()
    decree = model("Кого назначил Путин указом в марте 2025 года?")
    assert decree.events == (("указ", "распоряжен"),)
    said = Passage("s#0", "s", "Заявление Банка России", "2025-03-21", "cbr.ru", "",
                   "Банк России указал на ускорение роста цен.", 1.0)
    signed = Passage("d#0", "d", "Указ о назначении", "2025-03-21", "kremlin.ru", "", "Назначить Иванова.", 1.0)
    assert passage_failure(decree, said, {"банк", "росс", "указа", "ускорен"}, [], lambda w, t: False) \
        == Failure("event", "указ")
    assert passage_failure(decree, signed, {"назнач", "иванов"}, [], lambda w, t: False) is None


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


def test_what_a_reaction_is_to_is_a_premise_a_release_must_state():
    question = model("Как в Евросоюзе отреагировали на вступление в силу договора о гарантиях безопасности?")
    assert question.premised and question.reacting == ("евросоюз",) and question.predicate == ()
    weights = {term: 1.0 for term in build_query(question.query.question).content_terms}
    letters = passage("Министр направил членам Евросоюза письма о юридическом анализе обязательств ОБСЕ. "
                      "Анализ был одобрен на совещании.")
    treaty = passage("Договор о гарантиях безопасности вступил в силу в марте. В Евросоюзе заявили, что не признают его.")
    assert premise_failure(question, letters, weights) == Failure("premise")
    assert premise_failure(question, treaty, weights) is None


def test_an_english_question_takes_its_change_as_given_through_its_russian_rendering():
    question = model("Why did the Bank of Russia cut the key rate in October?")
    assert question.predicate == ("сниз",) and "ставк" in question.changed
    weights = {term: 1.0 for term in build_query(question.query.question).content_terms}
    raised = passage("Совет директоров Банка России принял решение повысить ключевую ставку до 21%.")
    assert premise_failure(question, raised, weights).constraint == "premise"


@pytest.mark.parametrize("question, sentence, failed", [
    ("Правильно ли Банк России поднял ставку до 21%?",
     "Банк России принял решение повысить ключевую ставку до 21%.", Failure("opinion")),
    ("Was the Bank of Russia right to raise the key rate to 21%?",
     "Банк России принял решение повысить ключевую ставку до 21%.", Failure("opinion")),
    ("Правильно ли Банк России поднял ставку до 21%?",
     "Председатель назвал решение повысить ставку до 21% правильным и своевременным.", None),
    ("Поднял ли Банк России ставку до 21%?", "Банк России принял решение повысить ключевую ставку до 21%.", None),
    ("Бектеновтің Бішкекке сапары табысты болды ма?", "Олжас Бектенов с рабочим визитом посетил Бишкек.",
     Failure("opinion")),
])
def test_a_question_about_a_judgement_is_answered_only_by_a_sentence_making_one(question, sentence, failed):
    assert sentence_failure(model(question), passage(sentence), sentence) == failed


def test_an_english_assessment_is_a_premise_its_release_must_state():
    question = model("How did Putin assess the new trade agreement?")
    assert question.premised and any(stem.startswith("оцен") for stem in question.predicate)
    weights = {term: 1.0 for term in question.query.content_terms}
    talks = passage("Путин и его гости обсудили новое соглашение о торговле.")
    assert premise_failure(question, talks, weights) == Failure("premise")
    said = passage("Путин высоко оценил новое соглашение о торговле.")
    assert premise_failure(question, said, weights) is None


@pytest.mark.parametrize("question", [
    "Ресей Банкі наурызда мөлшерлемені неге көтерді?",  # a Kazakh verb comes after what it changes
    "What prompted the Bank of Russia to hike its key rate in March?",
])
def test_an_untagged_question_changes_what_its_change_is_said_of(question):
    decision = "Совет директоров Банка России принял решение сохранить ключевую ставку на уровне 7,75% годовых."
    weights = {term: 1.0 for term in build_query(question).content_terms}
    assert premise_failure(model(question), passage(decision), weights) == Failure("premise", decision)


@pytest.mark.parametrize("question", [
    "Тоқаев салтанатты шараларға қатысудан неге бас тартты?",  # "why did he refuse to take part"
    "Тоқаев салтанатты шараларға неге қатыспады?",  # "why did he not take part": a past negative
])
def test_a_kazakh_premise_in_the_negative_is_denied_by_a_release_saying_it_happened(question):
    said = "В торжественных мероприятиях в Москве примет участие Касым-Жомарт Токаев."
    weights = {term: 1.0 for term in build_query(question).content_terms}
    assert model(question).negated
    assert premise_failure(model(question), passage(said), weights).constraint == "premise"
