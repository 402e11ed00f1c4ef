"""Processes opening one new embedded index at the same moment (three `rag ingest` from cron into a fresh folder):
Chroma's first open creates its database, and two creations at once fail ("table collections already exists",
"database is locked"); each must wait for the other instead."""

from __future__ import annotations

import subprocess
import sys
import time

OPENERS = 6  # per folder
FOLDERS = 3  # at once: the race is lost in one folder or another nearly every run without the wait
OPEN_ONE = """
import sys, time
from pathlib import Path
from rag.settings import Settings
from rag.store.vectors import VectorStore
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
store = VectorStore(Settings(chroma_host=None), Path(sys.argv[1]), "test-embedding", 4)
store.close()
"""


def test_processes_opening_one_new_store_at_once_all_succeed(tmp_path):
    start = time.time() + 5  # all processes are up and importing is done by then, so they open together
    runs = [subprocess.Popen([sys.executable, "-c", OPEN_ONE, str(tmp_path / str(folder)), str(start)],
                             stderr=subprocess.PIPE, text=True)
            for folder in range(FOLDERS) for _ in range(OPENERS)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs), [e.strip().splitlines()[-1] for e in errors if e]
