"""LangChain-native pieces over an index: a retriever of passages and a runnable that answers with citations.

    from rag.langchain import PressReleaseRetriever, answer_chain
    docs = PressReleaseRetriever(index_dir=".rag/index", k=4).invoke("ключевая ставка", k=2)
    answer = answer_chain(index_dir=".rag/index").invoke({"question": "...", "history": []})

The module is `rag.langchain`; every import here is absolute, so it never stands in for the `langchain` package.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict, Field, PrivateAttr

from rag.assistant import Assistant
from rag.settings import Settings

_opened: dict[Path, Assistant] = {}
_opening = threading.Lock()


def _assistant(index_dir: Path | str | None, settings: Settings | None) -> Assistant:
    """One Assistant per index folder in a process: retrievers and chains made anew share its loaded index
    (Chroma refuses two clients of one folder with different settings)."""
    key = Path(index_dir or (settings or Settings()).index_dir).resolve()
    with _opening:
        if key not in _opened:
            _opened[key] = Assistant(settings=settings, index_dir=key)
        return _opened[key]


class PressReleaseRetriever(BaseRetriever):
    """The fused (dense + BM25) retrieval of `rag`, best passage first; `invoke(query, k=...)` overrides `k`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index_dir: Path | str | None = Field(None, description="index folder (default: RAG_INDEX_DIR)")
    k: int = Field(4, ge=1, le=100, description="passages returned")
    date_from: str | None = None
    date_to: str | None = None
    sources: list[str] = Field(default_factory=list)
    settings: Settings | None = None
    _core: Assistant | None = PrivateAttr(None)

    @property
    def assistant(self) -> Assistant:
        if self._core is None:
            self._core = _assistant(self.index_dir, self.settings)
        return self._core

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[Document]:
        passages = self.assistant.search(query, k or self.k, date_from=self.date_from, date_to=self.date_to,
                                         sources=self.sources)
        return [Document(page_content=p.text, id=p.chunk_id,
                         metadata={"doc_id": p.doc_id, "chunk_id": p.chunk_id, "title": p.title, "date": p.date,
                                   "source": p.source, "url": p.url, "score": p.score})
                for p in passages]


def answer_chain(index_dir: Path | str | None = None, *, assistant: Assistant | None = None,
                 settings: Settings | None = None, **options: Any) -> Runnable[dict, dict]:
    """A Runnable: {"question", "history"?} -> the JSON answer (README, "The JSON answer"). `options` are
    `Assistant.ask`'s: mode, date_from, date_to, sources."""
    core = assistant or _assistant(index_dir, settings)

    def answer(inputs: dict) -> dict:
        return core.ask(inputs["question"], inputs.get("history") or [], **options).to_dict()

    return RunnableLambda(answer, name="rag_answer")
