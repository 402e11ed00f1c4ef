"""Two processes, one index, all real: `rag serve` answering while `rag ingest` / `rag remove` run from another
process (as from cron), writers waiting for each other, and two servers sharing one Chroma server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from gradio_client import Client, handle_file

from conftest import EXPECTED, copy_corpus
from rag.store.lock import FileLock, WriterLock
from tests.ingest_support import assert_consistent, small_chunks  # noqa: F401 (fixture)
from tests.test_chroma_server import chroma_port  # noqa: F401 (fixture)
from tests.web_support import (BRIDGE_DOC, BRIDGE_FILE, BRIDGE_QUESTION, BRIDGE_TEXT, Server, cache_dir_for,
                               server_env)

FOLLOW_S = 5.0  # the server must show another process's change within this


def rag(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def cited(client: Client) -> set[str]:
    answer = client.predict(question=BRIDGE_QUESTION, api_name="/ask")
    return {c["doc_id"] for c in answer["citations"]}


def wait_for(check, timeout: float = FOLLOW_S) -> float:
    """Seconds until check() is true; fails after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not seen within {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started

class Asking:
    def __init__(self):
        self.answers = 0
        self.errors: list[BaseException] = []


@contextlib.contextmanager
def others_asking(urls: list[str]) -> Iterator[Asking]:
    """A client per URL asking all along, until the block ends (or a deadline); counts answers and errors."""
    asking = Asking()
    stop = threading.Event()

    def keep_asking(url: str) -> None:
        client = Client(url, verbose=False)
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                client.predict(question="Сколько жилых домов подтоплено в Оренбургской области?", api_name="/ask")
                asking.answers += 1
            except Exception as exc:  # noqa: BLE001 (every failure is reported by the test)
                asking.errors.append(exc)

    threads = [threading.Thread(target=keep_asking, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    try:
        yield asking
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)



@pytest.fixture
def built_index(open_assistant, small_chunks, tmp_path):
    """The fixture corpus indexed by this process, closed again so that subprocesses own it."""
    index = tmp_path / "index"
    assistant = open_assistant(index, settings=small_chunks)
    assistant.ingest([copy_corpus(tmp_path / "corpus")])
    assistant.close()
    bridge = tmp_path / "new" / BRIDGE_FILE
    bridge.parent.mkdir()
    bridge.write_text(BRIDGE_TEXT, encoding="utf-8")
    return index, bridge


def test_server_follows_ingest_and_remove_by_another_process_while_clients_ask(built_index, tmp_path,
                                                                            tmp_path_factory):
    index, bridge = built_index
    cache = cache_dir_for(tmp_path_factory)
    env = server_env(cache, tmp_path)
    server = Server(tmp_path / "web", cache, index_dir=index, ingest=False).start()
    try:
        with server.report_on_failure():
            server.wait_ready(90)
            client = Client(server.url, verbose=False)
            assert BRIDGE_DOC not in cited(client)
            with others_asking([server.url] * 3) as others:
                added = rag("ingest", "--index", str(index), str(bridge), env=env)
                assert added.returncode == 0, added.stderr
                assert "added: 1" in added.stdout
                seen_in = wait_for(lambda: BRIDGE_DOC in cited(client))

                removed = rag("remove", "--index", str(index), BRIDGE_DOC, env=env)
                assert removed.returncode == 0, removed.stderr
                gone_in = wait_for(lambda: BRIDGE_DOC not in cited(client))
            assert not others.errors, others.errors[:3]
            assert others.answers > 0
            print(f"added release cited after {seen_in:.2f} s, removed one gone after {gone_in:.2f} s, "
                  f"{others.answers} answers to the other clients meanwhile")
    finally:
        server.close()


def test_ingest_waits_for_another_writer_then_succeeds(built_index, tmp_path, tmp_path_factory):
    index, bridge = built_index
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path)
    lock = WriterLock(FileLock(index / "writer.lock"), wait_s=60)
    err_path = tmp_path / "ingest.stderr"
    with lock.hold(), err_path.open("w") as err_file:  # this test process is the other writer
        waiting = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", "--index", str(index), str(bridge)],
                                   env=env, stdout=subprocess.PIPE, stderr=err_file, text=True)
        wait_for(lambda: "index busy" in err_path.read_text(encoding="utf-8"), timeout=60)
        time.sleep(1)
        assert waiting.poll() is None, "it waits while the lock is held"
    out, _ = waiting.communicate(timeout=60)
    err = err_path.read_text(encoding="utf-8")
    assert waiting.returncode == 0, err
    assert "waiting…" in err and f"pid {os.getpid()}" in err
    assert "added: 1" in out


