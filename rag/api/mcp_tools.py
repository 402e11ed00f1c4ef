"""The MCP server (official `mcp` package): the same four tools over stdio (`rag mcp`) and at /mcp on `rag serve`.

A tool's bad argument or bad input comes back as an MCP tool error (`isError`) with its reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from rag.assistant import Answers, Assistant
from rag.formatting import format_answer

INSTRUCTIONS = ("Cited answers over indexed government press releases (mostly Russian). `ask` answers with [n] "
                "citations or refuses when the releases do not say; `search` returns passages to read yourself.")

Date = Annotated[str | None, Field(description="YYYY-MM-DD", max_length=40)]


def build(assistant: Assistant, answers: Answers | None = None) -> MCPServer:
    """`answers`: what answers `ask` (the assistant, or rag/answer_process.py)."""
    answers = answers or assistant
    server = MCPServer("rag", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(structured_output=True)
    def search(query: Annotated[str, Field(min_length=1, max_length=2000)],
               k: Annotated[int, Field(ge=1, le=50, description="how many passages")] = 5,
               date_from: Date = None, date_to: Date = None,
               sources: Annotated[list[str], Field(description="only releases from these sources")] = []) -> dict[str, Any]:
        """Passages of the indexed releases that best match the query, best first, with their ids, titles,
        dates, sources and URLs."""
        try:
            passages = assistant.search(query, k, date_from=date_from, date_to=date_to, sources=sources)
        except ValueError as exc:
            raise ToolError(str(exc)) from None
        return {"passages": [{"chunk_id": p.chunk_id, "doc_id": p.doc_id, "title": p.title, "date": p.date,
                              "source": p.source, "url": p.url, "score": round(p.score, 6), "text": p.text}
                             for p in passages]}

    @server.tool(structured_output=True)
    def ask(question: Annotated[str, Field(min_length=1, max_length=2000)],
            history: Annotated[list[str], Field(description="earlier questions of the conversation, oldest first")]
            = []) -> dict[str, Any]:
        """A short answer with [n] citations to the releases it quotes (`text` holds it with its sources), or a
        refusal (`refused`) when the releases do not say."""
        try:
            answer = answers.ask(question, history)
        except ValueError as exc:
            raise ToolError(str(exc)) from None
        return {"text": format_answer(answer), **answer.to_dict()}

    @server.tool(structured_output=True)
    def list_documents() -> dict[str, Any]:
        """Every indexed release: id, title, date, source, URL, newest first."""
        return {"documents": [{k: d[k] for k in ("doc_id", "title", "date", "source", "url")}
                              for d in assistant.documents()]}

    @server.tool(structured_output=True)
    def get_document(doc_id: Annotated[str, Field(min_length=1, max_length=200)]) -> dict[str, Any]:
        """One release's whole text and metadata, by the id `search`, `ask` or `list_documents` gave."""
        found = assistant.document(doc_id)
        if found is None:
            raise ToolError(f"not in the index: {doc_id}")
        return found

    return server


def run_stdio(assistant: Assistant) -> None:
    build(assistant).run("stdio")
