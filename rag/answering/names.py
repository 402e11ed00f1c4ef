"""The entities a question names: natasha's NER spans and the proper nouns it left out for a Russian or Kazakh
question (a Kazakh run of names cut where one ends, capitalised words the Russian tagger misses), the capitalised
names of an English one; each as the stems, in the releases' Russian, that a release speaking of it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering.wordforms import abbreviated_noun, inflections
from rag.kazakh import to_russian as kazakh_to_russian
from rag.query import is_month, without_dates
from rag.stemming import given_name
from rag.text import glossary_abbreviation, query_terms
from rag.translate import english_names, in_glossary, to_russian as english_to_russian

# A capitalised English word that is not the first of the question, or a run of them: a name.
# (An institution's name keeps its small words: "Council for Science and Education".)
ENGLISH_NAME = re.compile(r"(?<=[^.!?\s]\s)[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*"
                          r"(?:\s+(?:of|for|on)(?:\s+the)?\s+[A-Z][\w-]+(?:\s+(?:and\s+)?[A-Z][\w-]+)*)*")
# The end of a Kazakh name: a surname, or a case ending (genitive, dative, accusative, locative, ablative,
# instrumental, a possessive).
NAME_ENDS = re.compile(r"(?:ов|ев|ин|ова|ева|ина|ұлы|қызы|ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|ны|ні|ды|ді|ты|ті|"
                       r"да|де|та|те|дан|ден|тан|тен|нан|нен|мен|пен|бен|сы|сі)$")


@dataclass(frozen=True)
class Entity:
    text: str
    kind: str
    stems: tuple[str, ...]
    # The stems of its capitalised words: in «Курганской области» the name is «Курганской», «области» its kind.
    name_stems: tuple[str, ...] = ()
    # Which of the question's clauses names it («кто сменил Паслера в Оренбургской области, и какой регион
    # возглавил Паслер?» asks two things); -1 for an entity of an earlier turn, which all of them are about.
    clause: int = 0
    # (stem, stem) pairs: another stem of a form of the word of that stem (`wordforms.inflections`).
    forms: tuple[tuple[str, str], ...] = ()
    # (stem, stem) pairs: another stem a release may name it by, where the question abbreviates it: the noun a
    # compound abbreviation says whole («Генпрокуратуры»: генпрокуратур → прокуратур, `wordforms.abbreviated_noun`),
    # or the abbreviation the glossary spells out («Минобороны»: министерств, оборон → миноборон).
    also_named: tuple[tuple[str, str], ...] = ()


def named_entities(text: str, language: str, doc) -> list[tuple[int, Entity]]:
    """The entities a text names, each with where it starts in the text."""
    if language == "en":
        return [(text.find(match[0]), entity) for match in ENGLISH_NAME.finditer(without_dates(text))
                if not is_month(match[0]) and (entity := _entity(match[0], "NAME", in_russian(match[0], "en"),
                                                                 _english_name_words(match[0])))]
    found = []
    named = [(span.start, span.text, span.type) for span in doc.spans] + _proper_nouns(doc, language)
    if language == "kk":
        named = [part for start, text, kind in named for part in _kazakh_names(start, text, kind)]
        named += _kazakh_capitalised(text, [(start, start + len(name)) for start, name, _ in named])
    for start, text, kind in named:
        words = text.split()
        russian = in_russian(text, language)
        # A person is told apart by the surname, not the first name or patronymic beside it
        surnames = [w for w in russian.split() if not given_name(w)] if kind == "PER" and language == "ru" else []
        name_words = " ".join(surnames) if 0 < len(surnames) < len(russian.split()) else None
        if all(not is_month(w) for w in words) and (entity := _entity(text, kind, russian, name_words)):
            found.append((start, entity))
    return found


def _kazakh_names(start: int, text: str, kind: str) -> list[tuple[int, str, str]]:
    """A Kazakh span cut where one name ends: the Russian tagger runs names, places and the words between
    them together («Тоқаев пен Путин», «Бектенов Душанбеге»), and each must be spoken of. A name ends before
    a small word, and after a surname or a case ending (a Kazakh noun phrase takes its case on its last word)."""
    runs: list[list[re.Match]] = []
    ended = True
    for word in re.finditer(r"\S+", text):
        if not word.group()[:1].isupper():
            ended = True
            continue
        if ended:
            runs.append([])
        runs[-1].append(word)
        ended = NAME_ENDS.search(word.group()) is not None
    return [(start + run[0].start(), text[run[0].start() : run[-1].end()], kind) for run in runs]


def _kazakh_capitalised(text: str, found: list[tuple[int, int]]) -> list[tuple[int, str, str]]:
    """Capitalised Kazakh words the Russian tagger does not take for names («Өзбекстанға»): Kazakh, like
    Russian, capitalises only names, except a sentence's first word."""
    words = [w for w in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)
             if w.group()[0].isupper() and not w.group().isupper() and not any(start < w.end() and w.start() < end for start, end in found)
             and not re.search(r"(?:^|[.!?…]\s*)$", text[: w.start()])]
    return [(w.start(), w.group(), "PROPN") for w in words]


