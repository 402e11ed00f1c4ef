"""Plain REST under /api, described by /openapi.json: ask, list, add, read and delete releases, health."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, File, HTTPException, UploadFile
from pydantic import BaseModel, Field

from rag.assistant import Answers, Assistant
from rag.messages import InputError

COPY_BLOCK = 1 << 20


class HistoryTurn(BaseModel):
    q: str


class AskRequest(BaseModel):
    question: str = Field(examples=["Куда прибыл премьер-министр Казахстана?"])
    history: list[str | HistoryTurn] = Field([], description="earlier questions, oldest first")
    mode: Literal["extractive", "llm"] | None = Field(None, description="default: the configured mode")
    date_from: str | None = Field(None, description="only releases on or after YYYY-MM-DD")
    date_to: str | None = Field(None, description="only releases on or before YYYY-MM-DD")
    sources: list[str] = Field([], description="only releases from these sources")


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    date: str
    source: str
    url: str
    quote: str = Field(description="verbatim stored text")
    chunk_id: str


class TimelineRow(BaseModel):
    date: str
    value: str = Field(description="as the release gives it (\"17,00%\"); \"\" when it gives none")
    label: str = Field(description="the release's title")
    doc_id: str
    chunk_id: str
    quote: str = Field(description="the sentence that gives the value, verbatim stored text")


class Answer(BaseModel):
    """The JSON answer (README, "The JSON answer")."""
    id: str | None
    question: str
    answer: str = Field(description="sentences with [n] markers, each [n] in `citations`")
    refused: bool
    refusal_reason: str
    citations: list[Citation]
    retrieved: list[dict]
    timings_ms: dict[str, float]
    mode: str
    search_query: str
    closest: list[dict]
    notice: str
    timeline: list[TimelineRow] = Field(description="\"how did X change\": one row per release of the period, "
                                                    "in date order; empty otherwise")


class Document(BaseModel):
    doc_id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    lang: str | None
    origin: str | None = Field(description="the file (and line) it was read from")
    chunks: int
    chars: int
    updated_at: str | None


class DocumentText(Document):
    text: str


class FileResult(BaseModel):
    file: str
    added: int
    updated: int
    unchanged: int
    duplicate: int
    failed: list[str] = Field(description="why a file, or a line of it, was not indexed")


def router(assistant: Assistant, answers: Answers) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["REST"])
    limit = int(assistant.settings.max_file_mb * 2**20)

    @api.post("/ask", response_model=Answer)
    def ask(body: AskRequest) -> dict:
        history = [turn if isinstance(turn, str) else {"q": turn.q} for turn in body.history]
        try:
            return answers.ask(body.question, history, mode=body.mode, date_from=body.date_from,
                                 date_to=body.date_to, sources=body.sources).to_dict()
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

    @api.get("/documents", response_model=list[Document])
    def documents() -> list[dict]:
        return assistant.documents()

    @api.get("/documents/{doc_id:path}", response_model=DocumentText)
    def document(doc_id: str) -> dict:
        found = assistant.document(doc_id)
        if found is None:
            raise HTTPException(404, f"not in the index: {doc_id}")
        return found

    @api.post("/documents", response_model=list[FileResult])
    def add(files: list[UploadFile] = File(description=".txt, .md, .html or .jsonl files")) -> list[dict]:
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as folder:
            return [_ingest(assistant, upload, Path(folder), limit) for upload in files]

    @api.delete("/documents/{doc_id:path}")
    def remove(doc_id: str) -> dict:
        if assistant.remove([doc_id]):
            raise HTTPException(404, f"not in the index: {doc_id}")
        return {"removed": doc_id}

    @api.get("/health")
    def health() -> dict:
        stats = assistant.stats()
        return {"status": "ok", "documents": stats["documents"], "chunks": stats["chunks"],
                "modes": list(assistant.answerers), "default_mode": assistant.settings.default_mode}

    return api


def _ingest(assistant: Assistant, upload: UploadFile, folder: Path, limit: int) -> dict:
    """Copies one upload under its own name (its id comes from it) and indexes it; over the limit it is refused
    before it is read whole."""
    name = Path(upload.filename or "upload.txt").name
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while block := upload.file.read(COPY_BLOCK):
            size += len(block)
            if size > limit:
                error = InputError("file_too_big", size=f"over {limit / 2**20:.0f} MB", limit=f"{limit / 2**20:.0f} MB")
                return {"file": name, "added": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": [str(error)]}
            out.write(block)
    summary = assistant.ingest([target])
    target.unlink()
    failed = [f"{Path(f.where).name}: {f.reason}" for f in summary.failed]
    return {"file": name, **{k: summary.counts()[k] for k in ("added", "updated", "unchanged", "duplicate")},
            "failed": failed}
