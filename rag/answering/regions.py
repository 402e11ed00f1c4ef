"""The regions of Russia a text names (`glossary/regions_ru.tsv`: each by its official, short and colloquial
names and its cities), so that a sentence about another region than the one asked is not taken for an answer
(«Какой урожай собрала Ростовская область?» is not answered by «получили на Ставрополье урожай 6,3 миллиона
тонн»). A gazetteer rather than natasha's place names: a country or a city it does not list is not a region
that could stand in for the one asked («послом России в США»), and «Забайкалье» is the «Забайкальский край»."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.answering.constraints import SPEAKER, Failure
from rag.answering.names import in_russian
from rag.answering.question import Question
from rag.retrieval import Passage
from rag.text import normalise

# «в каком регионе», «какая область», «в каком городе»: the question asks which, so any region answers.
REGION_NOUNS = ("регион", "област", "кра", "субъект", "республик", "город")
SOFT_ENDING = re.compile(r"([лнрмт])\b")
GAZETTEER = Path(__file__).parent.parent / "glossary" / "regions_ru.tsv"
KINDS = {"{обл}": r"област\w*", "{кр}": r"кра(?:й|я|ю|ем|е)\b", "{респ}": r"республик\w*",
         "{ао}": r"автономн\w* округ\w*", "{г}": r"(?:а|е|у|ом|ы|ой)?\b"}


@lru_cache(maxsize=1)
def gazetteer() -> tuple[tuple[str, re.Pattern], ...]:
    return read_gazetteer(GAZETTEER)


def read_gazetteer(path: Path) -> tuple[tuple[str, re.Pattern], ...]:
    """`region<TAB>pattern` lines ('#' comments) → (region, compiled pattern matched at a word's start)."""
    regions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        region, sep, pattern = line.partition("\t")
        if not sep or not region.strip() or not pattern.strip():
            raise ValueError(f"{path}:{number}: expected 'region<TAB>pattern'")
        for kind, words in KINDS.items():
            pattern = pattern.replace(kind, words)
        try:
            compiled = re.compile(rf"(?<![\w-])(?:{pattern.strip()})")
        except re.error as error:
            raise ValueError(f"{path}:{number}: {error}") from None
        regions.append((region.strip(), compiled))
    return tuple(regions)


def regions_named(text: str) -> frozenset[str]:
    """The regions of Russia a (Russian) text names."""
    folded = normalise(text)
    return frozenset(region for region, pattern in gazetteer() if pattern.search(folded))


def asked_region(question: Question) -> frozenset[str]:
    """The regions the question's entities name, none when it asks which region («в каком регионе …?»: any
    is an answer). Only the gazetteer's names count, in the question as in the releases: «Ивановский
    медицинский институт» in a Kostroma transcript does not speak of the Ivanovo region."""
    language = question.query.language
    named = " ".join(in_russian(e.text, language) for e in question.entities)
    if language == "en":
        # Transliteration drops the soft sign a Russian name ends in: Yaroslavl, Tver, Perm, Tyumen, Ryazan.
        named += " " + SOFT_ENDING.sub(r"\1ь", named)
    asked = regions_named(named)
    if not asked or "place" in (question.answer_type, *question.answer_types) or any(
            noun.startswith(REGION_NOUNS) for noun in question.asked_noun):
        return frozenset()
    return asked


def another_region(asked: frozenset[str], sentence: str, context: str, passage: Passage) -> Failure | None:
    """The failure of a sentence that speaks of another region than the one asked."""
    if asked and _elsewhere(asked, sentence, context, passage):
        return Failure("entity", min(asked))
    return None


def _elsewhere(asked: frozenset[str], sentence: str, context: str, passage: Passage) -> bool:
    """Whether the sentence names a region and neither it nor its neighbours name the asked one, in a release
    whose title does not either; or it names none, the release's title names another and the release never
    mentions the asked one."""
    said = regions_named(SPEAKER.sub(" ", sentence))
    if said & asked or regions_named(context) & asked:
        return False
    titled = regions_named(passage.title)
    if said:
        # A governor's transcript titled by his region speaks of other places too (Мариуполь in an
        # Иркутская область meeting) without being about them.
        return not titled & asked
    return bool(titled) and not titled & asked and not regions_named(passage.text) & asked
