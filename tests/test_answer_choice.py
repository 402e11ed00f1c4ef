"""The offline answerer's choices over candidates (rag/answering/extractive.py): which releases to quote and
cite, what to leave out, and refusals that say which constraint failed."""

from __future__ import annotations

import contextlib

import pytest

from conftest import copy_corpus
from rag.answering.constraints import Failure
from rag.assistant import Assistant
from rag.query import DateRange, build_query
from rag.text import terms
from tests.question_support import model, passage


@contextlib.contextmanager
def one_release(settings, embedder, tmp_path, title: str, date: str, text: str):
    """An assistant over one release the test writes."""
    (tmp_path / "release.md").write_text(f"---\ntitle: {title}\ndate: {date}\n---\n{text}\n", encoding="utf-8")
    with Assistant(settings=settings, index_dir=tmp_path / "index", embedder=embedder) as assistant:
        assistant.ingest([tmp_path / "release.md"])
        yield assistant


def _answerer_without_index():
    """The offline answerer over no index: every stem equally rare, no release's terms, no embeddings."""
    from rag.answering.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(idf=lambda term: 1.0, embed=None, document_terms=lambda ids: set(),
                              spellings=lambda stem, transliterated=False: [])


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


def test_a_release_of_the_period_that_says_far_less_than_one_of_another_period_does_not_answer():
    answerer = _answerer_without_index()
    query = build_query("Какое решение по ключевой ставке принял Банк России в апреле 2024 года?")
    wanted = {term: 1.0 for term in query.content_terms}
    decision = passage("Банк России принял решение повысить ключевую ставку до 13%.", date="2023-09-15", doc_id="cbr")
    unrelated = passage("Правительство приняло решение о помощи жителям.", date="2024-04-08", doc_id="gov")
    near = passage("Банк России принял решение по ключевой ставке позже.", date="2024-04-26", doc_id="cbr2")
    period = [Failure("period")]
    assert answerer._better_in_another_period([decision, unrelated], [unrelated], period, wanted, None)
    assert not answerer._better_in_another_period([decision, near], [near], period, wanted, None)
    assert not answerer._better_in_another_period([decision, unrelated], [unrelated], [], wanted, None)
    # a question naming a day: the same publisher's release of that day answers it, though it says less; a
    # release of that day from another publisher does not
    april_26 = DateRange(20240426, 20240426)
    of_the_day = passage("Принято решение по ставке.", date="2024-04-26", doc_id="cbr3")
    unrelated_of_the_day = passage("Правительство приняло решение о помощи жителям.", date="2024-04-26", doc_id="gov2",
                                   source="Правительство")
    assert not answerer._better_in_another_period([decision, of_the_day], [of_the_day], period, wanted, april_26)
    assert answerer._better_in_another_period([decision, unrelated_of_the_day], [unrelated_of_the_day], period,
                                              wanted, april_26)
    # so does a month named: the publisher's release of that month is the one asked about («прогноз в апреле 2024»)
    april = DateRange(20240401, 20240430)
    assert not answerer._better_in_another_period([decision, of_the_day], [of_the_day], period, wanted, april)
    assert answerer._better_in_another_period([decision, unrelated_of_the_day], [unrelated_of_the_day], period,
                                              wanted, april)


def test_a_question_asking_one_thing_quotes_another_release_only_for_what_is_not_yet_said():
    from rag.answering.selection import Candidate, select

    def candidate(text: str, doc_id: str, score: float) -> Candidate:
        return Candidate(passage(text, doc_id=doc_id), text, set(terms(text)), 0.5, 0, score=score)

    asked = model("Кто назначен послом России в Египте?")
    wanted = {term: 1.0 for term in asked.query.content_terms}
    answer = candidate("Послом России в Египте назначен Георгий Борисенко.", "decree", 1.0)
    same_topic = candidate("Посол России в Египте вручил верительные грамоты президенту.", "other", 0.9)
    same_release = candidate("Борисенко ранее работал послом России в Мексике.", "decree", 0.8)
    chosen = select([answer, same_topic, same_release], wanted, sum(wanted.values()), asked.asks_several)
    assert [c.passage.doc_id for c in chosen] == ["decree", "decree"]

    two = model("Кто назначен послом России в Египте, и когда он вручил верительные грамоты?")
    assert two.asks_several and model("О чём говорили в марте и апреле 2025 года?").asks_several
    wanted = {term: 1.0 for term in two.query.content_terms}
    chosen = select([answer, same_topic], wanted, sum(wanted.values()), two.asks_several)
    assert [c.passage.doc_id for c in chosen] == ["decree", "other"]


