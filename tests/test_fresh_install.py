"""Installing the way users install: a fresh venv with python3's own pip (not upgraded), `pip install .` from the
checkout, then one ingest and one question. Slow (minutes) and skipped unless RAG_TEST_FRESH_VENV=1 (CI sets it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.web_support import CORPUS, FOUNDING_QUESTION, OFFLINE, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.environ.get("RAG_TEST_FRESH_VENV") != "1",
                                                    reason="set RAG_TEST_FRESH_VENV=1 to build a fresh venv (slow)")]


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=1800,
                          stdin=subprocess.DEVNULL, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_pip_install_from_the_checkout_then_ingest_and_ask(tmp_path):
    python = shutil.which("python3.11") or sys.executable
    source = tmp_path / "checkout"
    # A copy without the developer's venv and caches: what a clone holds.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", ".rag", "__pycache__", "*.egg-info",
                                                              "test-output", "build", "evals"))
    venv = tmp_path / "venv"
    run([python, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "."], cwd=source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | OFFLINE
    env["RAG_CACHE_DIR"] = str(tmp_path / "cache")
    index = tmp_path / "index"
    rag = venv / "bin" / "rag"
    ingested = json.loads(run([rag, "ingest", "--index", index, "--json", CORPUS], env=env, cwd=tmp_path).stdout)
    assert ingested["failed"] == 0 and ingested["added"] > 300
    answer = json.loads(run([rag, "ask", "--index", index, "--json", FOUNDING_QUESTION], env=env, cwd=tmp_path).stdout)
    assert answer["refused"] is False and "260 млн долларов" in answer["answer"]
