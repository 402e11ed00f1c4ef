"""Ingestion through the Assistant API: counts, incremental re-runs, updates, duplicates, failures and
removal. Every index is a real embedded Chroma + manifest in tmp_path."""

from __future__ import annotations

import json


from conftest import CORPUS_FILES, EXPECTED
from tests.ingest_support import (  # noqa: F401 (fixtures)
    assert_consistent, assistant, chunk_texts, doc_ids, lexical_docs, manifest_chunk_ids, read_jsonl, small_chunks,
    write_jsonl,
)


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
