"""Ingestion through the Assistant API: counts, incremental re-runs, updates, duplicates, failures, removal,
interrupted writes and embedding changes. Every index is a real embedded Chroma + manifest in tmp_path."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import rag.ingest
from conftest import CORPUS_FILES, EXPECTED
from rag.embeddings import Embedder, builtin_model_path
from rag.store.manifest import Manifest
from rag.store.vectors import EmbeddingMismatch
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


# First ingest and re-runs


def test_ingest_folder_reports_counts_and_stores_everything(assistant, corpus_dir):
    seen = []
    summary = assistant.ingest([corpus_dir], on_progress=seen.append)
    assert summary.counts() == {"added": 7, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 0}
    assert sorted(summary.added) == sorted(EXPECTED)
    assert summary.files == CORPUS_FILES
    assert doc_ids(assistant) == sorted(EXPECTED)
    for row in assistant.documents():
        assert (row["title"], row["date"], row["source"]) == EXPECTED[row["doc_id"]]
        assert row["chunks"] >= 1
    chunks = assert_consistent(assistant)
    assert summary.chunks == chunks
    assert chunks > len(EXPECTED)  # short chunks: some releases have several
    stats = assistant.stats()
    assert (stats["documents"], stats["chunks"], stats["vectors"]) == (7, chunks, chunks)
    assert stats["embedding"] == "navec-news-sif-v1"
    assert seen[-1].files_done == seen[-1].files_total == CORPUS_FILES
    assert seen[-1].documents == 7


def test_second_run_changes_nothing(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    vectors = assistant.index.vectors.count()
    lexical = len(assistant.index.lexical)
    generation = assistant.index.manifest.generation
    summary = assistant.ingest([corpus_dir])
    assert summary.counts() == {"added": 0, "updated": 0, "unchanged": 7, "duplicate": 0, "failed": 0}
    assert sorted(summary.unchanged) == sorted(EXPECTED)
    assert summary.chunks == 0
    assert assistant.index.vectors.count() == vectors
    assert len(assistant.index.lexical) == lexical
    assert assistant.index.manifest.generation == generation
    assert assert_consistent(assistant) == vectors


def test_reopened_index_has_the_same_content(open_assistant, small_chunks, corpus_dir, tmp_path):
    first = open_assistant(tmp_path / "index", settings=small_chunks)
    first.ingest([corpus_dir])
    chunks = assert_consistent(first)
    first.close()
    again = open_assistant(tmp_path / "index", settings=small_chunks)
    assert doc_ids(again) == sorted(EXPECTED)
    assert assert_consistent(again) == chunks
    assert again.ingest([corpus_dir]).counts()["unchanged"] == 7


def test_changed_document_is_updated_and_its_old_chunks_are_gone(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    old_chunks = chunk_texts(assistant, "mchs-floods-2024-04-08")
    assert len(old_chunks) >= 2
    assert "вертолёт Ми-8" in " ".join(old_chunks)
    assert lexical_docs(assistant, "вертолет") == {"mchs-floods-2024-04-08"}

    records = read_jsonl(corpus_dir / "releases.jsonl")
    records[2]["text"] = "К работам привлечены водолазы и самолёт Бе-200. Вода в Орске начала спадать."
    write_jsonl(corpus_dir / "releases.jsonl", *records)

    summary = assistant.ingest([corpus_dir])
    assert summary.updated == ["mchs-floods-2024-04-08"]
    assert summary.counts() == {"added": 0, "updated": 1, "unchanged": 6, "duplicate": 0, "failed": 0}
    new_chunks = chunk_texts(assistant, "mchs-floods-2024-04-08")
    assert new_chunks == ["К работам привлечены водолазы и самолёт Бе-200. Вода в Орске начала спадать."]
    assert not set(old_chunks) & set(new_chunks)
    row = next(d for d in assistant.documents() if d["doc_id"] == "mchs-floods-2024-04-08")
    assert row["chunks"] == 1
    assert lexical_docs(assistant, "водолазы") == {"mchs-floods-2024-04-08"}
    assert lexical_docs(assistant, "вертолет") == set()
    assert_consistent(assistant)  # the old chunks' vectors are deleted too


def test_metadata_change_alone_is_an_update(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    records = read_jsonl(corpus_dir / "releases.jsonl")
    records[1]["title"] = "Экспорт пшеницы: решения совещания"
    write_jsonl(corpus_dir / "releases.jsonl", *records)
    summary = assistant.ingest([corpus_dir])
    assert summary.updated == ["gov-wheat-2024-03-14"] and summary.duplicates == []
    row = next(d for d in assistant.documents() if d["doc_id"] == "gov-wheat-2024-03-14")
    assert row["title"] == "Экспорт пшеницы: решения совещания"
    assert_consistent(assistant)


def test_same_text_under_another_id_is_a_duplicate(assistant, corpus_dir, tmp_path):
    assistant.ingest([corpus_dir])
    chunks = assistant.index.vectors.count()
    wheat = read_jsonl(corpus_dir / "releases.jsonl")[1]
    extra = tmp_path / "extra"
    extra.mkdir()
    # the same text, re-wrapped and with another case, under a new id
    copy = {**wheat, "id": "wheat-copy", "title": "Копия", "text": "  " + wheat["text"].upper().replace(" ", "\n ")}
    twin_a = {"id": "twin-a", "title": "Близнец", "text": "Текст, который пришёл дважды под разными id."}
    twin_b = {**twin_a, "id": "twin-b"}
    write_jsonl(extra / "more.jsonl", copy, twin_a, twin_b)
    summary = assistant.ingest([extra])
    assert sorted(summary.duplicates) == [("twin-b", "twin-a"), ("wheat-copy", "gov-wheat-2024-03-14")]
    assert summary.added == ["twin-a"]
    assert "wheat-copy" not in doc_ids(assistant) and "twin-b" not in doc_ids(assistant)
    assert assistant.index.vectors.count() == chunks + 1
    assert_consistent(assistant)


def test_same_id_twice_in_one_run(assistant, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    first = {"id": "dup", "title": "Первый", "text": "Первая версия текста."}
    path = write_jsonl(folder / "a.jsonl", first, first, {**first, "text": "Другая версия текста."})
    summary = assistant.ingest([folder])
    assert summary.added == ["dup"]
    assert summary.duplicates == [("dup", "dup")]
    [failure] = summary.failed
    assert failure.where == f"{path}:3" and "appears twice" in failure.reason
    assert chunk_texts(assistant, "dup") == ["Первая версия текста."]


def test_text_moved_to_a_new_id_is_not_lost(assistant, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    old = "Паводок в Орске: эвакуированы более шести тысяч человек."
    write_jsonl(folder / "a.jsonl", {"id": "a", "title": "A", "text": old})
    assistant.ingest([folder])
    write_jsonl(folder / "a.jsonl", {"id": "a", "title": "A", "text": "Вода в Орске начала спадать."},
                {"id": "b", "title": "B", "text": old})
    summary = assistant.ingest([folder])
    assert summary.updated == ["a"]
    assert doc_ids(assistant) == ["a", "b"]
    assert chunk_texts(assistant, "b") == [old]


# Failures


def test_bad_lines_fail_with_file_and_line_and_good_ones_are_stored(assistant, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "mixed.jsonl"
    path.write_text(
        json.dumps({"id": "good-1", "title": "Хороший", "date": "2024-05-01",
                    "text": "Первый хороший пресс-релиз о посевной кампании."}, ensure_ascii=False) + "\n"
        + '{"id": "broken", "text": "обрыв\n'
        + json.dumps({"id": "no-text", "title": "Без текста"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "good-2", "title": "Тоже хороший",
                      "text": "Второй хороший пресс-релиз о ремонте дорог."}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (folder / "notes.docx").write_text("не тот формат", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    summary = assistant.ingest([folder])
    assert sorted(summary.added) == ["good-1", "good-2"]
    assert {(f.where, f.reason.split(" (")[0]) for f in summary.failed} == {
        (f"{path}:2", "broken JSON"),
        (f"{path}:3", "missing or empty field 'text'"),
        (str(folder / "notes.docx"), "unknown extension .docx; supported: .jsonl, .txt, .md, .html, .htm"),
        (str(folder / "empty.txt"), "file is empty"),
    }
    assert summary.to_dict()["failures"][0]["where"].startswith(str(folder))
    assert doc_ids(assistant) == ["good-1", "good-2"]
    assert_consistent(assistant)


def test_missing_path_fails_without_stopping_the_rest(assistant, corpus_dir, tmp_path):
    summary = assistant.ingest([tmp_path / "does-not-exist", corpus_dir])
    assert summary.counts()["added"] == 7
    assert [(f.where, f.reason) for f in summary.failed] == [(str(tmp_path / "does-not-exist"), "no such file or folder")]


def test_file_over_the_size_limit_fails(open_assistant, settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "small.txt").write_text("Короткий релиз.\n\nВсего одно предложение.", encoding="utf-8")
    (folder / "large.txt").write_text("Длинный релиз. " * 300, encoding="utf-8")
    tiny = open_assistant(settings=settings.model_copy(update={"max_file_mb": 0.001}))
    summary = tiny.ingest([folder])
    assert summary.added == ["small"]
    [failure] = summary.failed
    assert failure.where == str(folder / "large.txt") and "RAG_MAX_FILE_MB" in failure.reason


# Removal


def test_remove_deletes_from_manifest_vectors_and_lexical_index(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    total = assistant.index.vectors.count()
    wheat_chunks = manifest_chunk_ids(assistant, ["gov-wheat-2024-03-14"])
    assert wheat_chunks and lexical_docs(assistant, "пшеница") == {"gov-wheat-2024-03-14"}

    missing = assistant.remove(["gov-wheat-2024-03-14", "no-such-release"])
    assert missing == ["no-such-release"]
    assert "gov-wheat-2024-03-14" not in doc_ids(assistant)
    assert len(doc_ids(assistant)) == 6
    assert manifest_chunk_ids(assistant, ["gov-wheat-2024-03-14"]) == []
    assert assistant.index.vectors.count() == total - len(wheat_chunks)
    assert not assistant.index.vectors.all_ids() & set(wheat_chunks)
    assert lexical_docs(assistant, "пшеница") == set()
    assert_consistent(assistant)
    # and it can come back
    assert assistant.ingest([corpus_dir]).added == ["gov-wheat-2024-03-14"]
    assert assistant.index.vectors.count() == total


def test_remove_unknown_id_changes_nothing(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    generation = assistant.index.manifest.generation
    count = assistant.index.vectors.count()
    assert assistant.remove(["nope", "also-nope"]) == ["nope", "also-nope"]
    assert assistant.index.vectors.count() == count
    assert assistant.index.manifest.generation == generation
    assert doc_ids(assistant) == sorted(EXPECTED)


def test_remove_everything_leaves_an_empty_index_that_refuses(assistant, corpus_dir):
    assistant.ingest([corpus_dir])
    assert assistant.remove(sorted(EXPECTED)) == []
    assert assistant.documents() == []
    assert assert_consistent(assistant) == 0
    answer = assistant.ask("Сколько жилых домов подтоплено в Оренбургской области?")
    assert answer.refused and answer.citations == [] and answer.retrieved == []


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
