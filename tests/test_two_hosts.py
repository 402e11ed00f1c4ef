"""Several hosts, one store, all real: a Chroma server and a PostgreSQL server (`RAG_DATABASE_URL`) shared by
processes that each have their own index folder, as servers on different machines would.

The manifest's SQL is checked against SQLite's by doing the same to both; then two `rag serve` processes follow
each other's writes, writers on two "hosts" wait for each other and never duplicate, and a writer killed by
SIGKILL on one host is completed by the next on another.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from pydantic import SecretStr

from conftest import EXPECTED, copy_corpus
from rag.store.lock import WriterLock
from rag.store.postgres import AdvisoryLock, Database
from rag.text import terms
from tests import synthetic_releases
from tests.ingest_support import assert_consistent, small_chunks  # noqa: F401 (fixture)
from tests.postgres_support import database_url, postgres_server  # noqa: F401 (fixtures)
from tests.test_chroma_server import chroma_port  # noqa: F401 (fixture)
from tests.test_two_processes import cited, others_asking, rag, wait_for
from tests.web_support import (BRIDGE_DOC, BRIDGE_FILE, BRIDGE_QUESTION, BRIDGE_TEXT, Server, cache_dir_for,
                               server_env)

UPDATED = "cbr-2023-07-21"


@pytest.fixture
def shared(database_url, chroma_port, request):  # noqa: F811
    """Environment and settings of one shared store: its own database and its own Chroma collection."""
    collection = "hosts_" + request.node.name[-40:].strip("_")
    return {"RAG_DATABASE_URL": database_url, "RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(chroma_port),
            "RAG_CHROMA_COLLECTION": collection}


def shared_settings(settings, shared: dict):
    return settings.model_copy(update={"database_url": SecretStr(shared["RAG_DATABASE_URL"]), "chroma_host": "127.0.0.1",
                                       "chroma_port": int(shared["RAG_CHROMA_PORT"]),
                                       "chroma_collection": shared["RAG_CHROMA_COLLECTION"]})


def bridge_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BRIDGE_FILE
    path.write_text(BRIDGE_TEXT, encoding="utf-8")
    return path


def only_cache_files(index: Path) -> None:
    """What a host keeps locally with a shared store: its lexical index, nothing that others must see."""
    assert not (index / "manifest.sqlite").exists() and not (index / "writer.lock").exists()
    assert not (index / "chroma").exists()


def snapshot(assistant) -> dict:
    """Everything the manifest answers, less the times it was written."""
    manifest = assistant.index.manifest
    ids = manifest.all_doc_ids()
    return {
        "documents": [{k: v for k, v in d.items() if k != "updated_at"} for d in manifest.documents()],
        "chunk_rows": [tuple(row) for row in manifest.all_chunk_rows()],
        "chunks": manifest.chunks(manifest.chunk_ids(ids)),
        "texts": [tuple(row) for row in manifest.chunk_texts_for(ids)],
        "terms": manifest.document_terms(ids),
        "history": {d: [(v["version"], v["chars"], v["current"]) for v in manifest.versions.history(d)] for d in ids},
        "first_versions": {d: manifest.versions.document(d, 1) for d in ids},
        "stored": manifest.stored_texts(ids),
        "hashes": {d: manifest.hashes(d) for d in ids},
        "feeds": [(f.url, f.source, f.result, f.validators) for f in manifest.feeds.all()],
        "pages": {url: manifest.feeds.page(url) for url in ("https://a.example/1", "https://a.example/2")},
        "generation": manifest.generation,
        "pending": manifest.pending(),
    }


def test_manifest_on_postgres_answers_as_on_sqlite(open_assistant, small_chunks, shared, tmp_path):
    from rag.store.feeds import Validators

    local = open_assistant(tmp_path / "sqlite", settings=small_chunks)
    remote = open_assistant(tmp_path / "host", settings=shared_settings(small_chunks, shared))
    corpus = copy_corpus(tmp_path / "corpus")
    edited = corpus / "updated.jsonl"
    for assistant in (local, remote):
        assistant.ingest([corpus])
        edited.write_text(json.dumps({"id": UPDATED, "title": "Ставка", "date": "2023-07-21", "source": "Банк России",
                                      "text": "Банк России повысил ключевую ставку до 8,50% годовых. Решение "
                                              "принято в связи с ростом инфляции."}, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        assistant.ingest([edited])
        edited.unlink()
        assistant.remove(["novosibirsk-school"])
        feeds = assistant.index.manifest.feeds
        feeds.add("https://b.example/rss", "Б")
        feeds.add("https://a.example/rss", "")
        feeds.add("https://b.example/rss", "Б2")
        feeds.synced("https://a.example/rss", "3 added", Validators('"e1"', "Mon, 01 Jan 2024", "h1"))
        feeds.save_pages([("https://a.example/1", UPDATED, Validators('"p1"')),
                          ("https://a.example/2", "novosibirsk-school", Validators())])
    assert remote.index.manifest.where.startswith("PostgreSQL 127.0.0.1:")
    assert len(remote.index.manifest.versions.history(UPDATED)) == 2
    assert snapshot(remote) == snapshot(local)
    assert assert_consistent(remote) == assert_consistent(local)
    question = "До какого уровня Банк России повысил ключевую ставку?"
    assert remote.ask(question).citations == local.ask(question).citations
    only_cache_files(tmp_path / "host")


def test_a_shared_manifest_needs_a_shared_chroma(open_assistant, settings, tmp_path):
    unused = SecretStr("postgresql://rag@127.0.0.1:9/refused before connecting")
    with pytest.raises(ValueError, match="RAG_CHROMA_HOST"):
        open_assistant(tmp_path / "host", settings=settings.model_copy(update={"database_url": unused}))


def test_two_servers_on_two_hosts_cite_what_the_other_ingested_and_forget_what_it_removed(
        open_assistant, settings, shared, tmp_path, tmp_path_factory):
    seeder = open_assistant(tmp_path / "seed-host", settings=shared_settings(settings, shared))
    seeder.ingest([copy_corpus(tmp_path / "corpus")])
    seeder.close()
    cache = cache_dir_for(tmp_path_factory)
    hosts = [tmp_path / "host-a", tmp_path / "host-b"]
    servers = [Server(host / "web", cache, index_dir=host / "index", ingest=False, **shared).start() for host in hosts]
    try:
        for server in servers:
            with server.report_on_failure():
                server.wait_ready(120)
        one, other = (Client(s.url, verbose=False) for s in servers)
        assert BRIDGE_DOC not in cited(one) and BRIDGE_DOC not in cited(other)
        with others_asking([s.url for s in servers]) as others:
            rows = one.predict([handle_file(str(bridge_file(tmp_path / "upload")))], "", api_name="/ingest")
            assert BRIDGE_DOC in str(rows)
            seen_in = wait_for(lambda: BRIDGE_DOC in cited(other))

            removed = rag("remove", "--index", str(hosts[1] / "index"), BRIDGE_DOC,
                          env=server_env(cache, tmp_path, **shared))
            assert removed.returncode == 0, removed.stderr
            gone_in = wait_for(lambda: BRIDGE_DOC not in cited(one))
        assert not others.errors, others.errors[:3]
        assert others.answers > 0
        for host in hosts:
            only_cache_files(host / "index")
        print(f"ingested on host a, cited on host b after {seen_in:.2f} s; removed on host b, gone from host a "
              f"after {gone_in:.2f} s")
    finally:
        for server in servers:
            server.close()


def test_while_a_host_builds_its_lexical_index_anew_it_cites_additions_and_never_a_removed_release(
        open_assistant, settings, shared, tmp_path, tmp_path_factory):
    """The window between noticing another host's writes and swapping in the lexical index built from them, held
    open: the lexical index is the one from before the writes, and questions are answered meanwhile."""
    host = open_assistant(tmp_path / "host-a", settings=shared_settings(settings, shared))
    host.ingest([copy_corpus(tmp_path / "corpus")])
    rate = "До какого уровня Банк России повысил ключевую ставку в июле 2023 года?"
    assert host.ask(rate).citations[0]["doc_id"] == UPDATED
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path, **shared)
    for command in (("ingest", str(bridge_file(tmp_path / "new"))), ("remove", UPDATED)):
        done = rag(command[0], "--index", str(tmp_path / "host-b"), command[1], env=env)
        assert done.returncode == 0, done.stderr
    swap = threading.Lock()  # what the thread building the new lexical index takes to swap it in
    with swap:
        assert host.index.stale()
        host.index.follow(swap)
        assert not host.index.stale(), "no question starts another build"
        assert host.index.lexical.generation < host.index.generation
        assert BRIDGE_DOC not in host.index.lexical.documents
        bridge = host.ask(BRIDGE_QUESTION)
        assert bridge.citations[0]["doc_id"] == BRIDGE_DOC, "found by its vectors, its words known from the manifest"
        for answer in (host.ask(rate), host.ask(rate, date_from="2023-07-01", date_to="2023-07-31"), bridge):
            assert UPDATED not in {c["doc_id"] for c in answer.citations} | {r["doc_id"] for r in answer.retrieved}
        assert UPDATED not in {p.doc_id for p in host.search("ключевая ставка Банк России", 20)}
        lexical = host.index.lexical  # the older index still holds the removed release, but never returns it
        assert UPDATED in lexical.documents
        assert not any(hit.startswith(UPDATED) for hit, _ in lexical.search(terms(rate), 50, lexical.filter_mask(
            None, None, None)) + host.index.dense_search(host.embedder.embed_one(rate), 50))
        assert UPDATED not in dict(lexical.search_documents(terms(rate), 50, lexical.filter_mask(None, None, None)))
    wait_for(lambda: host.index.lexical.generation == host.index.generation)
    assert BRIDGE_DOC in host.index.lexical.documents and UPDATED not in host.index.lexical.documents
    assert host.ask(BRIDGE_QUESTION).citations[0]["doc_id"] == BRIDGE_DOC
    assert_consistent(host)


def test_writers_on_several_hosts_wait_for_each_other_and_store_nothing_twice(open_assistant, small_chunks, shared,
                                                                             tmp_path, tmp_path_factory):
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path, **shared)
    corpus = copy_corpus(tmp_path / "corpus")
    bridge = bridge_file(tmp_path / "new")
    lock = WriterLock(AdvisoryLock(Database(shared["RAG_DATABASE_URL"])), wait_s=60)
    runs, errs = [], [tmp_path / f"ingest-{host}.stderr" for host in "abc"]
    with lock.hold():  # this test process is a writer on a fourth host
        for host, source, err in zip("abc", (corpus, bridge, corpus), errs):
            with err.open("w") as err_file:
                runs.append(subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", "--index",
                                              str(tmp_path / host), str(source)],
                                             env=env, stdout=subprocess.PIPE, stderr=err_file, text=True))
        wait_for(lambda: all("index busy" in err.read_text(encoding="utf-8") for err in errs), timeout=90)
        time.sleep(1)
        assert [run.poll() for run in runs] == [None, None, None], "they wait while the lock is held"
    outs = [run.communicate(timeout=120)[0] for run in runs]
    lock.claim.db.close()
    for run, err in zip(runs, errs):
        said = err.read_text(encoding="utf-8")
        assert run.returncode == 0, said
        assert f"index busy: pid {os.getpid()} on " in said and "is writing to PostgreSQL 127.0.0.1:" in said
    assert "added: 1" in outs[1]
    reader = open_assistant(tmp_path / "d", settings=shared_settings(small_chunks, shared))
    assert sorted(d["doc_id"] for d in reader.documents()) == sorted([*EXPECTED, BRIDGE_DOC])
    assert_consistent(reader)
    assert reader.ask("Какова длина нового моста через Ишим в Петропавловске?").citations[0]["doc_id"] == BRIDGE_DOC


def test_a_writer_killed_on_one_host_is_completed_by_the_next_on_another(open_assistant, settings, shared, tmp_path,
                                                                        tmp_path_factory):
    releases = 1000
    source = synthetic_releases.write(tmp_path / "releases.jsonl", releases)
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path, **shared)
    command = [sys.executable, "-m", "rag.cli", "ingest", "--json", "--index"]
    killed = subprocess.Popen(command + [str(tmp_path / "a"), str(source)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    watcher = Database(shared["RAG_DATABASE_URL"])
    deadline = time.monotonic() + 120
    # Killed in the middle of a write: documents marked pending, vectors and rows not all written.
    while killed.poll() is None and time.monotonic() < deadline:
        row = watcher.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone() if _has_meta(watcher) else None
        if row and row[0] != "[]":
            killed.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    _, err = killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL, f"finished before it could be killed: {err[-2000:]}"
    assert watcher.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()[0] != "[]"
    watcher.close()

    completed = subprocess.run(command + [str(tmp_path / "b"), str(source)], env=env, capture_output=True, text=True,
                               timeout=180)
    assert completed.returncode == 0, completed.stderr[-2000:]
    counts = json.loads(completed.stdout)
    assert counts["added"] + counts["unchanged"] == releases and counts["failed"] == 0
    reader = open_assistant(tmp_path / "c", settings=shared_settings(settings, shared))
    assert len(reader.documents()) == releases
    assert_consistent(reader)
    texts = [row[2] for row in reader.index.manifest.chunk_texts_for(reader.index.manifest.all_doc_ids())]
    assert len(set(texts)) == len(texts), "a chunk stored twice under two ids"
    answer = reader.ask(synthetic_releases.question(7))
    assert answer.citations and answer.citations[0]["doc_id"] == "synthetic-00007"


def _has_meta(db: Database) -> bool:
    return db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]


def test_a_host_goes_on_after_the_database_restarts_but_a_writer_that_lost_its_lock_stops(
        open_assistant, settings, shared, postgres_server, tmp_path):  # noqa: F811
    import psycopg

    host = open_assistant(tmp_path / "host", settings=shared_settings(settings, shared))
    host.ingest([copy_corpus(tmp_path / "corpus")])
    question = "До какого уровня Банк России повысил ключевую ставку в июле 2023 года?"
    assert host.ask(question).citations[0]["doc_id"] == UPDATED

    postgres_server.restart()
    assert host.ask(question).citations[0]["doc_id"] == UPDATED  # on a new session
    with host.index.writing():
        postgres_server.restart()  # the lock went with the session: this writer must not go on without it
        with pytest.raises(psycopg.OperationalError):
            host.index.manifest.set_pending(["any"])
    host.ingest([bridge_file(tmp_path / "new")])
    assert host.ask("Какова длина нового моста через Ишим в Петропавловске?").citations[0]["doc_id"] == BRIDGE_DOC
    assert_consistent(host)
