"""Fixtures and checks shared by the ingest and index-repair tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.text import terms


@pytest.fixture
def small_chunks(settings):
    """Short chunks, so every fixture release has several and updates change their number."""
    return settings.model_copy(update={"chunk_chars": 300})


@pytest.fixture
def assistant(open_assistant, small_chunks):
    return open_assistant(settings=small_chunks)


def doc_ids(assistant) -> list[str]:
    return sorted(d["doc_id"] for d in assistant.documents())


def manifest_chunk_ids(assistant, doc_ids=None) -> list[str]:
    manifest = assistant.index.manifest
    return manifest.chunk_ids(doc_ids if doc_ids is not None else manifest.all_doc_ids())


def chunk_texts(assistant, doc_id: str) -> list[str]:
    ids = manifest_chunk_ids(assistant, [doc_id])
    stored = assistant.index.chunks(ids)
    return [stored[i].text for i in sorted(ids, key=lambda i: stored[i].ordinal)]


def assert_consistent(assistant) -> int:
    """Manifest, Chroma and the lexical index hold exactly the same chunks; returns their number."""
    ids = set(manifest_chunk_ids(assistant))
    assert assistant.index.vectors.all_ids() == ids
    assert assistant.index.vectors.count() == len(ids)
    assert set(assistant.index.lexical.chunk_ids) == ids
    assert len(assistant.index.lexical) == len(ids)
    assert sum(d["chunks"] for d in assistant.documents()) == len(ids)
    assert assistant.index.manifest.pending() == []
    return len(ids)


def lexical_docs(assistant, word: str) -> set[str]:
    return {chunk_id.rsplit("#", 1)[0] for chunk_id, _ in assistant.index.lexical.search(terms(word), 50)}


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
