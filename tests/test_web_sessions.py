"""Gradio keeps RAG_UI_SESSIONS sessions: every call of its HTTP API without a session hash makes one, so a server
asked that way keeps a bounded memory, and a page whose session was dropped meanwhile goes on answering."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.web_support import (CHROMIUM, CHROMIUM_ARGS, FOUNDING_QUESTION, SKIP_BROWSER, Server, browser_available,
                               cache_dir_for)

if not browser_available():
    pytest.skip(SKIP_BROWSER, allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.test_web_e2e import ask  # noqa: E402


def call_api(url: str, question: str) -> dict:
    """The web chat's /ask over Gradio's HTTP API, as curl would: no session hash, so a new session each time."""
    body = json.dumps({"data": [question, None, None, None, None]}).encode()
    request = urllib.request.Request(f"{url}gradio_api/call/ask", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event_id}", timeout=60) as stream:
        lines = [raw.decode("utf-8").strip() for raw in stream]
    assert "event: complete" in lines, lines
    return json.loads(lines[lines.index("event: complete") + 1][len("data:"):])[0]


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory in /proc")
def test_api_calls_keep_few_sessions_and_a_page_whose_session_was_dropped_answers(tmp_path_factory, tmp_path):
    server = Server(tmp_path / "web", cache_dir_for(tmp_path_factory), RAG_UI_SESSIONS="3").start()
    try:
        with server.report_on_failure(), sync_playwright() as p:
            server.wait_ready(240)
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="ru-RU")
            expect.set_options(timeout=20_000)
            page.goto(server.url)
            page.wait_for_selector("#question textarea")
            ask(page, FOUNDING_QUESTION)
            for _ in range(50):  # warm: what the first calls load stays
                assert "260 млн долларов" in call_api(server.url, FOUNDING_QUESTION)["answer"]
            before = resident_mb(server.process.pid)
            for _ in range(400):  # ~85 kB a session were they all kept: 34 MB
                call_api(server.url, FOUNDING_QUESTION)
            assert resident_mb(server.process.pid) - before < 12
            ask(page, FOUNDING_QUESTION)  # its session was dropped 400 calls ago
            expect(page.locator('#chat [data-testid="bot"]')).to_have_count(2)
            assert "260 млн долларов" in page.locator('#chat [data-testid="bot"]').last.inner_text()
            browser.close()
    finally:
        expect.set_options(timeout=5_000)
        server.close()
