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

from rag.answering.expected import expected_answer
from rag.query import Query, is_month, searchable, without_dates
from rag.text import query_terms, terms

COUNTING = {"сколько", "скольких", "скольким", "сколькими"}
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
        focus=tuple(dict.fromkeys(stem for word in focus_words for stem in query_terms(searchable(word)))),
        focus_word=" ".join(focus_words),
        predicate=tuple(dict.fromkeys(stem for token in (tagged.tokens if tagged else []) if token.pos == "VERB"
                                      for stem in terms(token.text))),
    )


def _entities(text: str, language: str, doc) -> list[Entity]:
    if language == "en":
        return [entity for match in ENGLISH_NAME.finditer(without_dates(text))
                if not is_month(match[0]) and (entity := _entity(match[0], "NAME", searchable(match[0])))]
    found = []
    for span in doc.spans:
        words = span.text.split()
        russian = searchable(span.text) if language == "kk" else span.text
        if all(not is_month(w) for w in words) and (entity := _entity(span.text, span.type, russian)):
            found.append(entity)
    return found


def _entity(text: str, kind: str, russian: str) -> Entity | None:
    stems = tuple(dict.fromkeys(query_terms(russian)))
    return Entity(text, kind, stems) if stems else None


def _focus(question: str, language: str, tagged) -> list[str]:
    """The words naming what a "how many" counts: the noun after «сколько» (past its adjectives), or the
    one or two words after "how many"."""
    if language == "en":
        match = ENGLISH_COUNT.search(question)
        return match[1].split() if match else []
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


def preload() -> None:
    """Loads the natasha models (about 0.5 s) in a thread, while the caller opens the index."""
    threading.Thread(target=_models, name="natasha-models", daemon=True).start()


def _models():
    """One load however many threads ask at once (the preload thread and the first question)."""
    with _loading:
        return _loaded()


_loading = threading.Lock()


@lru_cache(maxsize=1)
def _loaded():
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    return Segmenter(), NewsMorphTagger(embedding), NewsNERTagger(embedding)
