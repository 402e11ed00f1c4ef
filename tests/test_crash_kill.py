"""Real crashes: `rag ingest` of 3,000 releases killed with SIGKILL at random moments, then completed.

Each trial kills a subprocess somewhere between opening the index and finishing (seeded delays over the
measured length of the writes), on a fresh index (every other trial) or while it updates 600 releases of
an index already built. The next `rag ingest` must complete; then the listing holds exactly the input,
the manifest, Chroma and the saved BM25 index hold exactly the same chunks (none twice, none orphaned),
updated releases hold their new text, and a question cites its release. Deselect with `-m "not crash"`.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.cli import main as rag_main
from tests import synthetic_releases
from tests.ingest_support import assert_consistent
from tests.web_support import cache_dir_for, server_env

RELEASES = 3000
EDITED = frozenset(range(0, RELEASES, 5))
TRIALS = 10
SEED = 20261125
KILL_WITHIN_S = 3.0  # an in-process ingest of the 3,000 releases takes ~2 s after the index is open
BUDGET_S = 240


def start_ingest(index: Path, source: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", "--json", "--index", str(index), str(source)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_at_random(index: Path, source: Path, env: dict, delay: float) -> str:
    """Starts an ingest and kills it `delay` s after it opened the index (its lock file appears)."""
    process = start_ingest(index, source, env)
    deadline = time.monotonic() + 60
    while not (index / "writer.lock").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return "finished before the kill" if finished else f"killed {delay:.2f} s after opening"


def check_index(index: Path, open_assistant, capsys, edited: frozenset[int], rng: random.Random) -> None:
    expected = {f"synthetic-{i:05d}" for i in range(RELEASES)}
    assert rag_main(["list", "--json", "--index", str(index)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == RELEASES and {d["doc_id"] for d in listed} == expected

    with sqlite3.connect(index / "manifest.sqlite") as db:
        chunk_rows = db.execute("SELECT chunk_id, doc_id, text FROM chunks").fetchall()
        orphans = db.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()
        generation = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        pending = db.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()[0]
    db.close()
    assert orphans == (0,) and json.loads(pending) == []
    manifest_ids = {row[0] for row in chunk_rows}
    texts = [row[2] for row in chunk_rows]
    assert len(set(texts)) == len(texts), "a chunk stored twice under two ids"

    saved = json.loads((index / "lexical" / "rows.json").read_text(encoding="utf-8"))
    assert saved["generation"] == generation
    assert len(saved["chunk_ids"]) == len(set(saved["chunk_ids"])) and set(saved["chunk_ids"]) == manifest_ids

    assistant = open_assistant(index)
    assert assert_consistent(assistant) == len(manifest_ids)  # Chroma ids == manifest == lexical, counts equal
    stored = {row[1]: row[2] for row in chunk_rows}
    for i in edited:
        assert "первоклассников" in stored[f"synthetic-{i:05d}"]
    for i in rng.sample(range(RELEASES), 2):
        answer = assistant.ask(synthetic_releases.question(i))
        assert answer.citations and answer.citations[0]["doc_id"] == f"synthetic-{i:05d}", answer.to_dict()
    assistant.close()


@pytest.mark.crash
def test_ingest_killed_at_random_moments_is_completed_by_the_next_run(open_assistant, capsys, tmp_path,
                                                                    tmp_path_factory):
    started = time.monotonic()
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path)
    first = synthetic_releases.write(tmp_path / "releases.jsonl", RELEASES)
    second = synthetic_releases.write(tmp_path / "releases-edited.jsonl", RELEASES, EDITED)
    base = tmp_path / "base"
    built = start_ingest(base, first, env)
    out, err = built.communicate(timeout=120)
    assert built.returncode == 0, err
    (base / "writer.lock").unlink()

    rng = random.Random(SEED)
    outcomes = []
    for trial in range(TRIALS):
        assert time.monotonic() - started < BUDGET_S, f"over the time budget after {trial} trials: {outcomes}"
        index = tmp_path / f"trial-{trial}"
        updating = trial % 2 == 1
        if updating:
            shutil.copytree(base, index)
        source = second if updating else first
        outcomes.append(kill_at_random(index, source, env, rng.uniform(0, KILL_WITHIN_S)))

        completed = start_ingest(index, source, env)
        out, err = completed.communicate(timeout=120)
        assert completed.returncode == 0, f"trial {trial} ({outcomes[-1]}): {err[-2000:]}"
        counts = json.loads(out)
        assert counts["added"] + counts["updated"] + counts["unchanged"] == RELEASES and counts["failed"] == 0
        check_index(index, open_assistant, capsys, EDITED if updating else frozenset(), rng)
        shutil.rmtree(index)
    print(f"{TRIALS} trials in {time.monotonic() - started:.0f} s: {outcomes}")
