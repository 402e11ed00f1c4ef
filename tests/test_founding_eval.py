"""The founding suite on the shipped corpus: runs anywhere (a fresh clone has both), so a change that
stops the product answering about its own founding release fails here, not only in CI's eval gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.evaluation import runner
from rag.evaluation.suites import load_suite

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def summary(settings, embedder, tmp_path_factory):
    cases = load_suite(PROJECT / "evals" / "founding.jsonl")
    with Assistant(settings=settings, index_dir=tmp_path_factory.mktemp("founding"), embedder=embedder) as assistant:
        assistant.ingest([PROJECT / "corpus"])
        return runner.run(lambda c: assistant.ask(c.question, list(c.history)).to_dict(), cases)["summary"]


def test_every_answerable_question_finds_and_cites_the_release(summary):
    assert summary["hit@1"] == 1.0
    assert summary["false_refusals"] == 0.0
    assert summary["fact_recall"] >= 0.9
    assert summary["citation_precision"] >= 0.9


def test_questions_the_release_does_not_answer_are_mostly_refused(summary):
    assert summary["refusal_rate"] >= 0.6
