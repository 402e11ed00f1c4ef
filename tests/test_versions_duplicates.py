"""Versions (`rag history`, `rag restore`) and near duplicates (MinHash LSH), through the CLI and the API."""

from __future__ import annotations

import json
import sqlite3

import pytest

from ingest_support import assert_consistent, chunk_texts
from rag.cli import main

RATE = "cbr-2023-09-15"


@pytest.fixture(autouse=True)
def cli_cache(monkeypatch, cache_dir):
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache_dir))


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_replacing_keeps_the_earlier_version_and_restore_brings_it_back(capsys, tmp_path, corpus_dir, open_assistant):
    index = tmp_path / "index"
    run(capsys, "ingest", corpus_dir, "--index", index)
    release = corpus_dir / f"{RATE}.md"
    original = release.read_text(encoding="utf-8")
    release.write_text(original.replace("13,00%", "14,00%"), encoding="utf-8")
    code, out, _ = run(capsys, "ingest", release, "--index", index)
    assert code == 0 and out.startswith("added: 0, updated: 1,")

    code, out, _ = run(capsys, "history", RATE, "--json", "--index", index)
    versions = json.loads(out)
    assert [set(v) for v in versions] == [{"version", "saved_at", "chars", "current"}] * 2
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]

    code, out, _ = run(capsys, "restore", RATE, "--version", "1", "--index", index)
    assert (code, out) == (0, f"restored version 1 of {RATE} as its current version 3\n")
    code, out, _ = run(capsys, "history", RATE, "--index", index)
    lines = out.splitlines()
    assert len(lines) == 3 and lines[2].startswith("3\t") and lines[2].endswith("\tcurrent")
    assistant = open_assistant(index)
    assert_consistent(assistant)
    assert "13,00%" in " ".join(chunk_texts(assistant, RATE)) and "14,00%" not in " ".join(chunk_texts(assistant, RATE))
    assert assistant.history(RATE)[0]["chars"] == assistant.history(RATE)[2]["chars"]


def test_restore_and_history_refuse_what_does_not_exist(capsys, tmp_path, corpus_dir):
    index = tmp_path / "index"
    run(capsys, "ingest", corpus_dir, "--index", index)
    assert run(capsys, "restore", RATE, "--version", "4", "--index", index)[1:] == (
        "", f"error: release '{RATE}' has no version 4 (it has 1 to 1)\n")
    assert run(capsys, "restore", RATE, "--version", "1", "--index", index)[2] == \
        f"error: version 1 of '{RATE}' is the current one\n"
    assert run(capsys, "history", "no-such-id", "--index", index)[:3:2] == (1, "error: no release 'no-such-id' in the index\n")


def test_removing_a_release_forgets_its_versions(capsys, tmp_path, corpus_dir):
    index = tmp_path / "index"
    run(capsys, "ingest", corpus_dir, "--index", index)
    release = corpus_dir / f"{RATE}.md"
    release.write_text(release.read_text(encoding="utf-8") + "\nДополнение.", encoding="utf-8")
    run(capsys, "ingest", release, "--index", index)
    run(capsys, "remove", RATE, "--index", index)
    assert run(capsys, "history", RATE, "--index", index)[0] == 1
    db = sqlite3.connect(index / "manifest.sqlite")
    assert db.execute("SELECT COUNT(*) FROM versions WHERE doc_id = ?", (RATE,)).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM signatures WHERE doc_id = ?", (RATE,)).fetchone()[0] == 0


def edited(text: str) -> str:
    """The same release with a sentence added and two typos: what a re-publication looks like."""
    return text.replace("Совет директоров", "Совет директров", 1).replace("годовых", "годовых.", 1) + \
        "\n\nИнформация размещена на официальном сайте регулятора."


def test_a_near_duplicate_under_another_id_is_reported_and_not_indexed(capsys, tmp_path, corpus_dir, open_assistant):
    index = tmp_path / "index"
    code, out, _ = run(capsys, "ingest", corpus_dir, "--index", index)
    assert out.startswith("added: 7, updated: 0, unchanged: 0, duplicate: 0,"), "both key-rate releases are kept"
    copies = tmp_path / "copies"
    copies.mkdir()
    text = (corpus_dir / f"{RATE}.md").read_text(encoding="utf-8").replace("title: Банк", "title: Повторно Банк", 1)
    (copies / "cbr-copy.md").write_text(edited(text), encoding="utf-8")
    code, out, _ = run(capsys, "ingest", copies, "--index", index, "--json")
    summary = json.loads(out)
    assert (summary["added"], summary["duplicate"]) == (0, 1)
    [near] = summary["near_duplicates"]
    assert (near["doc_id"], near["near"]) == ("cbr-copy", RATE) and 0.6 <= near["similarity"] < 1
    code, out, _ = run(capsys, "ingest", copies, "--index", index)
    assert f"  duplicate: cbr-copy is a near duplicate of {RATE} (similarity " in out
    assistant = open_assistant(index)
    assert "cbr-copy" not in {d["doc_id"] for d in assistant.documents()}
    assert_consistent(assistant)


def test_near_duplicates_meet_within_one_run_and_an_edit_of_the_same_id_is_an_update(tmp_path, open_assistant,
                                                                                  corpus_dir):
    text = (corpus_dir / f"{RATE}.md").read_text(encoding="utf-8")
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "a.md").write_text(text, encoding="utf-8")
    (folder / "b.md").write_text(edited(text), encoding="utf-8")
    assistant = open_assistant()
    summary = assistant.ingest([folder])
    assert summary.added == ["a"] and [d[:2] for d in summary.near_duplicates] == [("b", "a")]
    (folder / "b.md").unlink()
    (folder / "a.md").write_text(edited(text), encoding="utf-8")
    assert assistant.ingest([folder]).updated == ["a"]


def test_the_near_duplicate_index_is_rebuilt_from_an_index_made_before_it(tmp_path, open_assistant, corpus_dir):
    """An index without the new tables (signatures, versions, feeds, pages) opens, and gets them."""
    index = tmp_path / "index"
    open_assistant(index).ingest([corpus_dir])
    db = sqlite3.connect(index / "manifest.sqlite")
    with db:
        for table in ("signatures", "versions", "feeds", "pages"):
            db.execute(f"DROP TABLE {table}")
    db.close()
    assistant = open_assistant(index)
    assert [v["version"] for v in assistant.history(RATE)] == [1]
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "copy.md").write_text(edited((corpus_dir / f"{RATE}.md").read_text(encoding="utf-8")), encoding="utf-8")
    assert [d[:2] for d in assistant.ingest([folder]).near_duplicates] == [("copy", RATE)]
    (corpus_dir / f"{RATE}.md").write_text(edited((corpus_dir / f"{RATE}.md").read_text(encoding="utf-8")),
                                           encoding="utf-8")
    assert assistant.ingest([corpus_dir / f"{RATE}.md"]).updated == [RATE]
    assert [(v["version"], v["current"]) for v in assistant.history(RATE)] == [(1, False), (2, True)]
    assert "13,00%" in assistant.index.manifest.versions.document(RATE, 1).text
