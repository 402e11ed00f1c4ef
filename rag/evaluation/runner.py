"""Runs suites through pipelines (ours and the naive reference) and reports metrics side by side."""

from __future__ import annotations

from typing import Callable

from rag.evaluation.metrics import score_case, summarise
from rag.evaluation.suites import Case

Ask = Callable[[Case], dict]


def run(ask: Ask, cases: list[Case], on_case: Callable[[], None] | None = None,
        judge: Callable[[str, dict], dict] | None = None) -> dict:
    rows, failures = [], []
    for case in cases:
        answer = ask(case)
        row = {**score_case(case, answer), "answer": answer["answer"],
               "cited_docs": [c["doc_id"] for c in answer["citations"]]}
        if judge is not None:
            row.update({f"judge_{k}": v for k, v in judge(case.question, answer).items()})
        rows.append(row)
        reason = failure_reason(case, row)
        if reason:
            failures.append({"id": case.id, "kind": case.kind, "question": case.question, "why": reason,
                             "top_docs": [h["doc_id"] for h in answer["retrieved"][:5]],
                             "answer": answer["answer"][:300]})
        if on_case:
            on_case()
    return {"summary": summarise(rows), "by_kind": by_kind(rows), "failures": failures, "rows": rows}


def by_kind(rows: list[dict]) -> dict[str, dict]:
    """Each kind's summary; temporal questions also by what they ask of time ("temporal:next", ...)."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["kind"], []).append(row)
        if row.get("temporal"):
            groups.setdefault(f"{row['kind']}:{row['temporal']}", []).append(row)
    return {kind: summarise(groups[kind]) for kind in sorted(groups)}


def failure_reason(case: Case, row: dict) -> str:
    if not case.answerable:
        return "" if row["refused"] else "answered a question the corpus cannot answer"
    if row["refused"]:
        return "refused an answerable question"
    if not row["hit_at_5"]:
        return "no gold document in the top 5"
    if row["fact_recall"] < 1.0:
        return f"answer holds {row['fact_recall']:.0%} of the facts"
    if row.get("timeline_values", 1.0) < 1.0:
        return (f"timeline lists {row['timeline_coverage']:.0%} of the period's releases, "
                f"{row['timeline_values']:.0%} with the right value")
    return ""


METRICS = ("hit@1", "hit@5", "mrr@5", "multi_doc_recall@5", "fact_recall", "gold_quote_recall", "citation_precision",
           "refusal_rate", "false_refusals", "timeline_coverage", "timeline_values", "latency_p50_ms", "latency_p95_ms",
           "llm_judged_faithfulness", "llm_judged_relevance")
# Shown only where a suite has them.
OPTIONAL = ("gold_quote_recall", "timeline_coverage", "timeline_values", "llm_judged_faithfulness",
            "llm_judged_relevance")


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = [f"{'metric':<22}" + "".join(f"{n:>18}" for n in names)]
    for metric in METRICS:
        values = [results[n]["summary"].get(metric) for n in names]
        if metric in OPTIONAL and all(v is None for v in values):
            continue
        lines.append(f"{metric:<22}" + "".join(f"{'-' if v is None else v:>18}" for v in values))
    return "\n".join(lines)


KIND_METRICS = ("hit@5", "mrr@5", "fact_recall", "citation_precision", "refusal_rate", "false_refusals",
                "timeline_values")


def kind_table(run_result: dict) -> str:
    lines = [f"{'by kind':<22}{'n':>4}" + "".join(f"{m:>19}" for m in KIND_METRICS)]
    for kind, summary in run_result["by_kind"].items():
        values = [summary.get(m) for m in KIND_METRICS]
        lines.append(f"{kind:<22}{summary['cases']:>4}" + "".join(f"{'-' if v is None else v:>19}" for v in values))
    return "\n".join(lines)
