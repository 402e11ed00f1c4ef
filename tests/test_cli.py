"""The `rag` command line, run in-process: ingest, list, ask (JSON, history, batch), remove, reindex, errors.

The CLI loads its own embedder from Settings, so RAG_CACHE_DIR points it at the session's model cache."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXPECTED, copy_corpus
from rag.cli import main

FLOODS = "Сколько жилых домов подтоплено в Оренбургской области?"


@pytest.fixture(autouse=True)
def cli_cache(monkeypatch, cache_dir):
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache_dir))


@pytest.fixture(scope="module")
def shared_index(cache_dir, tmp_path_factory):
    """An index made by `rag ingest`, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("cli")
    corpus = copy_corpus(root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_CACHE_DIR", str(cache_dir))
        assert main(["ingest", str(corpus), "--index", str(root / "index")]) == 0
    return root / "index"


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_list_ask_remove(capsys, tmp_path, corpus_dir):
    index = tmp_path / "index"
    code, out, _ = run(capsys, "ingest", corpus_dir, "--index", index)
    assert code == 0
    assert out.startswith("added: 7, updated: 0, unchanged: 0, duplicate: 0, failed: 0 (")
    assert out.rstrip().endswith("chunks written)")

    code, out, _ = run(capsys, "ingest", corpus_dir, "--index", index, "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["added"], summary["unchanged"], summary["chunks"], summary["files"]) == (0, 7, 0, 5)

    code, out, _ = run(capsys, "list", "--json", "--index", index)
    assert code == 0
    listed = json.loads(out)
    assert sorted(d["doc_id"] for d in listed) == sorted(EXPECTED)
    wheat = next(d for d in listed if d["doc_id"] == "gov-wheat-2024-03-14")
    assert (wheat["title"], wheat["date"], wheat["source"]) == EXPECTED["gov-wheat-2024-03-14"]
    assert wheat["chunks"] >= 1

    code, out, err = run(capsys, "list", "--index", index)
    assert code == 0 and err.strip() == "7 documents"
    assert f"gov-wheat-2024-03-14\t2024-03-14\t{wheat['chunks']} chunks\tВ Правительстве обсудили экспорт пшеницы" in out
    assert "novosibirsk-school\t-\t" in out  # undated

    code, out, _ = run(capsys, "ask", "--json", "--index", index, "Какой объём экспортной квоты на зерно сохранило Правительство?")
    assert code == 0
    answer = json.loads(out)
    assert answer["retrieved"][0]["doc_id"] == "gov-wheat-2024-03-14"
    assert "[1]" in answer["answer"] and "24 млн тонн" in answer["answer"]
    assert answer["citations"][0]["doc_id"] == "gov-wheat-2024-03-14"

    code, out, err = run(capsys, "remove", "gov-wheat-2024-03-14", "--index", index)
    assert (code, out.strip(), err) == (0, "removed 1 documents", "")
    code, out, err = run(capsys, "remove", "gov-wheat-2024-03-14", "no-such-id", "--index", index)
    assert code == 1
    assert out.strip() == "removed 0 documents"
    assert "not in the index: gov-wheat-2024-03-14" in err and "not in the index: no-such-id" in err

    code, out, _ = run(capsys, "list", "--json", "--index", index)
    assert "gov-wheat-2024-03-14" not in {d["doc_id"] for d in json.loads(out)}
    assert len(json.loads(out)) == 6

    code, out, _ = run(capsys, "ask", "--json", "--index", index, "Какой объём экспортной квоты на зерно сохранило Правительство?")
    assert "gov-wheat-2024-03-14" not in {r["doc_id"] for r in json.loads(out)["retrieved"]}


def test_index_dir_from_environment(capsys, monkeypatch, tmp_path, corpus_dir):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "env-index"))
    assert run(capsys, "ingest", corpus_dir)[0] == 0
    assert (tmp_path / "env-index" / "manifest.sqlite").exists()
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and len(json.loads(out)) == 7


