"""Plain-text releases as scraped from pages (a lost line break, a credited site) and Kazakh questions
rendered in the Russian words of the releases."""

from __future__ import annotations

from pathlib import Path

from rag.documents import load_path
from rag.kazakh import fold_name, to_russian
from rag.plaintext import credited_site, repair_glued_lines
from rag.text import sentences, skeleton, stem_head

GLUED = ("Глава правительства посетил Астану\n"
         "Стороны договорились о поставках на 40 млн долларовПо поручению президента министр провёл встречу. "
         "Переговоры прошли в Доме министерств, сообщает gov.kz.")


def test_a_lost_line_break_between_a_heading_and_a_paragraph_is_put_back():
    repaired = repair_glued_lines(GLUED)
    assert "на 40 млн долларов\nПо поручению президента" in repaired
    assert repaired.replace("\n", "") == GLUED.replace("\n", ""), "nothing but the line break changes"


def test_brands_in_quotes_and_short_prefixes_are_not_line_breaks():
    for text in ("Контракт с «РусГидро» подписан.", "Превращение в «антиРоссию» недопустимо.",
                 "Проект «ИнтерКамСервис» запущен.", "Это антиРоссийская риторика."):
        assert repair_glued_lines(text) == text


def test_the_site_a_repost_credits_is_its_source():
    assert credited_site(GLUED) == "gov.kz"
    assert credited_site("Об этом передаёт пресс-служба akorda.kz со ссылкой на …") == "akorda.kz"
    assert credited_site("Визит прошёл успешно.") == ""


def test_a_plain_text_release_in_the_founding_shape_loads_with_title_source_and_no_date(tmp_path: Path):
    path = tmp_path / "visit.txt"
    path.write_text(GLUED, encoding="utf-8")
    [doc] = list(load_path(path, tmp_path, 2**20))
    assert (doc.id, doc.title, doc.source, doc.date, doc.url) == (
        "visit", "Глава правительства посетил Астану", "gov.kz", "", "")
    texts = [s.text for s in sentences(doc.text)]
    assert texts[:3] == ["Глава правительства посетил Астану",
                         "Стороны договорились о поставках на 40 млн долларов",
                         "По поручению президента министр провёл встречу."]


def test_a_hard_wrapped_line_going_on_in_lower_case_stays_in_its_sentence():
    text = "Совет директоров принял решение\nповысить ключевую ставку. Следующее заседание в июле."
    assert [s.text for s in sentences(text)] == [
        "Совет директоров принял решение\nповысить ключевую ставку.", "Следующее заседание в июле."]


def test_kazakh_names_fold_to_their_russian_stems():
    assert [fold_name(w) for w in ("Қырғызстанға", "Тоқаевтың", "Бішкекте", "Қазақстанның", "Астанада")] == [
        "кыргызстан", "токаев", "бишкек", "казахстан", "астана"]


def test_kazakh_noun_endings_are_cut_as_they_stack_and_only_where_they_can_follow():
    # plural + genitive, relative, plural + possessive + genitive; «Аргентина» ends in no dative (that needs a
    # possessive before it), «Алматы» in no accusative (-ты needs a voiceless consonant before it).
    words = ("Назарбаевтардың", "Берлиндегі", "контракттарының", "Аргентина", "Алматы")
    assert [fold_name(w) for w in words] == ["назарбаев", "берлин", "контракт", "аргентина", "алмат"]


def test_kazakh_verb_forms_and_voiced_stems_meet_their_glossary_entries():
    russian = to_russian("Үкімет жобаны қолдады, бағдарлама кеңейтілді, келісімге қол қойған тараптар "
                         "қауіпсіздігін талқыланды")
    for expected in ("поддержки", "расширения", "подписали", "безопасности", "обсуждали"):
        assert expected in russian.split()
    # a figure that fell or grew, of itself: the intransitive verbs of change
    changed = to_russian("Оқушылар саны неліктен қысқарды, ал мұғалімдер саны көбейді?").split()
    assert "сократилось" in changed and "увеличилось" in changed


def test_kazakh_function_words_are_dropped_not_read_as_glossary_words_or_names():
    assert to_russian("Бұл туралы Мәскеуде қалай айтқан?").split() == ["москва", "московскому", "сказать",
                                                                       "говорили", "?"]


def test_kazakh_release_words_are_rendered_through_the_glossary_with_their_endings():
    russian = to_russian("Тауар айналымын 2 млрд долларға жеткізу туралы құжатқа Бектеновтың қол қоюы")
    assert "товарооборот" in russian and "документ" in russian and "доллар" in russian
    assert "2" in russian.split() and "бектенов" in russian.split()


def test_inflections_and_transliterations_of_one_name_meet():
    assert "кыргызста".startswith(stem_head("кыргызстан")) and "жапар".startswith(stem_head("жапаров"))
    assert skeleton("тарик") == skeleton("тарек") and skeleton("джапаров") == skeleton("жапаров")
    assert skeleton("тарик") != skeleton("токаев")
