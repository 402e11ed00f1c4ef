"""Russian stems: Snowball's, except where it reads a noun's ending as a verb's and cuts one form of the
noun unlike the others («Казахстан» → казахста, «Казахстаном» → казахстан; «потенциала» → потенциа,
«потенциалу» → потенциал). Such a noun is stemmed as its other forms are, from pymorphy3's dictionary."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pymorphy3
import Stemmer

# Snowball's first group of verb endings, which it removes after «а» or «я»: the only cut that splits a noun.
VERB_ENDINGS = frozenset({"ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть",
                          "ешь", "нно"})
NOUN_CACHE = 2**16


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=1)
def morphology() -> pymorphy3.MorphAnalyzer:
    """pymorphy3's analyser, loaded once (also for the question's words: `rag.answering.wordforms`)."""
    return pymorphy3.MorphAnalyzer()


def given_name(word: str) -> bool:
    """Whether a capitalised word is most likely a first name or a patronymic («Александр», «Витальевич»):
    many people share it, so it does not tell one person from another as a surname does."""
    return bool({"Name", "Patr"} & morphology().parse(word)[0].tag.grammemes)


def stem(word: str) -> str:
    return stems([word])[0]


def stems(words: list[str]) -> list[str]:
    """The stems of lowercased words."""
    return [_as_noun(word, cut) if _cut_as_verb(word, cut) else cut
            for word, cut in zip(words, _stemmer().stemWords(words))]


def _cut_as_verb(word: str, cut: str) -> bool:
    return len(cut) > 1 and cut[-1] in "ая" and word[len(cut):] in VERB_ENDINGS and word.startswith(cut)


@lru_cache(maxsize=NOUN_CACHE)
def _as_noun(word: str, cut: str) -> str:
    """The stem the word's other forms share, when the word is most likely a noun: the one the word begins
    with («граждан» → граждан, not гражданин of the singular), or else the commonest («память» → памят)."""
    parse = morphology().parse(word)[0]
    if parse.tag.POS != "NOUN":
        return cut
    shared = Counter(s for s in _stemmer().stemWords([form.word.replace("ё", "е") for form in parse.lexeme])
                     if s.startswith(cut) and len(s) > len(cut))
    if not shared:
        return cut
    begun = [s for s, _ in shared.most_common() if word.startswith(s)]
    return begun[0] if begun else shared.most_common(1)[0][0]