def _proper_nouns(doc, language: str) -> list[tuple[int, str, str]]:
    """Runs of proper nouns the NER left out («Эмбало», «Заполярья»), from the morphology tagger. (Its
    Russian model reads a Kazakh sentence's first word, capitalised, as a name: «Содырлармен атыста …».)"""
    covered = {i for span in doc.spans for i in range(span.start, span.stop)}
    runs: list[list] = []
    for index, token in enumerate(doc.tokens):
        opens = index == 0 or doc.tokens[index - 1].text in (".", "!", "?", "…")
        if language == "kk" and opens:
            continue
        if token.pos == "PROPN" and token.start not in covered and not token.text.isupper():
            if runs and runs[-1][-1].stop + 1 >= token.start:
                runs[-1].append(token)
            else:
                runs.append([token])
    return [(run[0].start, " ".join(t.text for t in run), "PROPN") for run in runs]


def in_russian(text: str, language: str) -> str:
    """A word or name of the question in the Russian of the releases (its glossary, or transliterated)."""
    return {"en": english_to_russian, "kk": kazakh_to_russian}.get(language, str)(text)


def _english_name_words(name: str) -> str:
    """The Russian of an English name's name words: those the glossary does not know («Kyrgyz President Sadyr
    Japarov» → «садыр джапаров»), or, of a title and a country the glossary knows, the country ("Emir of
    Kuwait" → «кувейт»)."""
    if (words := english_names(name)) or " of " not in name or in_glossary(name):
        return words
    return in_russian(name.rsplit(" of ", 1)[1], "en")


def _entity(text: str, kind: str, russian: str, name_words: str | None = None) -> Entity | None:
    """`name_words`: which of its words are its name, where capitals do not tell (an English «Kyrgyz
    President Sadyr Japarov» is named by «Sadyr Japarov»)."""
    # A stem of two letters («Goa» → го) would be found in too many words to tell anything.
    stems = tuple(dict.fromkeys(s for s in query_terms(russian) if len(s) > 2))
    named = name_words.split() if name_words is not None else [w for w in russian.split() if w[:1].isupper()]
    names = tuple(dict.fromkeys(s for word in named for s in query_terms(word) if s in stems))
    forms = tuple(dict.fromkeys((own, other) for word in russian.split() for own in query_terms(word) if own in stems
                                for other in sorted(inflections(word.lower())) if other != own))
    also_named = tuple(dict.fromkeys(
        [(own, noun) for word in russian.split() if (whole := abbreviated_noun(word))
         for own in query_terms(word) if own in stems for noun in query_terms(whole)]
        + [(own, cut) for word in russian.split() if (cut := glossary_abbreviation(word)) and cut not in stems
           for own in query_terms(word) if own in stems]))
    return Entity(text, kind, stems, names if len(names) < len(stems) else (), forms=forms,
                  also_named=also_named) if stems else None
