"""The MCP tools through the official `mcp` client: `rag mcp` over stdio (fixture corpus) and /mcp on a running
`rag serve` (corpus/), each listing the tools, calling every one, and getting a tool error for a bad argument."""

from __future__ import annotations

import asyncio
import sys

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from rag.api.server import api_app
from tests.web_support import FOUNDING_DOC, FOUNDING_QUESTION, ROOT, server_env

TOOLS = {"search", "ask", "list_documents", "get_document"}


@pytest.fixture(scope="module")
def stdio_server(tmp_path_factory, cache_dir):
    from rag.assistant import Assistant
    from tests.conftest import copy_corpus

    folder = tmp_path_factory.mktemp("mcp-stdio")
    with Assistant(index_dir=folder / "index") as assistant:
        assistant.ingest([copy_corpus(folder / "corpus")])
    return StdioServerParameters(command=sys.executable, args=["-m", "rag.cli", "mcp", "--index", str(folder / "index")],
                                 env=server_env(cache_dir, folder), cwd=str(ROOT))


async def exercise(target, question: str, doc_id: str, text: str) -> dict:
    """Every tool once, and the bad calls; returns what came back."""
    async with Client(target, read_timeout_seconds=60) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        found = (await client.call_tool("search", {"query": question, "k": 3})).structured_content
        filtered = (await client.call_tool("search", {"query": question, "date_from": "1990-01-01",
                                                      "date_to": "1990-12-31"})).structured_content
        answer = (await client.call_tool("ask", {"question": question})).structured_content
        listed = (await client.call_tool("list_documents", {})).structured_content
        document = (await client.call_tool("get_document", {"doc_id": doc_id})).structured_content
        bad = [await client.call_tool("search", {"query": question, "k": 0}),
               await client.call_tool("search", {"query": question, "k": "many"}),
               await client.call_tool("search", {"query": question, "date_from": "yesterday"}),
               await client.call_tool("ask", {}),
               await client.call_tool("get_document", {"doc_id": "no-such-release"})]
    return {"tools": tools, "found": found, "filtered": filtered, "answer": answer, "listed": listed,
            "document": document, "bad": bad, "doc_id": doc_id, "text": text}


def check(got: dict) -> None:
    assert TOOLS <= got["tools"].keys()
    assert got["tools"]["search"].input_schema["properties"]["k"]["maximum"] == 50
    passages = got["found"]["passages"]
    assert len(passages) == 3 and passages[0]["doc_id"] == got["doc_id"]
    assert {"chunk_id", "doc_id", "title", "date", "source", "url", "score", "text"} <= passages[0].keys()
    assert got["filtered"]["passages"] == []
    answer = got["answer"]
    assert answer["refused"] is False and answer["citations"][0]["doc_id"] == got["doc_id"]
    assert got["text"] in answer["answer"] and answer["text"].startswith(answer["answer"])
    assert got["doc_id"] in {d["doc_id"] for d in got["listed"]["documents"]}
    assert got["document"]["doc_id"] == got["doc_id"] and got["text"] in got["document"]["text"]
    for result in got["bad"]:
        assert result.is_error, result
    reasons = [result.content[0].text for result in got["bad"]]
    assert "greater than or equal to 1" in reasons[0] and "valid integer" in reasons[1]
    assert "not YYYY-MM-DD" in reasons[2] and "question" in reasons[3] and "not in the index" in reasons[4]


def test_stdio(stdio_server):
    check(asyncio.run(exercise(stdio_server, "Какой спутник запустили с космодрома Восточный?", "vostochny-launch",
                               "«Метеор-М» № 2-4")))


def test_streamable_http_on_rag_serve(api_server):
    with api_server.report_on_failure():
        check(asyncio.run(exercise(f"{api_server.url}mcp", FOUNDING_QUESTION, FOUNDING_DOC, "260 млн долларов")))


def test_ask_carries_the_timeline_of_a_change_question(api_server):
    async def ask() -> dict:
        async with Client(f"{api_server.url}mcp", read_timeout_seconds=60) as client:
            result = await client.call_tool("ask", {"question": "Как менялась ключевая ставка в 2019 году?"})
            return result.structured_content

    answer = asyncio.run(ask())
    assert len(answer["timeline"]) > 3 and all(row["date"].startswith("2019-") for row in answer["timeline"])
    assert answer["timeline"][0]["date"] in answer["text"]


def test_streamable_http_with_the_api_key(open_assistant):
    """Beyond loopback /mcp needs the bearer key, sent here through the client's own HTTP client (in process)."""
    assistant = open_assistant()

    async def run(key: str) -> tuple[int, set[str]]:
        app = api_app(assistant, "k-secret", "0.0.0.0")
        headers = {"Authorization": f"Bearer {key}"}
        async with app.router.lifespan_context(app), httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://rag", headers=headers) as http:
            status = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).status_code
            if status == 401:
                return status, set()
            async with Client(streamable_http_client("http://rag/mcp", http_client=http)) as client:
                return status, {t.name for t in (await client.list_tools()).tools}

    assert asyncio.run(run("wrong")) == (401, set())
    status, tools = asyncio.run(run("k-secret"))
    assert status != 401 and tools == TOOLS