def test_concurrent_ingests_into_one_index_neither_fail_nor_duplicate(open_assistant, small_chunks, tmp_path,
                                                                   tmp_path_factory):
    corpus = copy_corpus(tmp_path / "corpus")
    bridge = tmp_path / "new" / BRIDGE_FILE
    bridge.parent.mkdir()
    bridge.write_text(BRIDGE_TEXT, encoding="utf-8")
    index = tmp_path / "index"
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path)
    command = [sys.executable, "-m", "rag.cli", "ingest", "--index", str(index)]
    runs = [subprocess.Popen(command + [str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for path in (corpus, bridge, corpus)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in results]
    assistant = open_assistant(index, settings=small_chunks)
    assert sorted(d["doc_id"] for d in assistant.documents()) == sorted([*EXPECTED, BRIDGE_DOC])
    assert_consistent(assistant)


def test_two_servers_on_one_chroma_server_see_each_others_releases(open_assistant, settings, tmp_path,
                                                                  tmp_path_factory, chroma_port):  # noqa: F811
    """Same host: both servers read one index folder (manifest, lexical index, writer lock) and one Chroma server."""
    remote = {"RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(chroma_port), "RAG_CHROMA_COLLECTION": "two_servers"}
    index = tmp_path / "index"
    first = open_assistant(index, settings=settings.model_copy(update={
        "chroma_host": "127.0.0.1", "chroma_port": chroma_port, "chroma_collection": "two_servers"}))
    first.ingest([copy_corpus(tmp_path / "corpus")])
    first.close()
    cache = cache_dir_for(tmp_path_factory)
    servers = [Server(tmp_path / name, cache, index_dir=index, ingest=False, **remote).start() for name in ("a", "b")]
    try:
        for server in servers:
            with server.report_on_failure():
                server.wait_ready(120)
        bridge = tmp_path / BRIDGE_FILE
        bridge.write_text(BRIDGE_TEXT, encoding="utf-8")
        one, other = (Client(s.url, verbose=False) for s in servers)
        assert BRIDGE_DOC not in cited(other)
        rows = one.predict([handle_file(str(bridge))], "", api_name="/ingest")
        assert BRIDGE_DOC in str(rows)
        wait_for(lambda: BRIDGE_DOC in cited(other))
    finally:
        for server in servers:
            server.close()


def test_embedded_chroma_needs_a_fresh_view_for_another_processs_vectors(open_assistant, small_chunks, built_index,
                                                                         tmp_path, tmp_path_factory):
    """What `VectorStore.reopen` is for: the raw client misses the vectors; the index's refresh finds them."""
    index, bridge = built_index
    reader = open_assistant(index, settings=small_chunks)
    vector = reader.embedder.embed_one(BRIDGE_QUESTION)
    before = reader.index.vectors.collection.count()
    added = rag("ingest", "--index", str(index), str(bridge), env=server_env(cache_dir_for(tmp_path_factory), tmp_path))
    assert added.returncode == 0, added.stderr
    stale = reader.index.vectors.collection.query(query_embeddings=[vector], n_results=before + 10, include=[])
    assert not any(i.startswith(BRIDGE_DOC) for i in stale["ids"][0])
    assert reader.index.refresh()
    assert reader.index.dense_search(vector, 3)[0][0].startswith(BRIDGE_DOC)
    assert reader.ask(BRIDGE_QUESTION).citations[0]["doc_id"] == BRIDGE_DOC
    assert_consistent(reader)
