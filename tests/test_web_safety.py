"""Release text is inert in the web chat: a release full of markdown and HTML pointing at a loopback "beacon"
server is asked about, cited and listed in a real browser, and the beacon never hears from the page.

The payloads show as their literal text; no dialog opens; the page requests nothing but its own server.
"""

from __future__ import annotations

import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.web_support import (
    CHROMIUM, CHROMIUM_ARGS, SKIP_BROWSER, Server, browser_available, cache_dir_for, running,
)

if not browser_available():
    pytest.skip(SKIP_BROWSER, allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from ui.strings import RU  # noqa: E402

QUESTION = "Какова длина нового моста через Ишим в Петропавловске?"


class Beacon:
    """A loopback HTTP server that records every request it gets (and answers each with an empty 200)."""

    def __init__(self):
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_release(beacon: str) -> tuple[str, dict[str, str]]:
    """A Markdown release whose title, source and text try every way to make a browser fetch `beacon`,
    and the literal strings each view must show."""
    literal = {
        "title_image": f"![]({beacon}/title.png)",
        "title_link": f"[ссылка]({beacon}/title-link)",
        "answer_image": f"![]({beacon}/answer.png)",
        "answer_html": f'<img src="{beacon}/answer-img.png">',
        "passage_script": "<script>alert('passage')</script>",
        "source": f"![]({beacon}/source.png)",
    }
    text = textwrap.dedent(f"""\
        ---
        title: |
          Мост через Ишим {literal['title_image']} <img src="{beacon}/title-img.png">

          {literal['title_link']} <{beacon}/title-auto> {beacon}/title-bare
          <iframe src="{beacon}/title-frame"></iframe> <script>alert('title')</script>
        date: 2025-11-20
        source: "{literal['source']}"
        url: {beacon}/open-source
        ---
        В Петропавловске открыт новый автомобильный мост через реку Ишим <img src={beacon}/body-img.png>.

        Длина нового моста через Ишим составляет 1 250 метров {literal['answer_image']} {literal['answer_html']} [подробнее]({beacon}/answer-link) <{beacon}/answer-auto> {beacon}/answer-bare.

        Проект моста <iframe src="{beacon}/body-frame"></iframe> {literal['passage_script']} [клик](javascript:alert('md')) <a href="javascript:alert('a')">ссылка</a> <svg onload="alert('svg')"></svg> <img src=x onerror="alert('onerror')"> <link rel="stylesheet" href="{beacon}/body.css"> <div style="background:url({beacon}/body-bg.png)">фон</div> <video poster="{beacon}/poster.png"></video> <object data="{beacon}/object"></object>

        </div>

        ![]({beacon}/after-blank-line.png) Строительство заняло два года.
        """)
    return text, literal


@pytest.fixture(scope="module")
def beacon():
    server = Beacon()
    yield server
    server.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, beacon):
    workdir = tmp_path_factory.mktemp("web-safety")
    release = workdir / "releases" / "most-ishim-hostile.md"
    release.parent.mkdir()
    release.write_text(hostile_release(beacon.root)[0], encoding="utf-8")
    yield from running(Server(workdir, cache_dir_for(tmp_path_factory), ingest=False,
                              extra_args=("--ingest", "corpus/", str(release.parent))))


def test_release_text_stays_literal_and_the_page_fetches_nothing_else(server, beacon):
    _, literal = hostile_release(beacon.root)
    dialogs: list[str] = []
    elsewhere: list[str] = []
    own = urlsplit(server.url).netloc

    with sync_playwright() as p, server.report_on_failure():
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="ru-RU", viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("request", lambda request: None if urlsplit(request.url).scheme in ("data", "blob")
                    or urlsplit(request.url).netloc == own else elsewhere.append(request.url))
            page.goto(server.url)
            page.wait_for_selector("#question textarea")

            # the example questions name the newest release: its title, literally
            example = page.locator("#chat button.example").first
            expect(example).to_contain_text(literal["title_image"])

            page.fill("#question textarea", QUESTION)
            page.click("#ask")
            answer = page.locator('#chat [data-testid="bot"]').last
            answer.locator("a.cite").first.wait_for()
            expect(answer.locator(".answer")).to_contain_text("1 250 метров")
            expect(answer.locator(".answer")).to_contain_text(literal["answer_image"])
            expect(answer.locator(".answer")).to_contain_text(literal["answer_html"])
            title = answer.locator(".release-title").first
            expect(title).to_contain_text(literal["title_image"])
            expect(title).to_contain_text(literal["title_link"])
            expect(title).to_contain_text(literal["source"])

            # the citation's pop-up (its title attribute) and its opened passage are literal text too
            cite = answer.locator("a.cite[title*='1 250 метров']").first
            tip = cite.get_attribute("title") or ""
            assert literal["title_image"] in tip and literal["answer_image"] in tip and "\n" not in tip, tip
            cite.hover()
            cite.click()
            source = page.locator(f"details.source[id='{cite.get_attribute('href')[1:]}']")
            expect(source).to_have_attribute("open", "")
            expect(source.locator("blockquote")).to_contain_text(literal["answer_image"])

            # the only link to the release's address is the app's own, and the page does not follow it
            links = [a.get_attribute("href") or "" for a in answer.locator("a").all()]
            assert [h for h in links if not h.startswith("#")] == [f"{beacon.root}/open-source"], links
            opener = answer.locator(f"a[href='{beacon.root}/open-source']")
            expect(opener).to_have_attribute("rel", "noopener noreferrer")
            expect(opener).to_have_attribute("target", "_blank")
            expect(answer.locator("img, iframe, script, svg, video, object, link")).to_have_count(0)

            page.get_by_role("tab", name=RU.corpus_tab).click()
            documents = page.locator("#documents")
            expect(documents).to_contain_text(literal["title_image"])
            expect(documents).to_contain_text(literal["title_link"])
            page.click("#delete-choice input")
            expect(page.get_by_role("option").filter(has_text=literal["title_image"])).to_have_count(1)
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)  # time for any late fetch (lazy images, CSS) to reach the beacon
        finally:
            browser.close()

    assert beacon.requests == [], f"the page fetched from the beacon: {beacon.requests}"
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert elsewhere == [], f"the page requested addresses other than its own server: {elsewhere}"