def test_a_sites_links_to_other_pages_are_not_quoted(settings, embedder, tmp_path):
    text = ("В Кремле прошли переговоры президентов России и Омана. "
            "Дополнительно Список документов, подписанных по итогам переговоров 22 апреля 2025 года. "
            "Дополнительно будет выделено 5 миллиардов рублей на совместные проекты.")
    with one_release(settings, embedder, tmp_path, "Переговоры с Султаном Омана", "2025-04-22", text) as assistant:
        # the list's heading names documents, but it is the only sentence that does: nothing says which
        answer = assistant.ask("Какие документы подписали Россия и Оман по итогам переговоров?")
        assert answer.refused and answer.refusal_reason == "document"
        sum_answer = assistant.ask("Сколько рублей выделят на совместные проекты России и Омана?")
        assert any("5 миллиардов рублей" in c["quote"] for c in sum_answer.citations)


def test_a_question_naming_several_periods_of_one_kind_quotes_each():
    from rag.answering.selection import Candidate, each_period

    def candidate(text: str, date: str, score: float) -> Candidate:
        return Candidate(passage(text, date=date, doc_id=date), text, set(terms(text)), 0.5, 0, score=score)

    july = candidate("Банк России повысил ключевую ставку до 18%.", "2024-07-26", 1.0)
    july_more = candidate("Банк России допускает дальнейшее повышение ставки.", "2024-07-26", 0.9)
    october = candidate("Банк России повысил ключевую ставку до 21%.", "2024-10-25", 0.5)
    months = (DateRange(20240701, 20240731), DateRange(20241001, 20241031))
    assert each_period([july, july_more, october], months) == [july, october]
    # a release's day and the year it forecasts are not two periods asked alike
    day_and_year = (DateRange(20240726, 20240726), DateRange(20250101, 20251231))
    assert each_period([july, october], day_and_year) == []


def test_a_refusal_for_a_document_names_what_was_asked(assistant):
    answer = assistant.ask("Какие соглашения подписал губернатор на открытии школы в Новосибирске?")
    assert answer.refused and answer.refusal_reason == "document" and "«соглашения»" in answer.answer.split("\n")[0]


def test_a_release_on_the_topic_whose_sentences_say_almost_nothing_asked_answers_nothing(settings, embedder,
                                                                                          tmp_path, monkeypatch):
    from rag.answering import extractive

    # the release says much of what is asked, but each sentence hardly any of it
    text = ("Новым гостем стал Александр Беглов. О столице страны тоже подробно говорили. "
            "Беглов рассказал о новых городских делах. Потом речь шла о туристах из Германии. "
            "Затем обсудили назначения в мэрии. Отдельно говорили о федеративном устройстве. "
            "Было упомянуто и слово «республика». Президент поблагодарил всех.")
    question = "Кого президент назначил новым послом в столице Федеративной Республики Германия в марте 2025 года?"
    with one_release(settings, embedder, tmp_path, "Встреча с губернатором", "2025-03-12", text) as assistant:
        answer = assistant.ask(question)
        assert answer.refused and answer.citations == []
        # the refusal is the support floor's: without it the governor's name is quoted as the answer
        monkeypatch.setattr(extractive, "MIN_SUPPORT", 0.0)
        assert not assistant.ask(question).refused


