"""The LLM answerer: numbered passages in a prompt from `prompts/`, a streamed answer from a LangChain
chat model, and every sentence checked against the passage it cites before it is shown or returned.

Failures never surface as exceptions: connection errors, timeouts, 429 and 5xx are retried with
backoff while nothing has been streamed yet; then, as for empty or uncited replies, the offline
answerer's result is returned with a notice that says why.
"""

from __future__ import annotations

import re
import time
from typing import Iterator

from langchain_core.language_models.chat_models import BaseChatModel

from rag.answering.base import Answerer, Draft, refusal, stream_whole
from rag.answering.citations import CitationChecker
from rag.prompts import load_prompt
from rag.query import Query
from rag.retrieval import Passage
from rag.settings import Settings

NO_ANSWER = ("НЕТ ОТВЕТА", "NO ANSWER")
CHARS_PER_TOKEN = 3  # Russian text averages about three characters a token in common BPE vocabularies
NOTICES = {
    "ru": {"error": "LLM недоступна ({reason}); показан ответ без LLM.",
           "uncited": "В ответе LLM не нашлось ни одной проверяемой ссылки; показан ответ без LLM.",
           "dropped": "Убраны утверждения без ссылки или не подтверждённые цитируемыми фрагментами: {count}."},
    "en": {"error": "The LLM is unavailable ({reason}); showing the answer without it.",
           "uncited": "The LLM's answer had no verifiable citation; showing the answer without it.",
           "dropped": "Removed claims without a citation or that the cited passages do not support: {count}."},
}


class LLMAnswerer:
    name = "llm"

    def __init__(self, model: BaseChatModel, settings: Settings, fallback: Answerer):
        self.model = model
        self.settings = settings
        self.fallback = fallback

    def answer(self, query: Query, passages: list[Passage]) -> Draft:
        return next(event for event in self.stream(query, passages) if isinstance(event, Draft))

    def stream(self, query: Query, passages: list[Passage]) -> Iterator[str | Draft]:
        """Checked sentences as the reply streams in (never unchecked text), then the final `Draft`."""
        if not passages:
            yield from stream_whole(refusal(query, passages, 0.0))
            return
        used = self.within_budget(passages)
        prompt = load_prompt(self.settings.prompts_dir, "answer", query.language).format_messages(
            passages=format_passages(used), question=query.question)
        checker = CitationChecker(used)
        text = ""
        shown = False
        try:
            for piece in self._stream_with_retries(prompt):
                text += piece
                for sentence in checker.feed(piece):
                    yield (" " if shown else "") + sentence
                    shown = True
            if not text.strip():
                raise ValueError("empty reply")
        except Exception as exc:  # every failure of the backend ends in the offline answer, never a crash
            yield self._fallback(query, passages, "error", reason=describe(exc))
            return
        last, checked = checker.finish()
        for sentence in last:
            yield (" " if shown else "") + sentence
            shown = True
        if text.strip().upper().rstrip(".").startswith(NO_ANSWER):
            yield refusal(query, passages, 0.0)
            return
        if not checked.citations:
            yield self._fallback(query, passages, "uncited")
            return
        removed = len(checked.dropped) + len(checked.uncited)
        notice = self._notice(query, "dropped", count=removed) if removed else ""
        yield Draft(checked.text, checked.citations, evidence=1.0, notice=notice)

    def _stream_with_retries(self, prompt) -> Iterator[str]:
        attempts = 1 + self.settings.llm_max_retries
        for attempt in range(attempts):
            produced = False
            try:
                for chunk in self.model.stream(prompt):
                    if isinstance(chunk.content, str) and chunk.content:
                        produced = True
                        yield chunk.content
                return
            except Exception as exc:
                if produced or attempt == attempts - 1 or not retryable(exc):
                    raise
                time.sleep(min(8.0, 0.5 * 2**attempt))

    def within_budget(self, passages: list[Passage]) -> list[Passage]:
        budget = self.settings.llm_context_tokens * CHARS_PER_TOKEN
        used: list[Passage] = []
        for passage in passages:
            cost = len(passage.text) + len(passage.title) + 40
            if used and cost > budget:
                break
            used.append(passage)
            budget -= cost
        return used

    def _fallback(self, query: Query, passages: list[Passage], kind: str, **values) -> Draft:
        draft = self.fallback.answer(query, passages)
        draft.notice = self._notice(query, kind, **values)
        return draft

    def _notice(self, query: Query, kind: str, **values) -> str:
        return NOTICES.get(query.language, NOTICES["ru"])[kind].format(**values)


def rewrite_question(model: BaseChatModel, settings: Settings, question: str, history: list[str],
                     language: str) -> str:
    """A stand-alone version of a follow-up question; the question itself when the LLM fails."""
    prompt = load_prompt(settings.prompts_dir, "rewrite", language).format_messages(
        history="\n".join(f"- {h}" for h in history), question=question)
    try:
        reply = model.invoke(prompt).content
    except Exception:  # rewriting is an improvement, not a requirement
        return question
    line = reply.strip().splitlines()[0].strip() if isinstance(reply, str) and reply.strip() else ""
    return line if 3 <= len(line) <= 4 * len(question) + 200 else question


def format_passages(passages: list[Passage]) -> str:
    """Each passage fenced as data: its number, metadata and text inside <passage> … </passage>, with
    anything in the release that looks like the fence itself defused, so a release cannot close its fence
    and speak as the prompt."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        meta = "".join(f"\n{name}: {_defused(value)}" for name, value in (("date", p.date), ("source", p.source))
                       if value)
        blocks.append(f'<passage n="{n}">\ntitle: {_defused(p.title)}{meta}\ntext:\n{_defused(p.text)}\n</passage>')
    return "\n\n".join(blocks)


def _defused(text: str) -> str:
    return re.sub(r"<\s*/?\s*passage", lambda m: m[0].replace("<", "‹"), text, flags=re.I)


def retryable(exc: Exception) -> bool:
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500
    name = type(exc).__name__.lower()
    return "connect" in name or "timeout" in name


def describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return f"HTTP {status}: {text}" if status else f"{type(exc).__name__}: {text}"