def test_ask_prints_answer_and_sources(capsys, shared_index):
    code, out, _ = run(capsys, "ask", "--index", shared_index, FLOODS)
    assert code == 0
    assert "10 812 жилых домов" in out and "[1]" in out.split("\n\n")[0]
    # the sources: the release's markers ([1] or [1][2]...), title, date, source and url
    assert re.search(r"^\[1\](\[\d+\])* Паводок в Оренбургской области: подтоплены тысячи жилых домов "
                     r"\(2024-04-08, МЧС России, https://mchs\.example/news/floods-2024-04-08\)$", out, flags=re.M), out


def test_ask_with_history_file(capsys, shared_index, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"q": FLOODS}], ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "ask", "--json", "--index", shared_index, "--history", history,
                       "А сколько человек оттуда эвакуировали?")
    assert code == 0
    answer = json.loads(out)
    assert answer["search_query"] == f"{FLOODS} А сколько человек оттуда эвакуировали?"
    assert answer["retrieved"][0]["doc_id"] == "mchs-floods-2024-04-08"
    assert any("более 6 тысяч человек" in c["quote"] for c in answer["citations"])


def test_a_4_mb_history_file_is_cut_to_the_last_turns_and_characters(capsys, shared_index, tmp_path):
    from rag.assistant import MAX_QUESTION_CHARS

    pasted = FLOODS + " " + "очень длинная вставка " * 200_000
    history = tmp_path / "history.json"
    history.write_text(json.dumps(["Старый вопрос о пшенице?"] * 50 + [pasted], ensure_ascii=False), encoding="utf-8")
    assert history.stat().st_size > 4 * 2**20
    code, out, _ = run(capsys, "ask", "--json", "--index", shared_index, "--history", history,
                       "А сколько человек оттуда эвакуировали?")
    assert code == 0
    answer = json.loads(out)
    assert answer["search_query"] == f"{pasted[:MAX_QUESTION_CHARS]} А сколько человек оттуда эвакуировали?"
    assert answer["retrieved"][0]["doc_id"] == "mchs-floods-2024-04-08"


def test_ask_with_filters(capsys, shared_index):
    code, out, _ = run(capsys, "ask", "--json", "--index", shared_index, "--from", "2023-09-01", "--to", "2023-12-31",
                       "Какой была ключевая ставка?")
    assert code == 0
    assert {r["doc_id"] for r in json.loads(out)["retrieved"]} == {"cbr-2023-09-15"}
    code, out, _ = run(capsys, "ask", "--json", "--index", shared_index, "--source", "МЧС России",
                       "--source", "Роскосмос", "Какой спутник запустили?")
    assert {r["doc_id"] for r in json.loads(out)["retrieved"]} == {"mchs-floods-2024-04-08", "vostochny-launch"}


def test_ask_batch_writes_one_json_line_per_question(capsys, shared_index, tmp_path):
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"id": "q1", "question": FLOODS},
        {"id": "q2", "question": "А сколько человек оттуда эвакуировали?", "history": [{"q": FLOODS}]},
        {"id": "q3", "question": "Кто выиграл чемпионат мира по шахматам?"},
        {"id": "q4", "question": "Сколько учеников зачислено в первые классы новой школы в Новосибирске?"},
    ]
    batch.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n", encoding="utf-8")
    code, out, _ = run(capsys, "ask", "--batch", batch, "--json", "--index", shared_index)
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["q1", "q2", "q3", "q4"]
    assert [a["question"] for a in answers] == [line["question"] for line in lines]
    assert answers[0]["retrieved"][0]["doc_id"] == "mchs-floods-2024-04-08"
    assert answers[1]["search_query"].startswith(FLOODS)
    assert answers[1]["retrieved"][0]["doc_id"] == "mchs-floods-2024-04-08"
    assert answers[2]["refused"] is True and answers[2]["citations"] == []
    assert answers[3]["citations"][0]["doc_id"] == "novosibirsk-school"