def test_what_a_kazakh_how_much_counts_is_looked_for_in_the_release_even_when_it_names_no_one(settings, embedder,
                                                                                            tmp_path):
    text = ("Вчера беспилотники атаковали нефтеперекачивающую станцию в Краснодарском крае. По данному трубопроводу "
            "прокачивалось по прошлому году 62,5 миллиона тонн, более 65 процентов – это нефть иностранных компаний.")
    with one_release(settings, embedder, tmp_path, "Совещание с членами Правительства", "2025-02-18", text) as assistant:
        # «мұнай» (oil) is no Russian word the embeddings know: the release's own stems must tell it speaks of oil
        answer = assistant.ask("Өткен жылы құбыр арқылы қанша мұнай айдалды?")
        assert not answer.refused and "62,5 миллиона тонн" in answer.citations[0]["quote"]


@pytest.mark.parametrize("question, text, fact", [
    # «құрбанға» (victims) is a word the Kazakh glossary has no Russian for: what is counted is not known
    ("Нацизм құрбандарына өтемақы төлейтін қор бастапқыда қанша құрбанға есептелген еді?",
     "Фонд выплат компенсаций жертвам нацизма изначально был рассчитан на 150–160 тысяч жертв.", "150–160"),
    # days are counted in any release: «дней», not only «день» or «дня»
    ("Подполковник Чебнёв Малая Локня елді мекенін неше күн бойы қорғады?",
     "В течение 12 дней подполковник Чебнёв удерживал населённый пункт Малая Локня.", "12"),
])
def test_a_kazakh_how_many_is_not_refused_for_a_counted_word_the_releases_cannot_use(settings, embedder, tmp_path,
                                                                                     question, text, fact):
    with one_release(settings, embedder, tmp_path, "Встреча с журналистами", "2002-04-07", text) as assistant:
        answer = assistant.ask(question)
    assert not answer.refused and fact in answer.answer


def test_who_is_refused_when_no_sentence_names_anyone_and_the_refusal_says_so(settings, embedder, tmp_path):
    text = ("Президент подписал Указ «О досрочном прекращении полномочий Губернатора Новгородской области». "
            "Указ вступает в силу со дня его подписания.")
    with one_release(settings, embedder, tmp_path, "Указ о губернаторе", "2025-02-13", text) as assistant:
        answer = assistant.ask("Кто стал врио губернатора Новгородской области?")
    assert answer.refused and answer.refusal_reason == "answer_type"
    assert "не названо, кто это" in answer.answer.split("\n")[0]


def test_what_happened_is_quoted_before_a_forecast_unless_a_forecast_is_asked(settings, embedder, tmp_path):
    text = ("Совет директоров Банка России принял решение повысить ключевую ставку до 8,50% годовых. "
            "По прогнозу Банка России, годовая инфляция в Тульской области ускорится до 6–7% в 2023 году. "
            "Годовая инфляция в Тульской области в июле составила 4,1%.")
    with one_release(settings, embedder, tmp_path, "О ключевой ставке", "2023-07-21", text) as assistant:
        happened = assistant.ask("До какого уровня ускорилась годовая инфляция в Тульской области в июле 2023 года?")
        assert happened.citations[0]["quote"].startswith("Годовая инфляция в Тульской области в июле"), happened.answer
        forecast = assistant.ask("Какую годовую инфляцию в Тульской области прогнозирует Банк России на 2023 год?")
        assert forecast.citations[0]["quote"].startswith("По прогнозу"), forecast.answer


def test_a_question_put_in_a_transcript_is_not_quoted_as_an_answer():
    from rag.answering.extractive import _only_asks

    assert _only_asks("А что вы думаете о сроках строительства моста?")
    assert not _only_asks("В этом году собрали 5 миллионов тонн зерна. И что?")  # a statement, a short question joined
    assert not _only_asks("Переговоры в Минске прошли успешно.")


def test_the_line_giving_the_time_of_publication_is_not_quoted(settings, embedder, tmp_path):
    text = ("Совет директоров Банка России 14 марта 2031 года принял решение снизить ключевую ставку до 6,00% годовых. "
            "Время публикации пресс-релиза о решении Совета директоров Банка России по ключевой ставке — 13:30.")
    with one_release(settings, embedder, tmp_path, "О ключевой ставке", "2031-03-14", text) as assistant:
        answer = assistant.ask("Какое решение по ключевой ставке принял Совет директоров Банка России в марте 2031 года?")
        assert answer.citations and not any("Время публикации" in c["quote"] for c in answer.citations), answer.answer



