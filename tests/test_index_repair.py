"""Interrupted writes and embedding changes: the index repairs itself from the manifest. The failures are
made on purpose (a write that raises halfway), the stores are real."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

import rag.ingest
from conftest import EXPECTED
from rag.embeddings import Embedder, builtin_model_path
from rag.store.manifest import Manifest
from rag.store.vectors import EmbeddingMismatch
from rag.text import terms
from tests.ingest_support import (  # noqa: F401 (fixtures)
    assert_consistent, assistant, chunk_texts, doc_ids, lexical_docs, manifest_chunk_ids, read_jsonl, small_chunks,
    write_jsonl,
)


# Interrupted writes


def crash_on_call(monkeypatch, number: int) -> dict:
    """Manifest.replace raises on its `number`-th call: the process 'dies' between Chroma and the manifest."""
    calls = {"n": 0}
    original = Manifest.replace

    def replace(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("simulated crash")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Manifest, "replace", replace)
    monkeypatch.setattr(rag.ingest, "BATCH_CHUNKS", 1)  # one document per write
    return calls


def test_interrupted_ingest_is_repaired_and_completed_without_duplicates(open_assistant, small_chunks, corpus_dir,
                                                                          tmp_path, monkeypatch):
    index = tmp_path / "index"
    crash_on_call(monkeypatch, 2)
    first = open_assistant(index, settings=small_chunks)
    with pytest.raises(RuntimeError, match="simulated crash"):
        first.ingest([corpus_dir])
    # files are read in sorted order: the .md was written, the cp1251 .txt was not
    assert doc_ids(first) == ["cbr-2023-09-15"]
    assert first.index.manifest.pending() == ["kazan-samovars"]
    assert first.index.vectors.count() > len(manifest_chunk_ids(first))  # orphan vectors of the failed write

    second = open_assistant(index, settings=small_chunks)  # a new process opens the same index
    assert second.index.manifest.pending() == []
    assert second.index.vectors.all_ids() == set(manifest_chunk_ids(second))

    summary = second.ingest([corpus_dir])
    assert summary.unchanged == ["cbr-2023-09-15"]
    assert sorted(summary.added) == sorted(set(EXPECTED) - {"cbr-2023-09-15"})
    ids = [d["doc_id"] for d in second.documents()]
    assert sorted(ids) == sorted(EXPECTED) and len(ids) == len(set(ids))
    chunks = assert_consistent(second)
    assert second.index.vectors.count() == chunks
    answer = second.ask("Сколько самоваров представил Национальный музей Республики Татарстан?")
    assert answer.citations and answer.citations[0]["doc_id"] == "kazan-samovars"


def test_interrupted_update_restores_the_stored_version(open_assistant, small_chunks, embedder, corpus_dir, tmp_path,
                                                        monkeypatch):
    index = tmp_path / "index"
    first = open_assistant(index, settings=small_chunks)
    first.ingest([corpus_dir])
    old_ids = manifest_chunk_ids(first, ["cbr-2023-07-21"])
    old_texts = chunk_texts(first, "cbr-2023-07-21")

    records = read_jsonl(corpus_dir / "releases.jsonl")
    addition = (" Банк России будет принимать дальнейшие решения по ключевой ставке с учётом фактической и ожидаемой "
                "динамики инфляции. Регулятор также оценит риски со стороны внешних условий и реакции финансовых рынков."
                " Повышение ставки призвано ограничить распространение инфляционного давления.")
    for record in records:
        record["text"] += addition
    write_jsonl(corpus_dir / "releases.jsonl", *records)

    crash_on_call(monkeypatch, 1)
    with pytest.raises(RuntimeError, match="simulated crash"):
        first.ingest([corpus_dir])
    assert first.index.manifest.pending() == ["cbr-2023-07-21"]
    assert first.index.vectors.all_ids() != set(manifest_chunk_ids(first))  # Chroma already holds the new chunks

    second = open_assistant(index, settings=small_chunks)
    assert second.index.manifest.pending() == []
    assert manifest_chunk_ids(second, ["cbr-2023-07-21"]) == old_ids
    assert chunk_texts(second, "cbr-2023-07-21") == old_texts
    assert_consistent(second)
    # the vectors are those of the stored (old) chunks again
    stored = second.index.chunks(old_ids)
    got = second.index.vectors.collection.get(ids=old_ids, include=["embeddings"])
    vectors = dict(zip(got["ids"], got["embeddings"]))
    expected = embedder.embed([f"{stored[i].title}\n{stored[i].text}" for i in old_ids])
    assert np.allclose(np.asarray([vectors[i] for i in old_ids]), expected, atol=1e-5)

    summary = second.ingest([corpus_dir])
    assert sorted(summary.updated) == ["cbr-2023-07-21", "gov-wheat-2024-03-14", "mchs-floods-2024-04-08"]
    assert len(summary.unchanged) == 4
    assert "ограничить распространение" in " ".join(chunk_texts(second, "cbr-2023-07-21"))
    assert len(manifest_chunk_ids(second, ["cbr-2023-07-21"])) > len(old_ids)
    assert_consistent(second)


def test_interrupted_reindex_is_repaired_on_next_open(open_assistant, small_chunks, corpus_dir, tmp_path,
                                                       monkeypatch):
    from rag.store.vectors import VectorStore

    index = tmp_path / "index"
    first = open_assistant(index, settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)

    def upsert(self, *args, **kwargs):
        raise RuntimeError("simulated crash")

    with monkeypatch.context() as patch:
        patch.setattr(VectorStore, "upsert", upsert)
        with pytest.raises(RuntimeError, match="simulated crash"):
            open_assistant(index, settings=small_chunks, rebuild=True)
    again = open_assistant(index, settings=small_chunks)
    assert again.index.vectors.count() == chunks


def test_missing_lexical_index_is_rebuilt_from_the_manifest(open_assistant, small_chunks, corpus_dir, tmp_path):
    import shutil

    first = open_assistant(tmp_path / "index", settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)
    first.close()
    shutil.rmtree(tmp_path / "index" / "lexical")
    again = open_assistant(tmp_path / "index", settings=small_chunks)
    assert len(again.index.lexical) == chunks
    assert lexical_docs(again, "пшеница") == {"gov-wheat-2024-03-14"}


def test_lexical_index_without_document_bm25_is_rebuilt(open_assistant, small_chunks, corpus_dir, tmp_path):
    import shutil

    first = open_assistant(tmp_path / "index", settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)
    first.close()
    shutil.rmtree(tmp_path / "index" / "lexical" / "bm25-docs")
    again = open_assistant(tmp_path / "index", settings=small_chunks)
    assert len(again.index.lexical) == chunks
    assert again.index.lexical.search_documents(terms("пшеница"), 5)[0][0] == "gov-wheat-2024-03-14"


def test_index_without_terms_version_recomputes_its_terms(open_assistant, small_chunks, corpus_dir, tmp_path):
    first = open_assistant(tmp_path / "index", settings=small_chunks)
    first.ingest([corpus_dir])
    first.close()
    with sqlite3.connect(tmp_path / "index" / "manifest.sqlite") as db:  # as an index of the previous version
        db.execute("DELETE FROM meta WHERE key = 'terms_version'")
        db.execute("UPDATE chunks SET terms = 'устаревш'")
    db.close()
    again = open_assistant(tmp_path / "index", settings=small_chunks)
    rows = again.index.manifest.db.execute(
        "SELECT d.title || char(10) || c.text, c.terms FROM chunks c JOIN documents d USING (doc_id)").fetchall()
    assert rows and all(stored == " ".join(terms(text)) for text, stored in rows)
    assert lexical_docs(again, "пшеница") == {"gov-wheat-2024-03-14"}


# Embedding model changes


def test_other_embedding_is_refused_then_rebuilt(open_assistant, settings, small_chunks, cache_dir, corpus_dir,
                                                 tmp_path):
    index = tmp_path / "index"
    first = open_assistant(index, settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)

    # the same vectors, but named by path: to the index it is another model
    other_settings = small_chunks.model_copy(update={"embedding_model": str(builtin_model_path(cache_dir))})
    other = Embedder(other_settings)
    assert other.id == str(builtin_model_path(cache_dir)) != first.embedder.id

    with pytest.raises(EmbeddingMismatch) as raised:
        open_assistant(index, settings=other_settings, embedder=other)
    message = str(raised.value)
    assert "'navec-news-sif-v1'" in message and other.id in message
    assert "RAG_EMBEDDING_MODEL=navec-news-sif-v1" in message and "rag reindex" in message

    rebuilt = open_assistant(index, settings=other_settings, embedder=other, rebuild=True)
    assert rebuilt.stats()["embedding"] == other.id
    assert rebuilt.index.vectors.count() == chunks
    assert assert_consistent(rebuilt) == chunks
    answer = rebuilt.ask("Сколько жилых домов подтоплено в Оренбургской области?")
    assert answer.retrieved[0]["doc_id"] == "mchs-floods-2024-04-08"

    # now the bundled model is the stranger
    with pytest.raises(EmbeddingMismatch, match="navec-news-sif-v1"):
        open_assistant(index, settings=small_chunks)
