"""natasha's tagging of a question (tokens, part of speech, named-entity spans), with its models loaded once per
process, lazily: a process that never reads a question never imports natasha."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

_lock = threading.Lock()


def tag(text: str, parts_of_speech: bool = True):
    """natasha's tokens with part of speech and its named-entity spans (about 1-2 ms a question); without
    `parts_of_speech`, the spans alone (they need none)."""
    from natasha import Doc

    segmenter, morph, ner = _models()
    doc = Doc(text)
    with _lock:
        doc.segment(segmenter)
        if parts_of_speech:
            doc.tag_morph(morph)
        doc.tag_ner(ner)
    return doc


def named_spans(text: str, kinds: tuple[str, ...] = ("PER", "LOC", "ORG")) -> list[str]:
    """The texts of natasha's named-entity spans: a sentence's persons, places and organisations (of `kinds`)."""
    return [span.text for span in tag(text, parts_of_speech=False).spans if span.type in kinds]


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
