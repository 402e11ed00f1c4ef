"""Optional LLM-judged metrics (off by default): faithfulness of an answer to its quotes and its relevance
to the question, each 0..1, from the configured LLM with the prompt `prompts/judge.*.md`."""

from __future__ import annotations

import json
import re

from langchain_core.language_models.chat_models import BaseChatModel

from rag.prompts import load_prompt
from rag.settings import Settings

JSON_OBJECT = re.compile(r"\{.*?\}", re.S)
JUDGED = ("faithfulness", "relevance")


class Judge:
    def __init__(self, model: BaseChatModel, settings: Settings):
        self.model = model
        self.prompt = load_prompt(settings.prompts_dir, "judge", "ru")

    def __call__(self, question: str, answer: dict) -> dict[str, float]:
        """Scores for an answered question; {} when refused or when the judge's reply is unusable."""
        if answer["refused"]:
            return {}
        quotes = "\n".join(f"[{c['n']}] {c['quote']}" for c in answer["citations"]) or "(нет)"
        messages = self.prompt.format_messages(question=question, answer=answer["answer"], quotes=quotes)
        try:
            reply = self.model.invoke(messages).content
            scores = json.loads(JSON_OBJECT.search(reply)[0])
            return {name: min(1.0, max(0.0, float(scores[name]))) for name in JUDGED}
        except Exception:  # a judge that fails leaves the metric unmeasured, never the run broken
            return {}
