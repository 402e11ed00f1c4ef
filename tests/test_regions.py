"""The regions of Russia a text names (rag/glossary/regions_ru.tsv through rag/answering/regions.py), and the
sentence about another region than the one a question asks about, which is no answer to it."""

from __future__ import annotations

import pytest

from rag.answering.constraints import Failure
from rag.answering.regions import another_region, asked_region, read_gazetteer, regions_named
from rag.retrieval import Passage
from tests.question_support import model


def release(title: str, text: str) -> Passage:
    return Passage("r#0", "r", title, "2025-03-01", "kremlin.ru", "", text, 1.0)


def asked(question: str):
    return asked_region(model(question))


@pytest.mark.parametrize("text, region", [
    ("получили на Ставрополье урожай 6,3 миллиона тонн", "Ставропольский край"),
    ("В Забайкальском крае построят мост", "Забайкальский край"),
    ("дороги Забайкалья", "Забайкальский край"),
    ("в Горно-Алтайске открыли школу", "Алтай (республика)"),
    ("Губернатор Ростовской области доложил", "Ростовская область"),
    ("Встреча с главой Республики Татарстан", "Татарстан"),
])
def test_a_region_is_known_by_its_official_colloquial_and_city_names(text, region):
    assert region in regions_named(text)


def test_an_adjective_without_its_kind_and_a_country_are_no_regions():
    assert regions_named("Большой Смоленский мост через Неву") == frozenset()
    assert regions_named("назначен послом России в США") == frozenset()
    assert regions_named("Смоленской области выделят средства") == {"Смоленская область"}


def test_a_bad_gazetteer_line_is_named_by_file_and_line(tmp_path):
    bad = tmp_path / "regions.tsv"
    bad.write_text("# регионы\nРостовская область\tростовск\\w* {обл}\nТатарстан без шаблона\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"regions\.tsv:3"):
        read_gazetteer(bad)
    bad.write_text("Ростовская область\tростовск(\\w*\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"regions\.tsv:1"):
        read_gazetteer(bad)


def test_a_sentence_about_another_region_does_not_answer():
    region = asked("Какой урожай зерна собрали в Ростовской области в 2024 году?")
    assert region == {"Ростовская область"}
    stavropol = release("Встреча с губернатором Ставропольского края",
                        "В прошлом году получили на Ставрополье урожай 6,3 миллиона тонн зерна.")
    assert another_region(region, stavropol.text, stavropol.text, stavropol) == Failure("entity", "Ростовская область")
    rostov = release("Встреча с губернатором Ростовской области",
                     "В прошлом году на Дону собрали урожай. В Ростовской области собрали 11 миллионов тонн зерна.")
    assert another_region(region, "В Ростовской области собрали 11 миллионов тонн зерна.", rostov.text, rostov) is None


def test_a_sentence_naming_no_region_counts_when_its_release_is_about_the_asked_one():
    region = asked("Какой урожай зерна собрали в Ростовской области в 2024 году?")
    sentence = "Урожай составил 11 миллионов тонн зерна."
    rostov = release("Встреча с губернатором Ростовской области", f"Губернатор доложил о делах. {sentence}")
    assert another_region(region, sentence, sentence, rostov) is None
    kursk = release("Встреча с губернатором Курской области", f"Губернатор доложил о делах. {sentence}")
    assert another_region(region, sentence, sentence, kursk)


def test_a_transcript_titled_by_the_asked_region_may_name_other_places():
    region = asked("Сколько школ построили в Иркутской области?")
    irkutsk = release("Встреча с губернатором Иркутской области Игорем Кобзевым",
                      "Наши строители работали в Мариуполе. В регионе построили 12 школ.")
    assert another_region(region, "Наши строители работали в Мариуполе.", "Наши строители работали в Мариуполе.",
                              irkutsk) is None


def test_a_question_asking_which_region_or_naming_none_is_not_checked():
    assert asked("Какой завод построили в Ростовской области?") == {"Ростовская область"}
    assert not asked("В каком городе Ростовской области построили завод?")  # any of its cities answers
    assert not asked("В каком регионе построили больше всего жилья?")
    assert not asked("Какую ключевую ставку установил Банк России в марте 2025 года?")


def test_an_institute_named_by_the_asked_regions_adjective_does_not_bring_the_region_in():
    kostroma = release("Встреча с губернатором Костромской области Сергеем Ситниковым",
                       "Укомплектованность врачами выросла с 76 до 85 процентов. В.Путин: А где учатся? "
                       "С.Ситников: В основном Ярославский, Ивановский медицинские институты.")
    sentence = "Укомплектованность врачами выросла с 76 до 85 процентов."
    for question in ("Какая доля ставок врачей заполнена в Ивановской области?",
                     "What share of doctor posts is filled in the Ivanovo region?"):
        assert another_region(asked(question), sentence, kostroma.text, kostroma), question
    assert another_region(asked("Какая доля ставок врачей заполнена в Костромской области?"), sentence,
                          kostroma.text, kostroma) is None


def test_an_english_region_is_known_without_the_soft_sign_transliteration_drops():
    assert asked("How many eggs did the Yaroslavl region produce last year?") == {"Ярославская область"}
    assert asked("How many schools were built in the Tver region?") == {"Тверская область"}
    assert asked("How many plants opened in Perm in 2024?") == {"Пермский край"}
    assert asked("How many plants opened in Krasnodar in 2024?") == {"Краснодарский край"}
