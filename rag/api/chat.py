"""OpenAI-compatible chat: `GET /v1/models`, `POST /v1/chat/completions` (whole or streamed as server-sent events).

The last user message is the question, earlier user messages are the history. The reply's content is the cited
answer followed by its sources; the structured answer (citations, refused, refusal_reason, notice...) travels in
the extra top-level field `rag`. A stream carries only text the core has checked (`Assistant.ask_stream`).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rag.answering.base import Answer
from rag.assistant import Assistant
from rag.formatting import format_answer

MODEL_PREFIX = "rag-"


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None


class Filters(BaseModel):
    date_from: str | None = None
    date_to: str | None = None
    sources: list[str] = []


class ChatRequest(BaseModel):
    # Clients send many OpenAI parameters (temperature, max_tokens, ...); they do not apply to cited answers.
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message]
    stream: bool = False
    rag: Filters = Field(default_factory=Filters, description="date and source filters (send with extra_body)")


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None):
        self.status, self.message, self.param, self.code = status, message, param, code

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message, self.param, self.code)


def error_response(status: int, message: str, param: str | None = None, code: str | None = None) -> JSONResponse:
    kind = "not_found_error" if status == 404 else "invalid_request_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status_code=status)


def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Under /v1 a malformed body is a 400 with OpenAI's error object, as its clients expect."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:])
    return error_response(400, f"{where or 'body'}: {first.get('msg', 'invalid request')}", where or None)


def router(assistant: Assistant) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    def models() -> dict[str, str]:
        return {MODEL_PREFIX + mode: mode for mode in assistant.answerers}

    @api.get("/models")
    def list_models() -> dict:
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "rag"}
                                           for name in models()]}

    @api.post("/chat/completions")
    def chat_completions(body: ChatRequest):
        mode = models().get(body.model)
        if mode is None:
            return error_response(404, f"The model {body.model!r} does not exist; available: "
                                       f"{', '.join(models())}", "model", "model_not_found")
        try:
            question, history = _question(body.messages)
            events = assistant.ask_stream(question, history, mode=mode, date_from=body.rag.date_from,
                                          date_to=body.rag.date_to, sources=body.rag.sources)
            first = next(events)  # bad input raises here, before any status is sent
        except OpenAIError as exc:
            return exc.response()
        except ValueError as exc:
            return error_response(400, str(exc), "messages")
        reply_id = f"chatcmpl-{uuid.uuid4().hex}"
        if body.stream:
            return StreamingResponse(_sse(reply_id, body.model, first, events), media_type="text/event-stream")
        answer = first if isinstance(first, Answer) else next(e for e in events if isinstance(e, Answer))
        return {"id": reply_id, "object": "chat.completion", "created": int(time.time()), "model": body.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": format_answer(answer)}}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "rag": answer.to_dict()}

    return api


def _question(messages: list[Message]) -> tuple[str, list[str]]:
    if not messages:
        raise OpenAIError(400, "messages must hold at least one user message", "messages")
    if messages[-1].role != "user":
        raise OpenAIError(400, "the last message must be the user's question", "messages")
    said = [_text(m.content) for m in messages if m.role == "user"]
    return said[-1], said[:-1]


def _text(content: str | list[dict] | None) -> str:
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if part.get("type") == "text")
    return content or ""


def _sse(reply_id: str, model: str, first, events: Iterator) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        data = {"id": reply_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    for event in _chain(first, events):
        if isinstance(event, str):
            streamed += event
            yield chunk({"content": event})
            continue
        # The checked answer can differ from what was streamed (a citation renumbered, an LLM reply replaced by
        # the offline answer): then the answer that counts follows in full, as `rag chat` shows it.
        whole = format_answer(event)
        if event.answer == streamed:
            rest = whole[len(streamed):]
        else:
            rest = ("\n\n―――\n" if streamed else "") + whole
        yield chunk({"content": rest})
        yield chunk({}, "stop", rag=event.to_dict())
    yield "data: [DONE]\n\n"


def _chain(first, events: Iterator) -> Iterator:
    yield first
    yield from events
