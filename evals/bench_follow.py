"""What a question on one host waits while that host follows another host's write, on a shared store at scale.

    python evals/bench_follow.py [--index DIR] [--baseline TREE] [--repeat 2] [--out evals/results/follow]

The store is shared as between hosts: the manifest of an embedded index of the press+news scale (`rag bench`;
--index reuses one, built when missing) copied into a throwaway PostgreSQL cluster (tests/postgres_support.py),
its vectors into a `chroma run` server. A real `rag serve` with an index folder of its own answers one user in a
closed loop over REST (`POST /api/ask`, a question about the release added), while another "host" runs
`rag ingest` of one release, then `rag remove` of it (this tree's CLI for both). Per write: the slowest answer
from the write's start until FOLLOW_S after it returned (the stall), the median answer before it, and when
the release was first cited after the ingest returned or last cited after the removal returned (an answer
that began after `rag remove` returned and cites it is counted as a violation). --baseline TREE (a checkout of
an earlier commit, e.g. `git worktree add`) runs its `rag serve` the same way, alternating with this tree's.
Results: follow.md and follow.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chromadb  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402

from evals.bench_shared import _copy  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.evaluation.bench import SCALES, SHARED  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store.manifest import Manifest  # noqa: E402
from tests.postgres_support import Cluster, postgres_program  # noqa: E402
from tests.servers import free_port, serving  # noqa: E402
from tests.web_support import BRIDGE_DOC, BRIDGE_FILE, BRIDGE_QUESTION, BRIDGE_TEXT, server_env  # noqa: E402

FOLLOW_S = 20.0  # how long after a write returned its answers are watched
STEADY_S = 4.0
COPY_BATCH = 5000


def _copy_vectors(index: Path, port: int) -> None:
    name = Settings().chroma_collection
    local = chromadb.PersistentClient(path=str(index / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    source = local.get_collection(name)
    remote = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    target = remote.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}},
                                             metadata=source.metadata, embedding_function=None)
    for offset in range(0, source.count(), COPY_BATCH):
        part = source.get(include=["embeddings", "metadatas"], limit=COPY_BATCH, offset=offset)
        target.add(ids=part["ids"], embeddings=part["embeddings"], metadatas=part["metadatas"])


class Asker:
    """One user asking the server over and over: (began, seconds, cited doc ids) of each answer."""

    def __init__(self, url: str):
        self.url, self.answers, self.errors = url, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        body = json.dumps({"question": BRIDGE_QUESTION, "history": [], "mode": "extractive"}).encode()
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                request = urllib.request.Request(f"{self.url}api/ask", body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=120) as response:
                    answer = json.loads(response.read())
                self.answers.append((began, time.monotonic() - began, {c["doc_id"] for c in answer["citations"]}))
            except Exception as exc:  # noqa: BLE001 (counted and shown)
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=150)


def _write(command: list[str], env: dict, asker: Asker, cited_after: bool) -> dict:
    """Runs one write on the other host and watches the answers around it."""
    steady = [seconds for began, seconds, _ in asker.answers[-50:]]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    returned = time.monotonic()
    time.sleep(FOLLOW_S)
    around = [(began, seconds, cited) for began, seconds, cited in asker.answers if began + seconds >= started]
    after = [(began, cited) for began, _, cited in around if began >= returned]
    has = [BRIDGE_DOC in cited for _, cited in after]
    if cited_after:
        followed = next((began - returned for began, cited in after if BRIDGE_DOC in cited), None)
    else:
        followed = max((began - returned for began, cited in after if BRIDGE_DOC in cited), default=0.0)
    return {"said": done.stdout.strip()[-200:], "write_s": round(returned - started, 2), "steady_p50_ms": round(statistics.median(steady) * 1000, 1),
            "stall_ms": round(max(seconds for _, seconds, _ in around) * 1000, 1), "answers": len(around),
            "followed_s": None if followed is None else round(followed, 2),
            "violations": 0 if cited_after else sum(has)}


def _run_tree(tree: Path, work: Path, env: dict, bridge: Path) -> dict:
    port = free_port()
    host = Path(tempfile.mkdtemp(prefix="host-", dir=work))
    # Exactly this environment (`serving` passes none), and -P: the tree's code alone (`-m` would put the working
    # folder first on sys.path).
    command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), f"PYTHONPATH={tree}", sys.executable, "-P", "-m",
               "rag.cli", "serve", "--index", str(host / "index"), "--port", str(port)]
    cli = ["env", f"PYTHONPATH={ROOT}", sys.executable, "-P", "-m", "rag.cli"]
    writer = str(work / "writer-host")
    with serving(command, f"http://127.0.0.1:{port}/api/health", host / "serve.log", timeout=600):
        asker = Asker(f"http://127.0.0.1:{port}/")
        try:
            time.sleep(STEADY_S)
            added = _write(cli + ["ingest", "--index", writer, str(bridge)], env, asker, cited_after=True)
            time.sleep(STEADY_S)
            removed = _write(cli + ["remove", "--index", writer, BRIDGE_DOC], env, asker, cited_after=False)
        finally:
            asker.stop()
    if asker.errors:
        raise RuntimeError(f"errors while asking: {asker.errors[:3]}")
    return {"tree": str(tree), "ingest": added, "remove": removed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an embedded index of press+news to reuse (built when missing)")
    parser.add_argument("--baseline", type=Path, help="a checkout of an earlier commit to measure beside this one")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "follow")
    args = parser.parse_args()
    initdb, postgres = postgres_program("initdb"), postgres_program("postgres")
    chroma = Path(sys.executable).with_name("chroma")
    if initdb is None or postgres is None or not chroma.exists():
        sys.exit("needs PostgreSQL (apt-get install postgresql) and the `chroma` command")
    index = args.index or Path(tempfile.mkdtemp(prefix="rag-bench-follow-")) / "index"
    if not (index / "manifest.sqlite").exists():
        with Assistant(settings=Settings(), index_dir=index) as assistant:
            assistant.ingest([SHARED / name for name in SCALES["press+news"]])
    work = Path(tempfile.mkdtemp(prefix="rag-bench-follow-work-"))
    bridge = work / BRIDGE_FILE
    bridge.write_text(BRIDGE_TEXT, encoding="utf-8")
    cluster = Cluster(initdb, postgres)
    cluster.start()
    chroma_port = free_port()
    trees = ([("baseline", args.baseline)] if args.baseline else []) + [("this", ROOT)]
    runs: dict[str, list] = {name: [] for name, _ in trees}
    load = [os.getloadavg()]
    try:
        with serving([str(chroma), "run", "--path", str(work / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
                     f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", work / "chroma.log"):
            local, remote = Manifest(index / "manifest.sqlite"), Manifest(work / "unused", cluster.url)
            _copy(local, remote)
            remote.set_meta(terms_version=local.get_meta("terms_version"))  # else the first writer retokenises
            chunks = sum(1 for _ in local.all_chunk_rows())
            local.close()
            remote.close()
            _copy_vectors(index, chroma_port)
            env = server_env(os.environ.get("RAG_CACHE_DIR") or Settings().cache_dir, work,
                             RAG_DATABASE_URL=cluster.url, RAG_CHROMA_HOST="127.0.0.1", RAG_CHROMA_PORT=str(chroma_port))
            for _ in range(args.repeat):
                for name, tree in trees:
                    runs[name].append(_run_tree(tree.resolve(), work, env, bridge))
                    load.append(os.getloadavg())
                    print(name, json.dumps(runs[name][-1]), flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.data, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "chunks": chunks,
               "cpus": os.cpu_count(), "load_average": load, "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(_markdown(results), encoding="utf-8")
    print(_markdown(results))
    return 0


def _median(runs: list[dict], write: str, field: str) -> str:
    values = [run[write][field] for run in runs if run[write][field] is not None]
    return f"{statistics.median(values):g}" if values else "never"


def _markdown(r: dict) -> str:
    loads = [round(one[0], 1) for one in r["load_average"]]
    lines = [f"# Following another host's write, {r['when']}", "",
             f"{r['chunks']} passages (press+news), manifest on PostgreSQL and vectors on a Chroma server, both on "
             f"loopback; one user asking `rag serve` over REST in a closed loop while another host's `rag ingest` "
             f"and `rag remove` of one release run; {len(next(iter(r['runs'].values())))} runs of each tree, "
             f"alternating; medians. {r['cpus']} CPUs, load average (1 min) at the start and after each run: "
             f"{', '.join(map(str, loads))}.", "",
             "| tree | write | steady answer p50 ms | slowest answer around the write ms (the stall) | "
             "cited / last cited s after the write returned | answers citing a removed release | write s |",
             "|---|---|---|---|---|---|---|"]
    for name, runs in r["runs"].items():
        for write in ("ingest", "remove"):
            lines.append(f"| {name} | {write} | {_median(runs, write, 'steady_p50_ms')} | "
                         f"{_median(runs, write, 'stall_ms')} | {_median(runs, write, 'followed_s')} | "
                         f"{sum(run[write]['violations'] for run in runs)} | {_median(runs, write, 'write_s')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
