"""One access rule for every entry point: beyond loopback the page keeps its login and /v1, /api and /mcp need
`Authorization: Bearer $RAG_API_KEY` (401 otherwise, and nothing runs); starting exposed without a key is refused."""

from __future__ import annotations

import asyncio
import subprocess

import httpx
import openai
import pytest

from rag.api.security import ApiKeyGuard, api_key
from rag.lockout import LOCKOUT_S, MAX_FAILURES
from rag.settings import Settings
from tests.web_support import (BRIDGE_TEXT, cache_dir_for, free_port, port_open, running_server, serve_command,
                               server_env)

KEY = "k-7f3a9c1e5b2d"
LOGIN = {"RAG_UI_USERNAME": "admin", "RAG_UI_PASSWORD": "correct horse battery staple"}


def test_the_key_is_needed_beyond_loopback_only_and_never_blank():
    assert api_key(Settings(), "127.0.0.1") is None and api_key(Settings(), "localhost") is None
    assert api_key(Settings(api_key=KEY), "0.0.0.0") == KEY
    with pytest.raises(RuntimeError, match="without a key: set RAG_API_KEY"):
        api_key(Settings(), "0.0.0.0")
    with pytest.raises(RuntimeError, match="RAG_API_KEY is blank"):
        api_key(Settings(api_key="  "), "0.0.0.0")


@pytest.mark.parametrize("env", [LOGIN, {**LOGIN, "RAG_API_KEY": " "}])
def test_serving_exposed_without_a_key_exits_with_a_message(tmp_path_factory, tmp_path, env):
    port = free_port()
    done = subprocess.run(serve_command(tmp_path / "index", port, "--host", "0.0.0.0", ingest=False),
                          env=server_env(cache_dir_for(tmp_path_factory), tmp_path, **env), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "RAG_API_KEY" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not port_open(port)


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def call(guard: ApiKeyGuard, path: str, key: str | None, client: str = "10.0.0.1") -> int:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"authorization", f"Bearer {key}".encode())] if key is not None else []
    asyncio.run(guard({"type": "http", "method": "GET", "path": path, "headers": headers, "client": (client, 1)},
                      receive, send))
    return sent[0]["status"]


def test_the_guard_answers_401_before_the_app_and_locks_a_guesser_out():
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    clock = Clock()
    guard = ApiKeyGuard(app, KEY, clock=clock)
    paths = ("/v1/models", "/api/health", "/mcp")
    assert [call(guard, p, None) for p in paths for _ in range(3)] == [401] * 9 and reached == []
    assert call(guard, "/", None) == 200 and call(guard, "/login", None) == 200 and call(guard, "/apical", None) == 200
    assert call(guard, "/api/health", KEY) == 200, "the right key clears the count"
    assert [call(guard, "/v1/models", None) for _ in range(MAX_FAILURES)] == [401] * MAX_FAILURES
    assert call(guard, "/v1/models", KEY) == 200, "a missing key is not a guess"
    assert [call(guard, "/v1/models", "guess") for _ in range(MAX_FAILURES)] == [401] * MAX_FAILURES
    assert call(guard, "/v1/models", KEY) == 429 and call(guard, "/v1/models", KEY, client="10.0.0.2") == 200
    clock.now += LOCKOUT_S
    assert call(guard, "/v1/models", KEY) == 200


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("exposed"), cache_dir_for(tmp_path_factory),
                        extra_args=("--host", "0.0.0.0"), RAG_API_KEY=KEY, **LOGIN) as server:
        yield server


def test_exposed_apis_refuse_a_missing_or_wrong_key_and_run_nothing(exposed):
    with exposed.report_on_failure(), httpx.Client(base_url=exposed.url, timeout=60) as http:
        upload = {"files": ("most-ishim.md", BRIDGE_TEXT.encode(), "text/markdown")}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
            assert http.post("/api/documents", files=upload, headers=headers).status_code == 401
            response = http.get("/v1/models", headers=headers)
            assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"
            assert http.post("/mcp", json={}, headers=headers).status_code == 401
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{exposed.url}v1", api_key="wrong", max_retries=0).models.list()

        right = {"Authorization": f"Bearer {KEY}"}
        listed = [d["doc_id"] for d in http.get("/api/documents", headers=right).json()]
        assert "most-ishim" not in listed, "a refused upload indexed nothing"
        assert http.get("/api/health", headers=right).json()["status"] == "ok"
        client = openai.OpenAI(base_url=f"{exposed.url}v1", api_key=KEY, max_retries=0)
        assert [m.id for m in client.models.list()] == ["rag-extractive"]


def test_exposed_page_keeps_its_login(exposed):
    with httpx.Client(base_url=exposed.url, timeout=60) as http:
        assert http.get("/gradio_api/info").status_code == 401
        assert http.post("/login", data={"username": "admin", "password": "wrong"}).status_code == 400
        assert http.post("/login", data={"username": "admin", "password": LOGIN["RAG_UI_PASSWORD"]}).status_code == 200
        assert http.get("/gradio_api/info").status_code == 200, "the login cookie opens the page's own API"
