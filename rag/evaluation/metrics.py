"""Metrics over one answered case and their averages; each is a pure function of plain values."""

from __future__ import annotations

import math
import re
from statistics import mean

from rag.evaluation.suites import Case


# A fact is matched as whole tokens: "25" is not found in "2025", nor "8,5" in "8,50".
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower().replace("ё", "е"))


def ranked_documents(retrieved: list[dict]) -> list[str]:
    """Document ids in the order their first passage was retrieved."""
    result: list[str] = []
    for hit in retrieved:
        if hit["doc_id"] not in result:
            result.append(hit["doc_id"])
    return result


def hit_at(docs: list[str], gold: tuple[str, ...], k: int) -> float:
    return float(any(d in gold for d in docs[:k]))


def reciprocal_rank(docs: list[str], gold: tuple[str, ...], k: int) -> float:
    for rank, doc_id in enumerate(docs[:k], start=1):
        if doc_id in gold:
            return 1.0 / rank
    return 0.0


def gold_recall(docs: list[str], gold: tuple[str, ...], k: int) -> float:
    return sum(d in docs[:k] for d in gold) / len(gold) if gold else 0.0


def fact_recall(answer: str, facts: tuple[str, ...]) -> float:
    text = tokens(answer)
    return sum(_contains(text, tokens(f)) for f in facts) / len(facts) if facts else 0.0


def _contains(text: list[str], fact: list[str]) -> bool:
    width = len(fact)
    return width > 0 and any(text[i : i + width] == fact for i in range(len(text) - width + 1))


def citation_precision(citations: list[dict], gold: tuple[str, ...]) -> float | None:
    """Share of one answer's citations that point at a gold document; None when nothing was cited
    (a refusal), so the suite's figure averages over answerable questions answered with citations."""
    if not citations:
        return None
    return sum(c["doc_id"] in gold for c in citations) / len(citations)


def quotes_gold(citations: list[dict], gold_quote: str) -> float:
    """Whether a quoted passage sentence is the gold one: most of the gold sentence's tokens in one quote."""
    gold = tokens(gold_quote)
    if not gold:
        return 0.0
    for citation in citations:
        quoted = set(tokens(citation.get("quote", "")))
        if sum(t in quoted for t in gold) >= 0.8 * len(gold):
            return 1.0
    return 0.0


NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def same_value(listed: str, gold: str) -> bool:
    """Numbers compared as numbers ("20%" is "20,00%"); a gold value "" is right only when listed empty."""
    if not gold.strip():
        return not listed.strip()
    a, b = NUMBER.search(listed or ""), NUMBER.search(gold)
    if a is None or b is None:
        return tokens(listed) == tokens(gold)
    return float(a[0].replace(",", ".")) == float(b[0].replace(",", "."))


def timeline_scores(timeline: list[dict], gold: tuple[dict, ...]) -> tuple[float, float]:
    """(share of the gold releases listed, share listed with the right value)."""
    listed = {row["doc_id"]: str(row.get("value") or "") for row in timeline}
    covered = [g for g in gold if g["doc_id"] in listed]
    right = [g for g in covered if same_value(listed[g["doc_id"]], g["value"])]
    return len(covered) / len(gold), len(right) / len(gold)


def score_case(case: Case, answer: dict) -> dict:
    docs = ranked_documents(answer["retrieved"])
    row = {"id": case.id, "kind": case.kind, "refused": bool(answer["refused"]),
           "latency_ms": answer["timings_ms"].get("total", 0.0)}
    if case.temporal:
        row["temporal"] = case.temporal
    if case.gold_timeline:
        row["timeline_coverage"], row["timeline_values"] = timeline_scores(answer.get("timeline") or [],
                                                                           case.gold_timeline)
    if case.answerable:
        row.update(
            hit_at_1=hit_at(docs, case.gold_doc_ids, 1),
            hit_at_5=hit_at(docs, case.gold_doc_ids, 5),
            mrr_at_5=reciprocal_rank(docs, case.gold_doc_ids, 5),
            gold_recall_at_5=gold_recall(docs, case.gold_doc_ids, 5),
            # A refusal states no fact, even where the titles of the closest releases it lists name one.
            fact_recall=0.0 if answer["refused"] else fact_recall(answer["answer"], case.answer_facts),
            citation_precision=citation_precision(answer["citations"], case.gold_doc_ids),
        )
        if case.gold_quote:
            row["gold_quote"] = quotes_gold(answer["citations"], case.gold_quote)
    return row


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if "hit_at_5" in r]
    unanswerable = [r for r in rows if "hit_at_5" not in r]
    multi = [r for r in answerable if r["kind"] == "multi_doc"]
    cited = [r["citation_precision"] for r in answerable if r["citation_precision"] is not None]
    latencies = sorted(r["latency_ms"] for r in rows)

    def avg(values: list[float]) -> float | None:
        return round(mean(values), 4) if values else None

    return {
        "cases": len(rows),
        "hit@1": avg([r["hit_at_1"] for r in answerable]),
        "hit@5": avg([r["hit_at_5"] for r in answerable]),
        "mrr@5": avg([r["mrr_at_5"] for r in answerable]),
        "multi_doc_recall@5": avg([r["gold_recall_at_5"] for r in multi]),
        "fact_recall": avg([r["fact_recall"] for r in answerable]),
        "citation_precision": avg(cited),
        "cited_answers": len(cited),
        "gold_quote_recall": avg([r["gold_quote"] for r in answerable if "gold_quote" in r]),
        "refusal_rate": avg([float(r["refused"]) for r in unanswerable]),
        "false_refusals": avg([float(r["refused"]) for r in answerable]),
        "timeline_coverage": avg([r["timeline_coverage"] for r in rows if "timeline_coverage" in r]),
        "timeline_values": avg([r["timeline_values"] for r in rows if "timeline_values" in r]),
        "latency_p50_ms": _percentile(latencies, 50),
        "latency_p95_ms": _percentile(latencies, 95),
        # Judged by the configured LLM (rag eval --judge), not measured: marked by their names.
        "llm_judged_faithfulness": avg([r["judge_faithfulness"] for r in rows if "judge_faithfulness" in r]),
        "llm_judged_relevance": avg([r["judge_relevance"] for r in rows if "judge_relevance" in r]),
    }


def _percentile(sorted_values: list[float], p: int) -> float | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 2)
