"""What a question asks, read once, so that every passage and sentence is checked against the same model.

- entities: the people, places and organisations it names (natasha's NER; for English its capitalised
  names rendered in Russian; Kazakh names folded to their Russian spelling), each as the stems a release
  that speaks of it must hold;
- period: the day, month, season or years it is about (read by `rag.query`);
- answer type: a number, an amount of money, a share, a date, a person or a place (`expected.py`);
- focus: what a "how many" counts («сколько документов» → документ);
- predicate: what happened (its verbs: «подписали», «снизил»).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.answering.expected import expected_answer
from rag.kazakh import to_russian as kazakh_to_russian
from rag.query import Query, is_month, without_dates
from rag.translate import to_russian as english_to_russian
from rag.text import query_terms, terms

COUNTING = {"сколько", "скольких", "скольким", "сколькими"}
KAZAKH_COUNTING = {"қанша", "неше"}
COSTING = re.compile(r"^(обош|обой|обход|оцени|стои|стоил|стоят)")
# What is done to a thing says nothing of which thing: «строительство комплекса» is about the complex.
ACTIONS = re.compile(r"^(строительств|реконструкц|создани|реализац|проведени|организац|закупк|покупк|ремонт|"
                     r"модернизац|разработк|производств)")
ENGLISH_COUNT = re.compile(r"\bhow\s+many\s+(?:new\s+|more\s+|other\s+)?([A-Za-z-]+(?:\s+[A-Za-z-]+)?)", re.I)
# A capitalised English word that is not the first of the question, or a run of them: a name.
ENGLISH_NAME = re.compile(r"(?<=[^.!?\s]\s)[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*")
_lock = threading.Lock()


@dataclass(frozen=True)
class Entity:
    text: str
    kind: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    query: Query
    entities: tuple[Entity, ...]
    answer_type: str | None
    focus: tuple[str, ...]
    focus_word: str
    predicate: tuple[str, ...]
    cost_of: tuple[str, ...] = ()  # «во сколько обошлось строительство лодки»: what the sum must be the cost of


def read_question(query: Query) -> Question:
    texts = [*query.used_history, query.question]
    docs = {text: _tag(text) for text in texts} if query.language != "en" else {}
    entities: dict[tuple[str, ...], Entity] = {}
    for text in texts:
        for entity in _entities(text, query.language, docs.get(text)):
            entities.setdefault(entity.stems, entity)
    tagged = docs.get(query.question) if query.language == "ru" else None
    focus_words = _focus(query.question, query.language, tagged)
    return Question(
        query=query,
        entities=tuple(entities.values()),
        answer_type=expected_answer(query.question),
        focus=tuple(dict.fromkeys(stem for word in focus_words for stem in query_terms(_russian(word, query.language)))),
        focus_word=" ".join(focus_words),
        cost_of=_cost_of(tagged) if tagged is not None else (),
        predicate=tuple(dict.fromkeys(stem for token in (tagged.tokens if tagged else []) if token.pos == "VERB"
                                      for stem in terms(token.text))),
    )


def _entities(text: str, language: str, doc) -> list[Entity]:
    if language == "en":
        return [entity for match in ENGLISH_NAME.finditer(without_dates(text))
                if not is_month(match[0]) and (entity := _entity(match[0], "NAME", _russian(match[0], "en")))]
    found = []
    for text, kind in [(span.text, span.type) for span in doc.spans] + _proper_nouns(doc):
        words = text.split()
        russian = _russian(text, language)
        if all(not is_month(w) for w in words) and (entity := _entity(text, kind, russian)):
            found.append(entity)
    return found


def _proper_nouns(doc) -> list[tuple[str, str]]:
    """Runs of proper nouns the NER left out («Эмбало», «Заполярья»), from the morphology tagger."""
    covered = {i for span in doc.spans for i in range(span.start, span.stop)}
    runs: list[list] = []
    for token in doc.tokens:
        if token.pos == "PROPN" and token.start not in covered and not token.text.isupper():
            if runs and runs[-1][-1].stop + 1 >= token.start:
                runs[-1].append(token)
            else:
                runs.append([token])
    return [(" ".join(t.text for t in run), "PROPN") for run in runs]


def _russian(text: str, language: str) -> str:
    """A word or name of the question in the Russian of the releases (its glossary, or transliterated)."""
    return {"en": english_to_russian, "kk": kazakh_to_russian}.get(language, str)(text)


def _entity(text: str, kind: str, russian: str) -> Entity | None:
    stems = tuple(dict.fromkeys(query_terms(russian)))
    return Entity(text, kind, stems) if stems else None


def _focus(question: str, language: str, tagged) -> list[str]:
    """The words naming what a "how many" counts: the noun after «сколько» (past its adjectives), the word
    after «қанша», «неше», or the one or two words after "how many"."""
    if language == "en":
        match = ENGLISH_COUNT.search(question)
        return match[1].split() if match else []
    if language == "kk":
        words = [word.strip("?,.!") for word in question.split()]
        return [following for word, following in zip(words, words[1:]) if word.lower() in KAZAKH_COUNTING][:1]
    if tagged is None:
        return []
    tokens = tagged.tokens
    for index, token in enumerate(tokens):
        if token.text.lower() not in COUNTING:
            continue
        for following in tokens[index + 1 : index + 4]:
            if following.pos == "NOUN":
                return [following.text]
            if following.pos not in ("ADJ", "DET", "NUM"):
                break
    return []


def _cost_of(tagged) -> tuple[str, ...]:
    """The nouns after «во сколько обошлось / обойдётся / оценивается / стоит»: what the sum is the cost of."""
    tokens = tagged.tokens
    for index, token in enumerate(tokens):
        if COSTING.match(token.text.lower()) and any(t.text.lower() == "сколько" for t in tokens[max(0, index - 2):index]):
            nouns = [t.text for t in tokens[index + 1 : index + 6] if t.pos in ("NOUN", "PROPN")
                     and not ACTIONS.match(t.text.lower())]
            return tuple(nouns[:2])
    return ()


def _tag(text: str):
    """natasha's tokens with part of speech and its named-entity spans (about 1-2 ms a question)."""
    from natasha import Doc

    segmenter, morph, ner = _models()
    doc = Doc(text)
    with _lock:
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
    return doc


def keep_models_in(cache_dir: Path) -> None:
    """Where the natasha models' vocabularies are kept in a form that loads fast (rag/answering/natasha_models.py);
    without it they are made anew by each process."""
    global _cache_dir
    _cache_dir = cache_dir


def preload() -> None:
    """Loads the natasha models (about 0.15 s) in a thread, while the caller opens the index."""
    threading.Thread(target=_models, name="natasha-models", daemon=True).start()


def _models():
    """One load however many threads ask at once (the preload thread and the first question)."""
    with _loading:
        return _loaded()


_loading = threading.Lock()
_cache_dir: Path | None = None


@lru_cache(maxsize=1)
def _loaded():
    from rag.answering.natasha_models import load

    return load(_cache_dir)
