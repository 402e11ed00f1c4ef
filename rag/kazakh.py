"""Kazakh questions over Russian releases: release vocabulary through a glossary, names folded.

Kazakh is agglutinative: a word carries its case as a suffix («Қырғызстанға», «Тоқаевтың», «құжатқа»).
A word that begins with a glossary entry («құжат» → документ, «тауар айналымы» → товарооборот) is
rendered in Russian (`glossary/kk_ru.tsv`, the Kazakh equivalents of the corpus's most frequent terms);
any other word is taken for a name: its Kazakh letters folded (Қ→К, Ө→О, Ү/Ұ→У, І→И, Ң→Н, Ғ→Г, Ә→А,
Һ→Х) and one case or plural ending cut, which leaves the stem the Russian text shares («токаев»).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.translate import read_glossary

LETTERS = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
# Case and plural endings, longest first; only cut when a stem of four letters or more is left.
ENDINGS = sorted({
    "ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не", "ны", "ні", "ды", "ді",
    "ты", "ті", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен",
    "пен", "лар", "лер", "дар", "дер", "тар", "тер", "сы", "сі",
}, key=len, reverse=True)
KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def is_kazakh(text: str) -> bool:
    return KAZAKH.search(text) is not None


def fold_name(word: str) -> str:
    """One Kazakh word of a name, in the spelling its Russian stem starts with."""
    lowered = word.lower()
    for ending in ENDINGS:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 4 and not lowered.endswith("стан"):
            lowered = lowered[: -len(ending)]
            break
    return lowered.replace("қазақ", "казах").translate(LETTERS)


GLOSSARY = Path(__file__).parent / "glossary" / "kk_ru.tsv"
WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*|\S")
# How much a question's word may run past a glossary entry it begins with: the endings Kazakh adds.
MAX_SUFFIX = 7


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], str]:
    return read_glossary(GLOSSARY)


def to_russian(text: str) -> str:
    """A Kazakh question in the Russian words a release would use, longest glossary phrase first."""
    tokens = WORD.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        found = _match(tokens, i)
        if found:
            size, russian = found
            out.append(russian)
            i += size
        else:
            out.append(fold_name(tokens[i]) if tokens[i][0].isalpha() else tokens[i])
            i += 1
    return " ".join(out)


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
    is not «орын» + ending) only with a case ending proper."""
    lowered = word if entry.isupper() else word.lower()
    if not lowered.startswith(entry):
        return False
    rest = lowered[len(entry):]
    if not rest or rest in ENDINGS:
        return True
    return not word[0].isupper() and len(entry) >= 4 and len(rest) <= MAX_SUFFIX


@lru_cache(maxsize=4096)
def _keys_starting(word: str) -> tuple[tuple[str, ...], ...]:
    """Glossary keys whose first word this word begins with, longest first."""
    lowered = word.lower()
    keys = [key for key in glossary() if lowered.startswith(key[0]) or word.startswith(key[0])]
    return tuple(sorted(keys, key=lambda key: (len(key), len(key[0])), reverse=True))


@lru_cache(maxsize=1)
def _longest() -> int:
    return max(len(key) for key in glossary())
