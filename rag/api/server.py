"""The FastAPI app of `rag serve` without the web page: /v1 (OpenAI-compatible), /api (REST), /mcp (MCP over
streamable HTTP), /openapi.json and /docs. `ui.app.mount` puts the Gradio page at / of the same app."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.exception_handlers import request_validation_exception_handler

from rag.api import chat, docs, mcp_tools, rest
from rag.api.security import ApiKeyGuard
from rag.assistant import Answers, Assistant


def api_app(assistant: Assistant, key: str | None, host: str, answers: Answers | None = None) -> FastAPI:
    """`key`: the bearer key every API requires, None for none (loopback); `host`: the address served, which the
    MCP transport's DNS-rebinding protection checks Host headers against; `answers`: what answers the questions
    asked (the assistant, or rag/answer_process.py)."""
    answers = answers or assistant
    mcp = mcp_tools.build(assistant, answers)
    mcp_http = mcp.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                       host=host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        async with mcp.session_manager.run():
            yield

    # FastAPI's own /docs loads Swagger UI from a CDN: docs.py serves a page that needs no other host.
    app = FastAPI(title="rag", summary="Cited answers over government press releases", version="0.1.0",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.include_router(chat.router(assistant))
    app.include_router(rest.router(assistant, answers))
    app.router.routes.extend(mcp_http.routes)
    app.get("/docs", include_in_schema=False)(docs.docs_page)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/v1/"):
            return chat.validation_error(request, exc)
        return await request_validation_exception_handler(request, exc)

    if key is not None:
        app.add_middleware(ApiKeyGuard, key=key)
    return app
