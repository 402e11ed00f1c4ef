"""Quality gates on the dev evaluation set over the shared press releases (CI has them; a fresh clone
skips). The numbers are the floors measured when the pipeline was tuned, so a change that makes
retrieval or answers worse fails here; ours must also stay ahead of the naive LangChain pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embeddings import builtin_model_path
from rag.evaluation import runner
from rag.evaluation.command import documents
from rag.evaluation.naive import NaivePipeline
from rag.evaluation.suites import load_suite

PROJECT = Path(__file__).resolve().parents[1]
PRESS = PROJECT.parent / "shared" / "data" / "press"
CORPUS = [PRESS / "kremlin_ru_2025.jsonl", PRESS / "cbr_keyrate.jsonl", PRESS / "kremlin_mid_archive.jsonl"]
# refusal_rate is 10 of 12 near misses (0.83) on most index builds; Chroma's HNSW graph is built by threads and
# one build in four or so flips one of them (0.75), so the floor sits one question lower.
FLOORS = {"hit@5": 0.93, "mrr@5": 0.85, "fact_recall": 0.57, "citation_precision": 0.8, "refusal_rate": 0.75}

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not all(p.exists() for p in CORPUS),
                       reason=f"needs the shared press releases at {PRESS} (present in CI)"),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory, settings, embedder):
    from rag.assistant import Assistant

    cases = load_suite(PROJECT / "evals" / "dev.jsonl")
    work = tmp_path_factory.mktemp("dev-eval")
    with Assistant(settings=settings, index_dir=work / "ours", embedder=embedder) as assistant:
        assistant.ingest(CORPUS)
        ours = runner.run(lambda c: assistant.ask(c.question, list(c.history)).to_dict(), cases)
    naive = NaivePipeline(str(builtin_model_path(settings.cache_dir)), work / "naive")
    naive.ingest(documents(CORPUS, int(settings.max_file_mb * 2**20)))
    baseline = runner.run(lambda c: naive.ask(c.question, list(c.history)), cases)
    print("\n" + runner.table({"ours": ours, "naive": baseline}))
    return ours["summary"], baseline["summary"]


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_metric_stays_above_its_floor(results, metric):
    ours, _ = results
    assert ours[metric] >= FLOORS[metric], f"{metric} fell to {ours[metric]} (floor {FLOORS[metric]})"


@pytest.mark.parametrize("metric", ["hit@1", "hit@5", "mrr@5", "multi_doc_recall@5", "fact_recall",
                                    "citation_precision", "refusal_rate"])
def test_ours_beats_the_naive_pipeline(results, metric):
    ours, naive = results
    assert ours[metric] > naive[metric], f"{metric}: ours {ours[metric]} vs naive {naive[metric]}"


def test_false_refusals_stay_rare(results):
    ours, _ = results
    # 7 of 67 on this corpus: four paraphrases whose best sentence says under a sixth of the question are
    # refused (the support floor), three of which were answered from a wrong release before it.
    assert ours["false_refusals"] <= 0.11
