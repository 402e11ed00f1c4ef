"""`rag bench`: ingest and query speed of ours at two corpus scales, beside ceilings measured in the same run
(the embedding model alone, raw Chroma add and query with precomputed vectors) and the naive LangChain pipeline.

Every measurement (ours, the ceilings, naive) runs in its own spawned process: its peak RSS then belongs to
that pipeline at that scale alone, and no model or cache loaded by one flatters the next. Machines are shared,
so only the ratios between numbers of one run mean much.

    python -m rag.evaluation.bench [--scale press|press+news ...] [--out DIR] [--questions N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import queue
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

import rag
from rag.assistant import Assistant
from rag.embeddings import Embedder, builtin_model_path
from rag.evaluation.command import documents
from rag.evaluation.naive import NaivePipeline
from rag.ingest import BATCH_CHUNKS
from rag.query import build_query
from rag.settings import BUILTIN_EMBEDDING, Settings
from rag.store.manifest import Manifest
from rag.store.vectors import MAX_BATCH, date_number

PROJECT = Path(rag.__file__).parents[1]
SHARED = PROJECT.parent / "shared/data/press"
PRESS = ["kremlin_ru_2025.jsonl", "cbr_keyrate.jsonl", "kremlin_mid_archive.jsonl"]
SCALES = {"press": PRESS, "press+news": PRESS + ["general_news/1tv_ru_leads.jsonl"]}
WARMUP = 5
NAIVE_BUDGET_S = 600
NAIVE_SUBSET_DOCS = 20_000
# Explicit date and source filters: the filtered search path, which the dev questions never take.
FILTERED = [
    ("Какое решение по ключевой ставке принял Банк России?", {"date_from": "2023-01-01", "date_to": "2023-12-31"}),
    ("О чём говорил Президент на совещании с членами Правительства?", {"date_from": "2025-03-01"}),
    ("Что сообщалось 14 февраля 2025 года о переговорах?", {}),
    ("Что Банк России решил весной 2022 года?", {"sources": ["Банк России (cbr.ru)"]}),
]


def bench(out: Path, scales: list[str], questions: int = 200) -> int:
    if unknown := [s for s in scales if s not in SCALES]:
        print(f"unknown scale(s) {', '.join(unknown)}; known: {', '.join(SCALES)}", file=sys.stderr)
        return 2
    missing = [str(SHARED / f) for s in scales for f in SCALES[s] if not (SHARED / f).exists()]
    if missing:
        print(f"the benchmark needs the shared data in {SHARED}; missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    results = {"meta": _machine(questions), "scales": {}}
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="rag-bench-") as work:
            results["scales"][scale] = _scale([SHARED / f for f in SCALES[scale]], Path(work), questions)
        rows = _rows(results["scales"][scale])
        width = max(len(name) for name, _ in rows)
        print(f"\n== {scale} ({', '.join(SCALES[scale])})", *(f"{n:<{width}}  {v}" for n, v in rows), sep="\n")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(_markdown(results), encoding="utf-8")
    print(f"\nsaved {out / 'bench.json'} and {out / 'bench.md'}", file=sys.stderr)
    return 0


def _scale(paths: list[Path], work: Path, questions: int) -> dict:
    asked = _questions(questions)
    ours = _isolated(_ingest, paths, work / "ours")
    ours["ask"] = _isolated(_ask, work / "ours", asked)
    ceiling = _isolated(_ceilings, work / "ours", work / "raw", [q for q, _ in asked])
    naive = _isolated(_naive, paths, work / "naive", [q for q, _ in asked], None, timeout=NAIVE_BUDGET_S)
    if naive is None:
        naive = _isolated(_naive, paths, work / "naive-subset", [q for q, _ in asked], NAIVE_SUBSET_DOCS)
        naive["note"] = (f"ingest and questions on the full corpus took over {NAIVE_BUDGET_S} s; measured on the first "
                         f"{NAIVE_SUBSET_DOCS} documents")
    combined = 1 / (1 / ceiling["embed_per_s"] + 1 / ceiling["add_per_s"])
    rate = ours["chunks_per_s"]
    # CPU seconds shift less than wall time when other jobs take the cores during one measurement only.
    ratios = {"ours_vs_embed_plus_add": rate / combined, "ours_vs_raw_add": rate / ceiling["add_per_s"],
              "ours_vs_embed_plus_add_cpu": (ceiling["embed_cpu_s"] + ceiling["add_cpu_s"]) / ours["ingest_cpu_s"],
              "ours_vs_naive_docs_per_s": ours["docs_per_s"] / naive["docs_per_s"],
              "naive_vs_ours_query_p95": naive["query_ms"]["p95"] / ours["ask"]["total_ms"]["p95"]}
    ceiling["embed_plus_add_per_s"] = combined
    return {"files": [str(p.relative_to(SHARED)) for p in paths], "ours": ours, "ceiling": ceiling,
            "naive": naive, "ratios": ratios}


def _isolated(target, *args, timeout: float | None = None) -> dict | None:
    """Runs target(*args) in a fresh interpreter; None when it outlives `timeout` seconds."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_child, args=(results, target, args))
    process.start()
    deadline = time.monotonic() + timeout if timeout else float("inf")
    # Read before join (a child cannot exit until its queued result is consumed), and keep checking that the
    # child lives: one killed by the kernel (out of memory) never answers.
    while True:
        try:
            status, result = results.get(timeout=5)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"{target.__name__} died with exit code {process.exitcode}") from None
            if time.monotonic() > deadline:
                process.kill()
                process.join()
                return None
    process.join()
    if status == "failed":
        raise RuntimeError(f"{target.__name__} failed:\n{result}")
    return result


