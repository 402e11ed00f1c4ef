"""Interrupted writes and embedding changes: the index repairs itself from the manifest. The failures here
are made on purpose (a write that raises halfway), the stores are real; ingests killed with SIGKILL are in
tests/test_crash_kill.py."""

from __future__ import annotations

import sqlite3

import pytest

from rag.embeddings import Embedder, builtin_model_path
from rag.store.vectors import EmbeddingMismatch
from rag.text import terms
from tests.ingest_support import assert_consistent, lexical_docs, small_chunks  # noqa: F401 (fixture)


# Interrupted writes (an ingest killed for real: tests/test_crash_kill.py)


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


def test_a_collection_chroma_cannot_read_after_a_crash_is_rewritten_from_the_manifest(
        open_assistant, small_chunks, corpus_dir, tmp_path, monkeypatch):
    from chromadb.api.models.Collection import Collection
    from chromadb.errors import InternalError

    index = tmp_path / "index"
    first = open_assistant(index, settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)
    first.index.manifest.set_pending(first.index.manifest.all_doc_ids()[:1])  # a writer died mid-write
    first.close()
    real_get, broken = Collection.get, []

    def get(self, *args, **kwargs):
        if not broken:  # what Chroma raised once, reopened after an ingest killed with SIGKILL
            broken.append(True)
            raise InternalError("Failed to apply logs to the hnsw segment writer")
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "get", get)
    again = open_assistant(index, settings=small_chunks)
    again.ingest([corpus_dir])
    assert broken and again.index.vectors.count() == chunks == assert_consistent(again)
    assert lexical_docs(again, "пшеница") == {"gov-wheat-2024-03-14"}
    assert again.ask("Сколько пшеницы собрали?").citations


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