def test_a_passage_ranks_as_its_release_does_and_less_by_its_place_among_the_releases_passages():
    from rag.answering.extractive import WITHIN_RELEASE_DECAY

    answerer = _answerer_without_index()
    query = build_query("Какую выручку получил КамАЗ в прошлом году?")
    wanted = {term: 1.0 for term in query.content_terms}
    first = "Выручка хорошая – почти 60 миллиардов рублей, сказал президент."
    other = "Выручка завода выросла вдвое, сообщил директор."
    answer = "Выручка КамАЗа составила 323 миллиарда рублей."
    passages = [passage(first, doc_id="talk"), passage(other, doc_id="news"), passage(answer, doc_id="talk")]
    ranks = {c.text: c.rank for c in answerer._candidates(passages, wanted, sum(wanted.values()), "money", {}, False)}
    # the talk's second passage ranks ahead of the news release ranked above it
    assert ranks == {first: 0, other: 1, answer: WITHIN_RELEASE_DECAY} and WITHIN_RELEASE_DECAY < 1


def test_two_words_of_a_question_may_be_said_in_one_word_of_a_release():
    from rag.answering.extractive import _compounded

    query = build_query("Какой вопрос по водному хозяйству подняли на переговорах?")
    pairs = list(zip(query.content_terms, query.content_terms[1:]))
    said = _compounded(pairs, set(terms("Премьер подчеркнул важность режимов работы водохозяйственных сооружений.")))
    assert said == {"водн", "хозяйств"}
    assert not _compounded(pairs, set(terms("Обсудили водные ресурсы и сельское хозяйство.")))


@pytest.mark.parametrize("question", ["Как приготовить борщ с пампушками?", "Сколько сейчас стоит биткоин?"])
def test_a_question_none_of_whose_nouns_any_release_uses_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.citations == [] and answer.refusal_reason == "entity"


def test_one_noun_no_release_uses_does_not_refuse_a_question_the_others_place():
    from rag.answering.spellings import unheard_of_topic

    from rag.text import query_terms

    known = set(query_terms("условиях визит"))
    idf = lambda stem: 1.0 if stem in known else None  # noqa: E731
    assert unheard_of_topic(build_query("Как приготовить борщ с пампушками?"), idf) == "борщ"
    assert unheard_of_topic(build_query("Как приготовить тирамису в домашних условиях?"), idf) is None
    # names are the entity check's: «Бишкеке» is no noun it reads
    assert unheard_of_topic(build_query("Чем завершился визит в Бишкеке?"), idf) is None


def test_a_question_naming_a_publisher_asks_of_its_releases_not_anothers_release_of_the_period():
    answerer = _answerer_without_index()
    query = build_query("Что решил Банк России по ключевой ставке на заседании в августе 2024 года?")
    wanted = {term: 1.0 for term in query.content_terms}
    assert "го" not in build_query("Что решил ЦБ со ставкой на заседании в августе 2024-го?").content_terms
    bank = "Банк России (cbr.ru)"
    july = passage("Совет директоров Банка России на заседании решил повысить ключевую ставку до 18%.",
                   date="2024-07-26", source=bank, doc_id="cbr-july")
    meeting = passage("Банк России решил вопрос финансирования, сказал губернатор; ставка на заседании — на местных.",
                      date="2024-08-12", source="Президент России (kremlin.ru)", doc_id="kremlin-august")
    august = DateRange(20240801, 20240831)
    period = [Failure("period")]
    assert answerer._better_in_another_period([meeting, july], [meeting], period, wanted, august)
    # the publisher's own release of the month asked answers it
    of_august = passage("Совет директоров Банка России решил сохранить ставку.", date="2024-08-30", source=bank,
                        doc_id="cbr-august")
    assert not answerer._better_in_another_period([meeting, july, of_august], [meeting, of_august], period, wanted,
                                                  august)
