"""Russian-first text helpers shared by chunking, lexical search and answering."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import razdel
import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_RUSSIAN

WORD = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*")
QUESTION_WORDS = {
    "какой", "какая", "какое", "какие", "каком", "какую", "каких", "каким", "какого", "какому",
    "кто", "кого", "кому", "кем", "что", "чем", "чему", "чего", "где", "когда", "куда", "откуда",
    "сколько", "почему", "зачем", "ли", "каков", "какова", "каковы", "скажите", "расскажите",
    "году", "года", "год", "годы", "ещё", "еще", "также", "это", "этот", "эта", "эти", "этом", "этой",
}
STOPWORDS = frozenset(w.replace("ё", "е") for w in {*STOPWORDS_RUSSIAN, *QUESTION_WORDS}) | frozenset(STOPWORDS_EN)
KAZAKH_LETTERS = set("әғқңөұүһі")


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


def terms(text: str) -> list[str]:
    """Stemmed content words: the vocabulary of lexical search and of answer-sentence scoring."""
    kept = [w for w in words(text) if w not in STOPWORDS]
    return _stemmer().stemWords(kept)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    return [Span(s.start, s.stop, s.text) for s in razdel.sentenize(text) if s.text.strip()]


def detect_language(text: str) -> str:
    """'kk', 'en' or 'ru': enough to answer a refusal in the user's language."""
    lowered = text.lower()
    if any(ch in KAZAKH_LETTERS for ch in lowered):
        return "kk"
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in lowered)
    latin = sum("a" <= ch <= "z" for ch in lowered)
    return "en" if latin > cyrillic else "ru"
