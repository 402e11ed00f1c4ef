"""English questions over a Russian corpus: the question rendered word by word in Russian for search.

No translation model ships offline, so this is dictionary-based cross-language search: a glossary of the
vocabulary of government releases (`glossary/en_ru.tsv`, longest phrase first, plurals and past tenses
folded) and, for capitalised words it lacks (names: Putin, Aeroflot, Tokayev), a Latin-to-Cyrillic
transliteration. Other words it lacks are dropped: a Russian corpus cannot match them anyway.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.text import STOPWORDS_EN

FUNCTION_WORDS = frozenset(STOPWORDS_EN) | {
    "what", "which", "who", "whom", "whose", "how", "did", "does", "do", "done", "its", "were", "been", "has",
    "have", "had", "would", "could", "should", "can", "might", "must", "about", "than", "them", "he",
    "she", "his", "her", "him", "we", "our", "you", "your", "i", "my", "me", "over", "from", "up", "down", "out",
    "so", "very", "also", "any", "some", "all", "each", "other", "both", "only", "own", "same", "too", "just",
    "during", "within", "whether", "what's", "there's", "s", "get", "got", "set", "make", "made", "according",
    # words that open a question capitalised, and are no names («Between which nights…» is not «Бетвин»)
    "between", "among", "after", "before", "since", "until", "under", "against", "through", "across", "around",
    "along", "beyond", "despite", "while", "where", "when", "why", "roughly", "approximately", "exactly", "apart",
    "besides", "following", "together", "whereas", "once", "now", "today", "yesterday", "tomorrow", "recently",
    "currently", "still", "already", "again", "almost", "nearly", "above", "below", "behind", "near", "next",
    "last", "first", "second", "third", "overall", "altogether", "instead", "meanwhile",
}
GLOSSARY = Path(__file__).parent / "glossary" / "en_ru.tsv"
# Words keep their hyphens and digits (non-commodity, G20); other runs of characters pass through.
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|[^\sA-Za-z]+")
# Longest spellings first, so that "shch" is read before "sh" and "ye" before "y".
LETTERS = [
    ("shch", "щ"), ("sch", "щ"), ("sky", "ский"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("yo", "ё"), ("ae", "аэ"), ("ee", "и"), ("oo", "у"), ("ph", "ф"),
    ("th", "т"), ("ck", "к"), ("x", "кс"), ("w", "в"), ("j", "дж"), ("q", "к"), ("a", "а"), ("b", "б"),
    ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("k", "к"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"),
    ("y", "й"), ("z", "з"),
]
SPELLING = re.compile("|".join(re.escape(latin) for latin, _ in LETTERS))
CYRILLIC = dict(LETTERS)


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], str]:
    return read_glossary(GLOSSARY)


def read_glossary(path: Path) -> dict[tuple[str, ...], str]:
    """`phrase<TAB>russian` lines ('#' comments): phrase words -> the Russian a release would use."""
    entries: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        phrase, sep, russian = line.partition("\t")
        # An acronym written in capitals (US, UK, АҚШ) matches only in capitals: «us» is a pronoun.
        key = tuple(phrase.split() if phrase.isupper() else phrase.lower().split())
        if not sep or not russian.strip() or not key:
            raise ValueError(f"{path}:{number}: expected 'phrase<TAB>russian'")
        if key in entries:
            raise ValueError(f"{path}:{number}: {phrase!r} is already in the glossary")
        entries[key] = russian.strip()
    return entries


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    return max(len(key) for key in glossary())


def to_russian(text: str) -> str:
    tokens = TOKEN.findall(text)
    lowered = [t.lower() for t in tokens]
    entries = glossary()
    longest = _longest_phrase()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            russian = _lookup(entries, tokens[i : i + size]) or _lookup(entries, lowered[i : i + size])
            if russian:
                out.append(russian)
                i += size
                break
        else:
            word = tokens[i]
            if not word.isascii() or not word.isalpha():
                out.append(word)
            elif word.isupper() and len(word) > 1:
                out += [lowered[i], transliterate(lowered[i])]  # an acronym: a release may keep it in Latin
            elif word[0].isupper() and lowered[i] not in FUNCTION_WORDS:
                out.append(transliterate(lowered[i]))  # a name
            i += 1
    return " ".join(out)


def in_glossary(phrase: str) -> bool:
    """Whether the glossary has this phrase whole ("Bank of Russia")."""
    return _lookup(glossary(), phrase.lower().split()) is not None


def english_names(text: str) -> str:
    """The Russian spelling of the words of an English name the glossary does not know: the name proper
    («Kyrgyz President Sadyr Japarov» → «садыр джапаров»; «Security Council» → «»)."""
    entries = glossary()
    return " ".join(transliterate(w.lower()) for w in TOKEN.findall(text)
                    if w.isascii() and w.isalpha() and w.lower() not in FUNCTION_WORDS
                    and not _lookup(entries, [w]) and not _lookup(entries, [w.lower()]))


def _lookup(entries: dict[tuple[str, ...], str], words: list[str]) -> str | None:
    """The glossary's Russian for these words, trying the last word's singular and base forms too."""
    *head, last = words
    for form in _forms(last):
        if (found := entries.get((*head, form))) is not None:
            return found
    return None


def _forms(word: str) -> list[str]:
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def transliterate(word: str) -> str:
    cyrillic = SPELLING.sub(lambda m: CYRILLIC[m.group(0)], word)
    if word.endswith("ia"):
        cyrillic = cyrillic[:-2] + "ия"  # Serbia → Сербия, Mongolia → Монголия, Maria → Мария
    return "э" + cyrillic[1:] if word.startswith("e") else cyrillic  # Erdogan → Эрдоган; Yeltsin stays Ельцин