def _child(results, target, args) -> None:
    try:
        result = target(*args)
        # The peak of this process alone; kilobytes on Linux.
        results.put(("ok", {**result, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    except BaseException:
        results.put(("failed", traceback.format_exc()))


def _ingest(paths: list[Path], index_dir: Path) -> dict:
    with Assistant(settings=Settings(), index_dir=index_dir) as assistant:
        started, cpu = time.perf_counter(), time.process_time()
        summary = assistant.ingest(paths)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        chunks = assistant.stats()["chunks"]
    docs = len(summary.added)
    return {"docs": docs, "chunks": chunks, "ingest_s": seconds, "ingest_cpu_s": cpu, "docs_per_s": docs / seconds,
            "chunks_per_s": chunks / seconds, "index_mb": _du_mb(index_dir)}


def _ask(index_dir: Path, asked: list[tuple[str, dict]]) -> dict:
    """As a fresh `rag ask` or web chat process would: open the built index, then answer."""
    started = time.perf_counter()
    with Assistant.open(index_dir, settings=Settings()) as assistant:
        opened = time.perf_counter() - started
        for question, filters in asked[:WARMUP]:
            assistant.ask(question, **filters)
        timings = [assistant.ask(question, **filters).timings_ms for question, filters in asked]
    # A date read from the question, or a filter, adds a second, filtered search.
    dated = [bool(filters) or build_query(question, []).dates is not None for question, filters in asked]
    return {"open_s": opened, "questions": len(asked), "dated_questions": sum(dated),
            **{f"{part}_ms": _percentiles([t[part] for t in timings]) for part in ("total", "retrieval", "answer")},
            "plain_total_ms": _percentiles([t["total"] for t, d in zip(timings, dated) if not d]),
            "dated_total_ms": _percentiles([t["total"] for t, d in zip(timings, dated) if d])}


def _ceilings(index_dir: Path, raw_dir: Path, questions: list[str]) -> dict:
    """The same chunk texts (read back from our manifest) through the embedder alone, then their vectors
    through Chroma with nothing of ours around it."""
    settings = Settings()
    manifest = Manifest(index_dir / "manifest.sqlite")
    rows = manifest.chunk_texts_for(manifest.all_doc_ids())
    manifest.close()
    embedder = Embedder(settings)
    started, cpu = time.perf_counter(), time.process_time()
    vectors = np.vstack([embedder.embed([r[2] for r in rows[i : i + BATCH_CHUNKS]])
                         for i in range(0, len(rows), BATCH_CHUNKS)])
    embed_s, embed_cpu = time.perf_counter() - started, time.process_time() - cpu

    client = chromadb.PersistentClient(path=str(raw_dir), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("raw", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(rows), MAX_BATCH):
        part = rows[i : i + MAX_BATCH]
        collection.add(ids=[r[0] for r in part], embeddings=vectors[i : i + MAX_BATCH],
                       metadatas=[{"doc_id": r[1], "date": date_number(r[3]), "source": r[4]} for r in part])
    add_s, add_cpu = time.perf_counter() - started, time.process_time() - cpu

    latencies = _timed(lambda vector: collection.query(query_embeddings=[vector], n_results=settings.candidates,
                                                       include=["distances"]), list(embedder.embed(questions)))
    return {"chunks": len(rows), "embed_s": embed_s, "embed_cpu_s": embed_cpu, "embed_per_s": len(rows) / embed_s,
            "add_s": add_s, "add_cpu_s": add_cpu, "add_per_s": len(rows) / add_s, "query_ms": _percentiles(latencies),
            "index_mb": _du_mb(raw_dir)}


def _naive(paths: list[Path], persist_dir: Path, questions: list[str], limit: int | None) -> dict:
    settings = Settings()
    model = settings.embedding_model
    docs = documents(paths, int(settings.max_file_mb * 2**20))[:limit]
    pipeline = NaivePipeline(str(builtin_model_path(settings.cache_dir)) if model == BUILTIN_EMBEDDING else model,
                             persist_dir)
    started = time.perf_counter()
    chunks = pipeline.ingest(docs)
    seconds = time.perf_counter() - started
    latencies = _timed(pipeline.ask, questions)
    return {"docs": len(docs), "chunks": chunks, "ingest_s": seconds, "docs_per_s": len(docs) / seconds,
            "chunks_per_s": chunks / seconds, "index_mb": _du_mb(persist_dir), "query_ms": _percentiles(latencies)}


def _questions(count: int) -> list[tuple[str, dict]]:
    """The dev questions and the filtered ones, cycled to `count`."""
    lines = (PROJECT / "evals/dev.jsonl").read_text(encoding="utf-8").splitlines()
    pool = [(json.loads(line)["question"], {}) for line in lines if line.strip()] + FILTERED
    return [pool[i % len(pool)] for i in range(count)]


def _timed(call, items: list) -> list[float]:
    """Milliseconds of call(item) for every item, after WARMUP untimed calls."""
    for item in items[:WARMUP]:
        call(item)
    latencies = []
    for item in items:
        started = time.perf_counter()
        call(item)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _percentiles(values: list[float]) -> dict:
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)), "max": max(values)}


def _du_mb(folder: Path) -> float:  # allocated size, as `du` counts it
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file()) / 2**20


