"""The REST API under /api and its offline docs, through httpx against a real `rag serve` subprocess."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web_support import BRIDGE_QUESTION, BRIDGE_TEXT, BRIDGE_TITLE, FOUNDING_DOC, FOUNDING_QUESTION

ANSWER_FIELDS = {"id", "question", "answer", "refused", "refusal_reason", "citations", "retrieved", "timings_ms",
                 "mode", "search_query", "closest", "notice", "timeline"}
# corpus/ holds the Bank of Russia's key-rate decisions of 2013-2024.
CHANGE_QUESTION = "Как менялась ключевая ставка в 2019 году?"


@pytest.fixture(scope="module")
def http(api_server):
    with httpx.Client(base_url=api_server.url, timeout=60) as client:
        yield client


def test_ask_returns_the_json_answer_the_readme_documents(http, api_server):
    with api_server.report_on_failure():
        answer = http.post("/api/ask", json={"question": FOUNDING_QUESTION}).json()
    assert ANSWER_FIELDS <= answer.keys() and answer["refused"] is False
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])} == {c["n"] for c in answer["citations"]}
    assert answer["citations"][0]["doc_id"] == FOUNDING_DOC and "260 млн долларов" in answer["answer"]


def test_a_change_question_carries_its_timeline(http):
    answer = http.post("/api/ask", json={"question": CHANGE_QUESTION}).json()
    dates = [row["date"] for row in answer["timeline"]]
    assert len(dates) > 3 and dates == sorted(dates) and all(d.startswith("2019-") for d in dates)
    assert all(row["value"] and row["value"] in row["quote"] for row in answer["timeline"])
    assert {c["doc_id"] for c in answer["citations"]} <= {row["doc_id"] for row in answer["timeline"]}
    assert http.post("/api/ask", json={"question": FOUNDING_QUESTION}).json()["timeline"] == []


def test_ask_takes_history_mode_and_filters(http):
    follow = http.post("/api/ask", json={"question": "А кто принял премьер-министра в Бишкеке?",
                                         "history": [FOUNDING_QUESTION], "mode": "extractive"}).json()
    assert "Садыр Жапаров" in follow["answer"] and FOUNDING_QUESTION in follow["search_query"]
    outside = http.post("/api/ask", json={"question": FOUNDING_QUESTION, "date_from": "2020-01-01",
                                          "date_to": "2020-12-31", "sources": ["primeminister.kz"]}).json()
    assert outside["refused"] is True and outside["citations"] == []


@pytest.mark.parametrize("body, status, says", [
    ({"question": ""}, 400, "question is empty"),
    ({"question": "?", "date_from": "вчера"}, 400, "not YYYY-MM-DD"),
    ({"question": "?", "mode": "llm"}, 400, "RAG_LLM_BASE_URL"),
    ({"question": "?", "mode": "magic"}, 422, "literal_error"),
    ({}, 422, "missing"),
])
def test_bad_questions_are_refused_with_their_reason(http, body, status, says):
    response = http.post("/api/ask", json=body)
    assert response.status_code == status and says in response.text


def test_upload_list_read_and_delete_a_release(http, api_server, tmp_path):
    files = [("files", ("most-ishim.md", BRIDGE_TEXT.encode(), "text/markdown")),
             ("files", ("empty.txt", b"", "text/plain"))]
    with api_server.report_on_failure():
        results = http.post("/api/documents", files=files).json()
    assert results == [
        {"file": "most-ishim.md", "added": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": []},
        {"file": "empty.txt", "added": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": ["empty.txt: file is empty"]},
    ]
    listed = {d["doc_id"]: d for d in http.get("/api/documents").json()}
    assert listed["most-ishim"]["title"] == BRIDGE_TITLE and listed["most-ishim"]["date"] == "2025-11-20"
    document = http.get("/api/documents/most-ishim").json()
    assert "Длина моста составляет 1 250 метров" in document["text"] and "разгрузила старый мост" in document["text"]
    assert document["text"].count("Строительство моста заняло два года") == 1, "overlapping passages joined once"
    assert "1 250 метров" in http.post("/api/ask", json={"question": BRIDGE_QUESTION}).json()["answer"]

    assert http.delete("/api/documents/most-ishim").json() == {"removed": "most-ishim"}
    assert http.delete("/api/documents/most-ishim").status_code == 404
    assert http.get("/api/documents/most-ishim").status_code == 404
    assert http.post("/api/ask", json={"question": BRIDGE_QUESTION}).json()["refused"] is True


def test_health(http):
    health = http.get("/api/health").json()
    assert health["status"] == "ok" and health["documents"] > 300 and health["modes"] == ["extractive"]


def test_openapi_describes_every_endpoint_and_the_docs_page_needs_no_other_host(http):
    spec = http.get("/openapi.json").json()
    assert {"/api/ask", "/api/documents", "/api/documents/{doc_id}", "/api/health", "/v1/models",
            "/v1/chat/completions"} <= spec["paths"].keys()
    assert "Answer" in spec["components"]["schemas"]
    page = http.get("/docs")
    assert page.status_code == 200 and "openapi.json" in page.text
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), "no asset from another host"
    assert re.findall(r"fetch\(([^)]*)\)", page.text) == ['"openapi.json"'], "it fetches its own server only"
