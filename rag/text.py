"""Russian-first text helpers shared by chunking, lexical search and answering."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import razdel

from rag.memo import remembered
from rag.stemming import stem, stems


def _bm25s_stopwords():
    """bm25s's stopword lists, read from their module alone: `import bm25s.stopwords` runs the bm25s package,
    which imports scipy (0.2 s of every start-up), and only building a lexical index needs that."""
    path = Path(importlib.util.find_spec("bm25s").origin).with_name("stopwords.py")
    spec = importlib.util.spec_from_file_location("rag._bm25s_stopwords", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_STOPWORD_LISTS = _bm25s_stopwords()
STOPWORDS_EN: tuple[str, ...] = _STOPWORD_LISTS.STOPWORDS_EN
STOPWORDS_RUSSIAN: tuple[str, ...] = _STOPWORD_LISTS.STOPWORDS_RUSSIAN

# Bump when `terms()` changes: indexes built with another version recompute their stored terms on open.
TERMS_VERSION = "4"
WORD = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*")
QUESTION_WORDS = {
    "какой", "какая", "какое", "какие", "каком", "какую", "каких", "каким", "какого", "какому",
    "кто", "кого", "кому", "кем", "что", "чем", "чему", "чего", "где", "когда", "куда", "откуда",
    "сколько", "почему", "зачем", "ли", "каков", "какова", "каковы", "скажите", "расскажите",
    "году", "года", "год", "годы", "ещё", "еще", "также", "это", "этот", "эта", "эти", "этом", "этой",
}
STOPWORDS = frozenset(w.replace("ё", "е") for w in {*STOPWORDS_RUSSIAN, *QUESTION_WORDS}) | frozenset(STOPWORDS_EN)
KAZAKH_LETTERS = set("әғқңөұүһі")
# Kazakh spellings of shared names (Тоқаев, Қазақстан) meet their Russian spellings in search.
KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһі", "агкноуухи")
KAZAKH_PATTERN = re.compile("[әғқңөұүһі]")
# How the press and users name institutions that releases name in full.
QUERY_SYNONYMS = {
    "цб": "банк россии", "центробанк": "центральный банк", "регулятор": "банк россии", "рф": "россия",
    "мид": "министерство иностранных дел", "минобороны": "министерство обороны",
    "совбез": "совет безопасности", "минфин": "министерство финансов", "минздрав": "министерство здравоохранения",
    "минпромторг": "министерство промышленности и торговли", "минэкономразвития": "министерство экономического развития",
    "минобрнауки": "министерство науки и высшего образования", "минтруд": "министерство труда",
    "минсельхоз": "министерство сельского хозяйства", "минюст": "министерство юстиции",
    "минтранс": "министерство транспорта", "минэнерго": "министерство энергетики",
    # Kept beside their spelling out: releases write both («США», «Соединённых Штатах Америки» in decrees).
    "сша": "сша соединенные штаты америки", "оаэ": "оаэ объединенные арабские эмираты",
    "кнр": "кнр китайская народная республика", "кндр": "кндр корейская народно-демократическая республика",
}


# The offline answerer reads the same sentences, titles and passages in answer after answer (rag/memo.py): their
# words, stems and sentences are kept, for texts up to a long passage's length.
REMEMBER_BYTES = 16 * 2**20  # each of the three
REMEMBER_CHARS = 4000


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


@remembered(REMEMBER_BYTES, REMEMBER_CHARS)
def words(text: str) -> list[str]:
    """Lowercased words with ё→е, Kazakh letters folded, and numbers in one form (21,00 → 21; 8.50 → 8,5)."""
    folded = normalise(text)
    if KAZAKH_PATTERN.search(folded):
        folded = folded.replace("қазақ", "казах").translate(KAZAKH_TO_RUSSIAN)
    return [_number(w) if w[0].isdigit() else w for w in WORD.findall(folded)]


def _number(token: str) -> str:
    whole, _, fraction = token.replace(".", ",").partition(",")
    fraction = fraction.rstrip("0")
    return f"{whole},{fraction}" if fraction else whole


def stem_head(stem: str) -> str:
    """What the inflections of a word share: Snowball stems of one name differ in their last letters
    («Жапаров» → жапар, «Жапарова» → жапаров; «Токаев» → тока, «Токаевым» → токаев)."""
    return stem[: len(stem) - 2] if len(stem) >= 7 else stem[: len(stem) - 1] if len(stem) >= 5 else stem


def skeleton(stem: str) -> str:
    """A name's consonants: transliterations of one name differ in vowels (Tarik → тарик, «Тарек»;
    Japarov → джапаров, «Жапаров»; t-s or ts: «Робертсон», роберцон)."""
    consonants = re.sub(r"[аеёиоуыэюяйьъ]", "", stem.replace("дж", "ж")).replace("тс", "ц")
    return re.sub(r"(.)\1+", r"\1", consonants)


@remembered(REMEMBER_BYTES, REMEMBER_CHARS)
def terms(text: str) -> list[str]:
    """Stemmed content words: the vocabulary of lexical search and of answer-sentence scoring."""
    kept = [w for w in words(text) if w not in STOPWORDS]
    return stems(kept)


def query_terms(text: str) -> list[str]:
    """Terms of a question, with the institutions it abbreviates spelled out as releases spell them
    (in any case: «регулятора», «Центробанком»)."""
    found = words(text)
    stemmed = stems(found)
    return terms(" ".join(_synonyms_by_stem().get(cut, word) for word, cut in zip(found, stemmed)))


def glossary_abbreviation(word: str) -> str | None:
    """The stem of a word `query_terms` spells out («Минобороны» → миноборон, searched as министерство
    обороны), or None."""
    cut = stem(normalise(word))
    return cut if cut in _synonyms_by_stem() else None


@lru_cache(maxsize=1)
def _synonyms_by_stem() -> dict[str, str]:
    return {stem(word): spelled for word, spelled in QUERY_SYNONYMS.items()}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


SPAN_BYTES = sys.getsizeof(Span(1000, 2000, "")) + 2 * sys.getsizeof(1000)  # beside its text


# A line break ends a sentence when the next line starts like a sentence does (a capital, a digit, a
# quote or a dash): headings and subtitles carry no full stop. A hard-wrapped line that goes on in
# lower case stays inside its sentence.
LINE_BREAK = re.compile(r"\n+(?=[ \t]*[А-ЯЁA-ZӘҒҚҢӨҰҮҺІ0-9«\"„—–-])")


def spans_size(spans: tuple[Span, ...]) -> int:
    return sys.getsizeof(spans) + sum(SPAN_BYTES + sys.getsizeof(span.text) for span in spans)


@remembered(REMEMBER_BYTES, REMEMBER_CHARS, spans_size)
def sentences(text: str) -> list[Span]:
    result: list[Span] = []
    start = 0
    for end in [m.start() for m in LINE_BREAK.finditer(text)] + [len(text)]:
        block = text[start:end]
        result += [Span(start + s.start, start + s.stop, s.text) for s in razdel.sentenize(block) if s.text.strip()]
        start = end
    return result


def detect_language(text: str) -> str:
    """'kk', 'en' or 'ru': enough to answer a refusal in the user's language."""
    lowered = text.lower()
    if any(ch in KAZAKH_LETTERS for ch in lowered):
        return "kk"
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in lowered)
    latin = sum("a" <= ch <= "z" for ch in lowered)
    return "en" if latin > cyrillic else "ru"
