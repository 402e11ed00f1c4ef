"""What pymorphy3's dictionary tells of a question's words: the stems of a name's other forms, whether a
word is a noun and in the plural, and the noun a compound abbreviation ends in. (Only questions are read so; the index's
stems are `rag.stemming`'s.)"""

from __future__ import annotations

from functools import lru_cache

from rag.stemming import morphology, stems

FORMS_CACHE = 2**14
# The heads of compound abbreviations that stand for an adjective before a noun said whole: «Генпрокуратура»
# (Генеральная прокуратура), «Госдума», «госуслуги».
ABBREVIATED_HEADS = ("ген", "гос")
# Words that begin so and are none: «господин», «Геннадий».
NOT_ABBREVIATED = ("господ", "геннад")


@lru_cache(maxsize=FORMS_CACHE)
def inflections(word: str) -> frozenset[str]:
    """The stems of a noun's forms, which Snowball may cut unlike one another («Корея» → коре, «Кореи» →
    кор): a name in one case is found in a release saying it in another. Stems shorter than three letters
    («Киеве» → ки) would be found in too many words. A word the dictionary lacks has none: the forms
    pymorphy3 guesses for it are often of another kind of word (a surname declined as a first name)."""
    parse = morphology().parse(word)[0]
    if parse.tag.POS != "NOUN" or not parse.is_known:
        return frozenset()
    return frozenset(s for s in stems([form.word.replace("ё", "е") for form in parse.lexeme]) if len(s) > 2)


def is_noun(word: str) -> bool:
    """Whether the word is most likely a noun (a word the dictionary lacks, as pymorphy3 guesses it)."""
    return morphology().parse(word.lower())[0].tag.POS == "NOUN"


def plural_noun(word: str) -> bool:
    """Whether the word is most likely a noun in the plural of one with a singular («встречах», not
    «переговоры», which has none)."""
    tag = morphology().parse(word)[0].tag
    return tag.POS == "NOUN" and tag.number == "plur" and "Pltm" not in tag


@lru_cache(maxsize=FORMS_CACHE)
def abbreviated_noun(word: str) -> str | None:
    """The noun a compound abbreviation of «ген-» or «гос-» says whole («Генпрокуратуры» → «прокуратуры»), or
    None: releases mostly spell such a name out («Генеральной прокуратуры»)."""
    head, rest = word[:3].lower(), word[3:].lower()
    if head not in ABBREVIATED_HEADS or len(rest) < 4 or word.lower().startswith(NOT_ABBREVIATED):
        return None
    parse = morphology().parse(rest)[0]
    return rest if parse.tag.POS == "NOUN" and parse.is_known else None
