"""Kazakh questions over Russian releases: release vocabulary through a glossary, names folded.

Kazakh is agglutinative: a word stacks its suffixes («пункт-тер-і-нің», «Қырғызстан-ға», «тағайында-л-ды»).
A word that is a glossary entry with Kazakh endings («құжатқа» → документ, «тауар айналымы» → товарооборот)
is rendered in Russian (`glossary/kk_ru.tsv`, the Kazakh equivalents of the corpus's most frequent terms);
an entry's final қ, к, п voiced before a vowel («ынтымақтастығы») and a verb's tenses, participles and
passives («қабылдады», «талқыланды» of «қабылдау», «талқылау») count as its forms. Any other word is taken
for a name or a borrowed word: its noun endings cut from the outside in (relative, case, possessive, plural,
adjective: «Кашмир-дегі», «Президент-і-нің», «кредит-тер-і», «ипотека-лық») and its Kazakh letters folded
(Қ→К, Ө→О, Ү/Ұ→У, І→И, Ң→Н, Ғ→Г, Ә→А, Һ→Х), which leaves the stem the Russian text shares («токаев»).
These are general rules of Kazakh morphology; `evals/bench_kazakh_stemming.py` measures them (and the PyPI
analyser kazstem, which cannot run offline from its package alone) on the tuning suites' Kazakh questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.translate import read_glossary

LETTERS = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
VOWELS = frozenset("аәеёиоөұүыіэюя")
# A noun's endings in the order Kazakh stacks them, outermost first; within a layer longest first.
LAYERS = (
    ("ндағы", "ндегі", "дағы", "дегі", "тағы", "тегі"),  # relative: «Кашмирдегі» (the one in Kashmir)
    ("ның", "нің", "дың", "дің", "тың", "тің", "нан", "нен", "дан", "ден", "тан", "тен", "нда", "нде", "мен", "бен",
     "пен", "ға", "ге", "қа", "ке", "на", "не", "ны", "ні", "ды", "ді", "ты", "ті", "да", "де", "та", "те", "н"),
    ("сы", "сі", "ы", "і"),  # possessive (third person)
    ("лар", "лер", "дар", "дер", "тар", "тер"),  # plural
    ("лық", "лік", "дық", "дік", "тық", "тік", "лығ", "ліг", "дығ", "діг", "тығ", "тіг"),  # adjective of a noun
)
# What an ending follows: a possessive («сапар-ы-нда», «индустрия-сы-н»: «Астана», «Украина» end in no
# dative), a vowel, a vowel or a nasal, a consonant; one in т, қ, к, п a voiceless consonant (and «Тоқаев-тың»
# a в): «Алматы» is no «Алма» + -ты.
AFTER_POSSESSIVE = {"н", "на", "не", "нда", "нде", "ндағы", "ндегі"}
AFTER_VOWEL = {"ны", "ні", "сы", "сі"}
AFTER_VOWEL_OR_NASAL = {"ның", "нің", "нан", "нен"}
AFTER_CONSONANT = {"ы", "і", "ды", "ді", "дың", "дің", "дар", "дер", "дық", "дік", "дығ", "діг"}
VOICELESS = frozenset("бвгдкқпстфхцчшщ")
VOICED = {"қ": "ғ", "к": "г", "п": "б"}
# What follows a verb's stem: a passive (-л-, -ыл-, -н-), a negation (-ма-), then a past (-ды), present (-а-ды,
# -й-ды), participle (-ған, -атын), converb (-ып), conditional (-са) or intention (-бек).
VERB_ENDING = re.compile(r"(?:[ыі]?[лн])?(?:[мбп][ае])?"
                         r"(?:[ае]?й?[дт][ыі]н?|[гғкқ][ае]н|[ыі]?п|[ыі]?с[ае]|[мбп][ае][кқ])")
# Words that carry no release content, dropped like English ones (`rag.translate.FUNCTION_WORDS`) unless a
# glossary phrase holds them («телефон арқылы сөйлесу»): question words, conjunctions, postpositions, particles,
# pronouns, the auxiliaries of a clause and the year word of a date (read by rag/query.py). General Kazakh.
FUNCTION_WORDS = frozenset("""
кім кімді кімге кімнің не нені неге қай қайда қайдан қайсы қандай қанша қаншасы неше қашан қалай неліктен
ма ме ба бе па пе ше ал да де та те мен бен пен және немесе әлде бірақ себебі сондай-ақ яғни
туралы бойынша дейін кейін бері бастап үшін арқылы сияқты сайын кезінде кезде жөнінде жөніндегі
арасында арасындағы деп деген дейді бұл сол осы ол оның олар олардың оны оған өз өзі өзінің біз біздің сіз
тағы болып болды болған болады болса еді екен екенін екендігін жылғы
""".split())
# A name keeps a stem of four letters at least: «Сердар» is no «сер» + plural.
NAME_STEM = 4
# A verb's stem of fewer letters is too often the start of other words («өт», «ал»).
VERB_STEM = 3


def is_kazakh(text: str) -> bool:
    return KAZAKH.search(text) is not None


def fold_name(word: str) -> str:
    """One Kazakh word of a name, in the spelling its Russian stem starts with."""
    return strip_endings(word.lower(), NAME_STEM).replace("қазақ", "казах").translate(LETTERS)


def strip_endings(word: str, keep: int) -> str:
    """The word without the noun endings it stacks, leaving at least `keep` letters."""
    for layer in LAYERS:
        for ending in layer:
            stem = word[: -len(ending)]
            if word.endswith(ending) and len(stem) >= keep and _follows(stem, ending):
                word = stem
                break
    return word


def _follows(stem: str, ending: str) -> bool:
    last = stem[-1]
    if ending in AFTER_POSSESSIVE:
        return last in "ыі"
    if ending in AFTER_VOWEL:
        return last in VOWELS
    if ending in AFTER_VOWEL_OR_NASAL:
        return last in VOWELS or last in "мнң"
    if ending in AFTER_CONSONANT:
        return last.isalpha() and last not in VOWELS
    if ending[0] in "тқкп":
        return last in VOICELESS and not (ending == "тан" and last == "с")  # «Қазақстан» is no ablative
    return True


GLOSSARY = Path(__file__).parent / "glossary" / "kk_ru.tsv"
WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*|\S")
# How much a question's word may run past a glossary entry it begins with: the endings Kazakh adds.
MAX_SUFFIX = 7


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], str]:
    return read_glossary(GLOSSARY)


@dataclass(frozen=True)
class Rendering:
    """Words of a question and the Russian they are searched with."""

    words: tuple[str, ...]
    russian: str
    from_glossary: bool


def to_russian(text: str) -> str:
    """A Kazakh question in the Russian words a release would use, longest glossary phrase first."""
    return " ".join(rendering.russian for rendering in render(text) if rendering.russian)


def render(text: str) -> list[Rendering]:
    """Each word or glossary phrase of a text with its Russian: the glossary's, the word folded as a name, or
    nothing for a function word."""
    tokens = WORD.findall(text)
    out: list[Rendering] = []
    i = 0
    while i < len(tokens):
        found = _match(tokens, i)
        # A glossary phrase may hold a function word; a single one is no entry («қалай» is no «қала» + -й).
        if found and not (found[0] == 1 and tokens[i].lower() in FUNCTION_WORDS):
            size, russian = found
            out.append(Rendering(tuple(tokens[i : i + size]), russian, True))
            i += size
        elif "-" in tokens[i] and tokens[i].islower() and tokens[i] not in FUNCTION_WORDS:
            # A compound («транзиттік-көліктік») is read part by part; a name («Қасым-Жомарт») stays whole.
            parts = render(tokens[i].replace("-", " "))
            russian = " ".join(part.russian for part in parts if part.russian)
            out.append(Rendering((tokens[i],), russian, any(part.from_glossary for part in parts)))
            i += 1
        else:
            word = tokens[i]
            russian = "" if word.lower() in FUNCTION_WORDS else fold_name(word) if word[0].isalpha() else word
            out.append(Rendering((word,), russian, False))
            i += 1
    return out


def _match(tokens: list[str], start: int) -> tuple[int, str] | None:
    entries = glossary()
    for size in range(min(_longest(), len(tokens) - start), 0, -1):
        words = tokens[start : start + size]
        for key in _keys_starting(words[0]):
            if len(key) == size and all(_begins(word, part) for word, part in zip(words, key)):
                return size, entries[key]
    return None


def _begins(word: str, entry: str) -> bool:
    """Whether a question's word is the entry with Kazakh endings; a capitalised word (a name: «Орынбор»
    is not «орын» + ending) only with noun endings proper."""
    lowered = word if entry.isupper() else word.lower()
    if lowered.startswith(entry):
        rest = lowered[len(entry):]
        # An acronym or a number takes its endings after a hyphen: «АҚШ-тың».
        if not rest or strip_endings((entry + rest.removeprefix("-")).lower(), len(entry)) == entry.lower():
            return True
        return not word[0].isupper() and len(entry) >= 4 and len(rest) <= MAX_SUFFIX
    if word[0].isupper():
        return False
    voiced = _voiced(entry)
    if voiced and lowered.startswith(voiced):
        rest = lowered[len(voiced):]
        return rest[:1] in VOWELS and len(rest) <= MAX_SUFFIX
    verb = _verb_stem(entry)
    return bool(verb) and lowered.startswith(verb) and VERB_ENDING.match(lowered, len(verb)) is not None


def _voiced(entry: str) -> str:
    """The entry's stem before a vowel: «ынтымақтастық» → «ынтымақтастығ»; '' where nothing is voiced."""
    return entry[:-1] + VOICED[entry[-1]] if entry[-1] in VOICED and len(entry) >= 4 else ""


