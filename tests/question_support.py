"""Helpers of the question-model tests: a question read into its model, and a passage of a release."""

from __future__ import annotations

from rag.answering.question import read_question
from rag.query import build_query
from rag.retrieval import Passage


def model(question: str, history: list[str] | None = None):
    return read_question(build_query(question, history or []))


def passage(text: str, date: str = "2024-04-08", source: str = "МЧС России", doc_id: str = "d") -> Passage:
    return Passage(f"{doc_id}#0", doc_id, "Заголовок", date, source, "", text, 1.0)
