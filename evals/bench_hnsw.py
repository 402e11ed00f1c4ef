"""Chroma's HNSW graph as the store builds it (`rag.store.vectors.HNSW`) beside Chroma's default, measured in
the same run on the same vectors: build time, query time, how often a top-k list misses a true neighbour
(against exact cosine search), and how often two builds of the same vectors give different lists.

    python evals/bench_hnsw.py [--index DIR] [--synthetic 85000] [--queries 300] [--k 30] [--out FILE]

`--index` takes the vectors of a built index (an eval index: `$RAG_CACHE_DIR/eval-indexes/<key>/ours`);
without it, clustered random vectors of the embedding's dimension stand in for a corpus of that many passages.
Queries are stored vectors with a little noise, so that each has a true nearest neighbour.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.store.vectors import HNSW, MAX_BATCH  # noqa: E402

DEFAULT = {"space": "cosine"}
DIMENSION = 300
CLUSTERS = 300


def stored_vectors(index: Path) -> np.ndarray:
    client = chromadb.PersistentClient(path=str(index / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(client.list_collections()[0].name)
    return np.array(collection.get(include=["embeddings"], limit=10**7)["embeddings"], dtype=np.float32)


def synthetic_vectors(count: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(CLUSTERS, DIMENSION))
    vectors = centres[rng.integers(0, CLUSTERS, count)] + 0.6 * rng.normal(size=(count, DIMENSION))
    return vectors.astype(np.float32)


def build(folder: Path, configuration: dict, ids: list[str], vectors: np.ndarray):
    client = chromadb.PersistentClient(path=str(folder), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("bench", configuration={"hnsw": configuration}, embedding_function=None)
    started = time.perf_counter()
    for start in range(0, len(ids), MAX_BATCH):
        collection.upsert(ids=ids[start : start + MAX_BATCH], embeddings=vectors[start : start + MAX_BATCH])
    return collection, time.perf_counter() - started


def search(collection, queries: np.ndarray, k: int) -> tuple[list[list[str]], float]:
    collection.query(query_embeddings=queries[:5], n_results=k, include=[])  # warm
    found, started = [], time.perf_counter()
    for query in queries:
        found.append(collection.query(query_embeddings=[query], n_results=k, include=[])["ids"][0])
    return found, (time.perf_counter() - started) / len(queries) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--synthetic", type=int, default=85_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    vectors = stored_vectors(args.index) if args.index else synthetic_vectors(args.synthetic, rng)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"p{i}" for i in range(len(vectors))]
    queries = vectors[rng.choice(len(vectors), args.queries, replace=False)]
    queries = queries + rng.normal(0, 0.03, queries.shape).astype(np.float32)
    exact = [{ids[j] for j in np.argsort(-(vectors @ q))[: args.k]} for q in queries]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, configuration in (("Chroma default", DEFAULT), ("ours", HNSW)):
            runs = []
            for run in range(2):
                collection, build_s = build(Path(tmp) / f"{name}-{run}", configuration, ids, vectors)
                found, query_ms = search(collection, queries, args.k)
                runs.append((found, build_s, query_ms))
            (first, build_s, query_ms), (second, build_2, query_2) = runs
            rows[name] = {"build_s": (build_s + build_2) / 2, "query_ms": (query_ms + query_2) / 2,
                          "missed": sum(set(f) != e for f, e in zip(first, exact)) / len(queries),
                          "builds_differ": sum(a != b for a, b in zip(first, second)) / len(queries)}
    base = rows["Chroma default"]
    lines = [f"# HNSW graph: {len(vectors)} vectors ({'index ' + str(args.index) if args.index else 'synthetic'}), "
             f"{args.queries} queries, top {args.k}",
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
             f"chromadb {chromadb.__version__}", "",
             "| graph | build s (× default) | query ms (× default) | lists missing a true neighbour | lists differing between two builds |",
             "|---|---|---|---|---|"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['build_s']:.1f} ({row['build_s'] / base['build_s']:.2f}×) | "
                     f"{row['query_ms']:.2f} ({row['query_ms'] / base['query_ms']:.2f}×) | {row['missed']:.1%} | "
                     f"{row['builds_differ']:.1%} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