def _verb_stem(entry: str) -> str:
    """A verb's stem, from its dictionary form in -у (-ю after a stem in -й): «қабылдау» → «қабылда», «айту» →
    «айт», «қою» → «қой»; '' for others."""
    stem = entry[:-1] if entry.endswith("у") else entry[:-1] + "й" if entry.endswith("ю") else ""
    return stem if len(stem) >= VERB_STEM else ""


@lru_cache(maxsize=4096)
def _keys_starting(word: str) -> tuple[tuple[str, ...], ...]:
    """Glossary keys whose first word (or its voiced or verb stem) this word begins with, longest first."""
    by_form = _keys_by_form()
    found = {key: rank for text in {word, word.lower()} for end in range(1, len(text) + 1)
             for rank, key in by_form.get(text[:end], ())}
    return tuple(sorted(found, key=lambda key: (-len(key), -len(key[0]), found[key])))


@lru_cache(maxsize=1)
def _keys_by_form() -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Each glossary key, with its place in the glossary, under the forms its first word begins a word with."""
    by_form: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for rank, key in enumerate(glossary()):
        for form in dict.fromkeys((key[0], _voiced(key[0]), _verb_stem(key[0]))):
            if form:
                by_form.setdefault(form, []).append((rank, key))
    return by_form


@lru_cache(maxsize=1)
def _longest() -> int:
    return max(len(key) for key in glossary())
