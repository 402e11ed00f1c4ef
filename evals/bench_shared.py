"""Following a shared store: what a host pays when another host wrote, with the manifest on PostgreSQL and on SQLite.

    python evals/bench_shared.py [--scale press+news] [--index DIR] [--repeat 3] [--out evals/results/shared]

Builds an embedded index of the shared press releases (the scales of `rag bench`; --index reuses one), starts
a throwaway PostgreSQL cluster (tests/postgres_support.py), copies the manifest's rows into it, and times on
both: reading the generation (what every question does first), reading every passage's row, and rebuilding
the lexical index from them (what a host does when another one wrote), beside loading the lexical index that
the writer saved (what a process on the writer's own host does). Results: shared.md and shared.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.assistant import Assistant  # noqa: E402
from rag.evaluation.bench import SCALES, SHARED  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store.lexical import LexicalIndex  # noqa: E402
from rag.store.manifest import Manifest  # noqa: E402
from tests.postgres_support import Cluster, postgres_program  # noqa: E402

COPIED = {"documents": 12, "chunks": 7, "signatures": 2}  # the tables the lexical index is built from, and their widths
GENERATION_READS = 1000


def _copy(local: Manifest, remote: Manifest) -> float:
    started = time.perf_counter()
    for table, width in COPIED.items():
        rows = local.db.execute(f"SELECT * FROM {table}").fetchall()
        with remote.db:
            remote.db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * width)})", rows)
    remote.set_meta(generation=local.generation)
    return time.perf_counter() - started


def _median_s(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure(manifest: Manifest, repeat: int) -> dict:
    started = time.perf_counter()
    for _ in range(GENERATION_READS):
        manifest.generation
    return {
        "generation_read_ms": (time.perf_counter() - started) * 1000 / GENERATION_READS,
        "read_rows_s": _median_s(lambda: list(manifest.all_chunk_rows()), repeat),
        "rebuild_lexical_s": _median_s(lambda: LexicalIndex.build(manifest.all_chunk_rows(), manifest.generation),
                                       repeat),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="press+news")
    parser.add_argument("--index", type=Path, help="an embedded index of that scale to reuse (built when missing)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "shared")
    args = parser.parse_args()
    initdb, postgres = postgres_program("initdb"), postgres_program("postgres")
    if initdb is None or postgres is None:
        sys.exit("needs PostgreSQL (apt-get install postgresql)")
    index = args.index or Path(tempfile.mkdtemp(prefix="rag-bench-shared-")) / "index"
    if not (index / "manifest.sqlite").exists():
        with Assistant(settings=Settings(), index_dir=index) as assistant:
            assistant.ingest([SHARED / name for name in SCALES[args.scale]])
    cluster = Cluster(initdb, postgres)
    cluster.start()
    try:
        local = Manifest(index / "manifest.sqlite")
        remote = Manifest(index / "unused", cluster.url)
        copy_s = _copy(local, remote)
        results = {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "scale": args.scale,
            "load_average": os.getloadavg(), "cpus": os.cpu_count(),
            "chunks": sum(1 for _ in local.all_chunk_rows()), "copy_s": copy_s,
            "sqlite": _measure(local, args.repeat), "postgres": _measure(remote, args.repeat),
            "load_saved_lexical_s": _median_s(lambda: LexicalIndex.load(index / "lexical"), args.repeat),
        }
        local.close()
        remote.close()
    finally:
        cluster.stop()
        shutil.rmtree(cluster.data, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(_markdown(results), encoding="utf-8")
    print(_markdown(results))
    return 0


def _markdown(r: dict) -> str:
    lite, pg = r["sqlite"], r["postgres"]
    return "\n".join([
        f"# Following a shared store, {r['when']}", "",
        f"Scale {r['scale']}: {r['chunks']} passages; PostgreSQL on loopback (a throwaway cluster), SQLite in WAL "
        f"mode. Medians of the repeats. Load average {r['load_average'][0]:.1f} on {r['cpus']} CPUs at the start: "
        "other jobs shared the machine when it is over the CPUs, so compare the two columns, not runs.", "",
        "| measure | SQLite (one host) | PostgreSQL (several hosts) |", "|---|---|---|",
        f"| generation read before each question | {lite['generation_read_ms']:.3f} ms | {pg['generation_read_ms']:.3f} ms |",
        f"| every passage's row read | {lite['read_rows_s']:.2f} s | {pg['read_rows_s']:.2f} s |",
        f"| lexical index rebuilt from the manifest | {lite['rebuild_lexical_s']:.2f} s | {pg['rebuild_lexical_s']:.2f} s |",
        f"| saved lexical index loaded (the writer's host) | {r['load_saved_lexical_s']:.2f} s | |", "",
        f"Copying the rows into PostgreSQL took {r['copy_s']:.1f} s.", "",
    ])


if __name__ == "__main__":
    sys.exit(main())
