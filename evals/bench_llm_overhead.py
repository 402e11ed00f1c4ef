"""What the LLM chain costs beyond the LLM's own time: retrieval, prompt building and citation checking,
per question of a suite, in milliseconds (p50 / p95). The LLM's reply is simulated by the answer the
offline answerer writes with its citations, so the check works on a realistic cited text.

    python evals/bench_llm_overhead.py [--suite evals/dev.jsonl] [--index DIR]   (index built by `rag eval`)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from rag.answering.citations import check_citations
from rag.answering.llm import LLMAnswerer, format_passages
from rag.assistant import Assistant, _questions
from rag.evaluation.suites import load_suite
from rag.offline import use_offline_defaults
from rag.prompts import load_prompt
from rag.query import build_query
from rag.retrieval import retrieve


def main() -> None:
    use_offline_defaults()
    parser = argparse.ArgumentParser()
    parser.add_argument("--suite", default="evals/dev.jsonl")
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", default="evals/results/llm_overhead.json")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"query": [], "retrieval": [], "prompt": [], "citations": []}
    with Assistant.open(args.index) as assistant:
        budget = LLMAnswerer(None, assistant.settings, assistant.answerers["extractive"])
        for case in load_suite(Path(args.suite)):
            started = time.perf_counter()
            query = build_query(case.question, _questions(list(case.history)))
            step = _lap(timings, "query", started)
            passages = retrieve(assistant.index, query, assistant.settings)
            step = _lap(timings, "retrieval", step)
            used = budget.within_budget(passages)
            load_prompt(assistant.settings.prompts_dir, "answer", query.language).format_messages(
                passages=format_passages(used), question=query.question)
            step = _lap(timings, "prompt", step)
            reply = assistant.answerers["extractive"].answer(query, used).answer
            step = time.perf_counter()
            check_citations(reply, used)
            _lap(timings, "citations", step)
    report = {name: {"p50_ms": _pct(values, 50), "p95_ms": _pct(values, 95)} for name, values in timings.items()}
    totals = [sum(values) for values in zip(*timings.values())]
    report["total"] = {"p50_ms": _pct(totals, 50), "p95_ms": _pct(totals, 95), "questions": len(totals)}
    for name, row in report.items():
        print(f"{name:<10} p50 {row['p50_ms']:>7.2f} ms   p95 {row['p95_ms']:>7.2f} ms")
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")


def _lap(timings: dict[str, list[float]], name: str, since: float) -> float:
    now = time.perf_counter()
    timings[name].append((now - since) * 1000)
    return now


def _pct(values: list[float], p: int) -> float:
    return round(statistics.quantiles(values, n=100)[p - 1], 2) if len(values) > 1 else round(values[0], 2)


if __name__ == "__main__":
    main()