def test_bad_batch_line_is_an_error_with_file_and_line(capsys, shared_index, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "ok", "question": FLOODS}, ensure_ascii=False) + "\n{not json\n",
                     encoding="utf-8")
    code, out, err = run(capsys, "ask", "--batch", batch, "--json", "--index", shared_index)
    assert code == 1
    assert f"{batch}:2: broken JSON" in err
    assert out == ""  # the batch is checked before anything is answered

    batch.write_text(json.dumps({"id": "ok", "question": FLOODS}, ensure_ascii=False) + "\n"
                     + json.dumps({"id": "empty", "question": "  "}) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "ask", "--batch", batch, "--index", shared_index)
    assert code == 1
    assert f"{batch}:2: needs a non-empty field 'question'" in err


def test_ask_argument_errors(capsys, shared_index, tmp_path):
    code, _, err = run(capsys, "ask", "--index", shared_index)
    assert code == 1 and "give either a QUESTION or --batch FILE" in err
    history = tmp_path / "history.json"
    history.write_text("{broken", encoding="utf-8")
    code, _, err = run(capsys, "ask", "--index", shared_index, "--history", history, FLOODS)
    assert code == 1 and f"error: {history}: not JSON" in err
    history.write_text('{"q": "not a list"}', encoding="utf-8")
    code, _, err = run(capsys, "ask", "--index", shared_index, "--history", history, FLOODS)
    assert code == 1 and "history must be a JSON list" in err
    assert run(capsys)[0] == 2  # no command: help


def test_ingest_of_only_bad_files_fails_and_names_them(capsys, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "broken.jsonl").write_text('{"id": "x", "text": \n', encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    code, out, _ = run(capsys, "ingest", folder, "--index", tmp_path / "index")
    assert code == 1
    assert out.startswith("added: 0, updated: 0, unchanged: 0, duplicate: 0, failed: 2")
    assert f"  failed: {folder / 'broken.jsonl'}:1: broken JSON" in out
    assert f"  failed: {folder / 'empty.txt'}: file is empty" in out


def test_ingest_reports_duplicates(capsys, tmp_path, corpus_dir):
    wheat = json.loads((corpus_dir / "releases.jsonl").read_text(encoding="utf-8").splitlines()[1])
    (corpus_dir / "zz-copy.jsonl").write_text(json.dumps({**wheat, "id": "wheat-copy"}, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    code, out, _ = run(capsys, "ingest", corpus_dir, "--index", tmp_path / "index")
    assert code == 0
    assert "duplicate: 1" in out
    assert "  duplicate: wheat-copy has the same text as gov-wheat-2024-03-14" in out


def test_reindex(capsys, tmp_path, corpus_dir):
    index = tmp_path / "index"
    assert run(capsys, "ingest", corpus_dir, "--index", index)[0] == 0
    listed = json.loads(run(capsys, "list", "--json", "--index", index)[1])
    chunks = sum(d["chunks"] for d in listed)
    code, out, _ = run(capsys, "reindex", "--index", index)
    assert code == 0
    assert out.strip() == f"reindexed {chunks} chunks of 7 documents with navec-news-sif-v1"
    code, out, _ = run(capsys, "ask", "--json", "--index", index, FLOODS)
    assert json.loads(out)["retrieved"][0]["doc_id"] == "mchs-floods-2024-04-08"


def test_other_embedding_model_is_refused_with_a_message(capsys, monkeypatch, shared_index, cache_dir):
    from rag.embeddings import builtin_model_path

    monkeypatch.setenv("RAG_EMBEDDING_MODEL", str(builtin_model_path(cache_dir)))
    code, out, err = run(capsys, "ask", "--index", shared_index, FLOODS)
    assert code == 1 and out == ""
    assert err.startswith("error: the index at ")
    assert "'navec-news-sif-v1'" in err and "rag reindex" in err


def test_batch_file_with_utf8_bom(capsys, shared_index, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b"\xef\xbb\xbf" + (json.dumps({"id": "q1", "question": FLOODS}, ensure_ascii=False) + "\n").encode())
    code, out, err = run(capsys, "ask", "--batch", batch, "--json", "--index", shared_index)
    assert (code, err) == (0, "")
    assert json.loads(out)["id"] == "q1"
