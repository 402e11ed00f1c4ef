"""Measures retrieval (hit@5, MRR@5) on a suite for a grid of fusion settings, and the evidence
scores of answerable and unanswerable questions for calibrating the refusal threshold.

    python evals/tune_fusion.py evals/dev.jsonl --index DIR  (an index already built with `rag ingest`)
"""

from __future__ import annotations

import argparse
import itertools
import statistics

from rag.assistant import Assistant, _questions
from rag.evaluation.metrics import hit_at, ranked_documents, reciprocal_rank
from rag.evaluation.suites import load_suite
from rag.offline import use_offline_defaults
from rag.query import build_query
from rag.retrieval import retrieve


def main() -> None:
    use_offline_defaults()
    parser = argparse.ArgumentParser()
    parser.add_argument("suite")
    parser.add_argument("--index", required=True)
    args = parser.parse_args()
    cases = load_suite(args.suite)
    answerable = [c for c in cases if c.answerable]
    with Assistant.open(args.index) as assistant:
        queries = {c.id: build_query(c.question, _questions(list(c.history))) for c in cases}
        vectors = {c.id: assistant.embedder.embed_one(queries[c.id].search_text) for c in cases}
        print(f"{'dense':>6} {'lexical':>7} {'doc':>5} {'lead':>5} {'boost':>5} {'hit@1':>6} {'hit@5':>6} {'mrr@5':>6}")
        grid = itertools.product((1.0,), (1.0,), (2.0,), (0.0, 1.0, 2.0, 4.0), (1.2,))
        for dense, lexical, document, lead, boost in grid:
            if dense == lexical == 0.0:
                continue
            settings = assistant.settings.model_copy(
                update={"dense_weight": dense, "lexical_weight": lexical, "document_weight": document,
                        "document_lead_weight": lead, "date_boost": boost})
            h1, h5, mrr = [], [], []
            for case in answerable:
                docs = ranked_documents([vars(p) for p in retrieve(assistant.index, queries[case.id], settings,
                                                                   query_vector=vectors[case.id])])
                h1.append(hit_at(docs, case.gold_doc_ids, 1))
                h5.append(hit_at(docs, case.gold_doc_ids, 5))
                mrr.append(reciprocal_rank(docs, case.gold_doc_ids, 5))
            print(f"{dense:>6} {lexical:>7} {document:>5} {lead:>5} {boost:>5} {statistics.mean(h1):>6.3f} "
                  f"{statistics.mean(h5):>6.3f} {statistics.mean(mrr):>6.3f}")

        print("\nrefusal threshold (min_evidence) sweep:")
        answerer = assistant.answerers["extractive"]
        answerer.min_evidence = 0.0
        evidence = {True: [], False: []}
        for case in cases:
            passages = retrieve(assistant.index, queries[case.id], assistant.settings, query_vector=vectors[case.id])
            evidence[case.answerable].append(answerer.answer(queries[case.id], passages).evidence)
        for threshold in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            refused = sum(e < threshold for e in evidence[False]) / len(evidence[False])
            false = sum(e < threshold for e in evidence[True]) / len(evidence[True])
            print(f"threshold {threshold:.2f}: refusals on unanswerable {refused:.2f}, false refusals {false:.2f}")


if __name__ == "__main__":
    main()