def _machine(questions: int) -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    # Others edit the code while benchmarks run: name the commit and whether the tree differed from it.
    git = ["git", "-C", str(PROJECT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
            "commit": commit + ("+changes" if changed.stdout.strip() else ""),
            "ram_gb": round(memory, 1), "python": platform.python_version(), "chromadb": chromadb.__version__,
            "questions": questions, "warmup": WARMUP}


def _rows(r: dict) -> list[tuple[str, str]]:
    ours, ask, ceiling, naive, ratios = r["ours"], r["ours"]["ask"], r["ceiling"], r["naive"], r["ratios"]
    ms = lambda p: f"{p['p50']:.1f} / {p['p95']:.1f}"  # noqa: E731
    return [
        ("documents / chunks (ours)", f"{ours['docs']} / {ours['chunks']}"),
        ("ours ingest", f"{ours['ingest_s']:.1f} s, {ours['docs_per_s']:.0f} docs/s, "
                        f"{ours['chunks_per_s']:.0f} chunks/s"),
        ("ours index on disk / open", f"{ours['index_mb']:.0f} MB / {ask['open_s']:.2f} s"),
        ("ours peak RSS ingest / ask", f"{ours['peak_rss_mb']:.0f} / {ask['peak_rss_mb']:.0f} MB (aim ≤ 1536)"),
        ("ceiling: embedding alone", f"{ceiling['embed_per_s']:.0f} texts/s"),
        ("ceiling: raw Chroma add", f"{ceiling['add_per_s']:.0f} vectors/s"),
        ("ceiling: embedding + add", f"{ceiling['embed_plus_add_per_s']:.0f} chunks/s"),
        ("ceiling: raw Chroma query p50 / p95", f"{ms(ceiling['query_ms'])} ms"),
        ("ours ask total p50 / p95", f"{ms(ask['total_ms'])} ms (aim p95 ≤ 100)"),
        ("  retrieval; answer", f"{ms(ask['retrieval_ms'])} ms; {ms(ask['answer_ms'])} ms"),
        (f"  plain; dated or filtered ({ask['dated_questions']})",
         f"{ms(ask['plain_total_ms'])} ms; {ms(ask['dated_total_ms'])} ms"),
        ("naive ingest", f"{naive['docs']} docs, {naive['chunks']} chunks, {naive['ingest_s']:.1f} s, "
                         f"{naive['docs_per_s']:.0f} docs/s, {naive['chunks_per_s']:.0f} chunks/s"),
        ("naive ask p50 / p95", f"{ms(naive['query_ms'])} ms"),
        ("naive peak RSS / index on disk", f"{naive['peak_rss_mb']:.0f} MB / {naive['index_mb']:.0f} MB"),
        ("ours ÷ (embedding + raw add)", f"{ratios['ours_vs_embed_plus_add']:.0%} (aim ≥ 60%)"),
        ("same, by CPU seconds", f"{ratios['ours_vs_embed_plus_add_cpu']:.0%} ({ours['ingest_cpu_s']:.1f} s vs "
                                 f"{ceiling['embed_cpu_s']:.1f} + {ceiling['add_cpu_s']:.1f} s)"),
        ("ours ÷ raw Chroma add", f"{ratios['ours_vs_raw_add']:.0%}"),
        ("ours ÷ naive ingest (docs/s)", f"{ratios['ours_vs_naive_docs_per_s']:.2f}×"),
        ("naive ÷ ours ask p95", f"{ratios['naive_vs_ours_query_p95']:.2f}×"),
    ] + ([("note", naive["note"])] if "note" in naive else [])


def _markdown(results: dict) -> str:
    meta = results["meta"]
    lines = [f"# rag bench, {meta['date']}", "",
             f"Machine: {meta['nproc']} CPUs, {meta['ram_gb']} GB RAM; Python {meta['python']}, chromadb "
             f"{meta['chromadb']}; commit {meta['commit']}. {meta['questions']} questions after {meta['warmup']} "
             "warm-up ones. Other jobs may have shared the machine: compare ratios within a run."]
    for scale, result in results["scales"].items():
        lines += ["", f"## {scale}: {', '.join(result['files'])}", "", "| measure | value |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in _rows(result)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.evaluation.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="append", choices=list(SCALES), help="repeatable; default: both")
    parser.add_argument("--out", type=Path, default=PROJECT / "evals/results")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args(argv)
    return bench(args.out, args.scale or list(SCALES), args.questions)


if __name__ == "__main__":
    sys.exit(main())
