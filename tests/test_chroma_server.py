"""The index on a real Chroma server (`chroma run`, started by the test) instead of the embedded store."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.servers import free_port, serving

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    command = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if command is None:
        pytest.skip("needs the `chroma` command that chromadb installs")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-data")
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with serving([command, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                 f"http://127.0.0.1:{port}/api/v2/heartbeat", log):
        yield port


def test_ingest_ask_and_remove_through_a_chroma_server(open_assistant, settings, corpus_dir, tmp_path, chroma_port):
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_port,
                                         "chroma_collection": "server_test"})
    assistant = open_assistant(tmp_path / "manifest-only", settings=remote)
    summary = assistant.ingest([corpus_dir])
    assert summary.counts()["added"] == 7
    stats = assistant.stats()
    assert stats["store"] == f"Chroma server 127.0.0.1:{chroma_port}"
    assert stats["vectors"] == stats["chunks"] > 0
    assert not (tmp_path / "manifest-only" / "chroma").exists(), "no embedded store next to the manifest"

    answer = assistant.ask("До какого уровня Банк России повысил ключевую ставку в июле 2023 года?")
    assert answer.retrieved[0]["doc_id"] == "cbr-2023-07-21" and answer.citations

    assistant.remove(["cbr-2023-07-21"])
    assert assistant.stats()["vectors"] == assistant.stats()["chunks"] < stats["chunks"]
