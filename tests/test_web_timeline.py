"""The timeline in a real browser: `rag serve` over invented key-rate releases (tests/fixtures/keyrate, one title
ending in markup), a change question, the chart drawn with a point per release that gives a value (date and title on
hover), the table beneath with every release, and a row's [n] opening its passage as an answer's citations do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.web_support import (CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, SKIP_BROWSER, Server, browser_available,
                               cache_dir_for, running)

if not browser_available():
    pytest.skip(SKIP_BROWSER, allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

KEYRATE = Path(__file__).parent / "fixtures" / "keyrate"
MARKUP = '<img src="x" onerror="document.title=1">'
VALUES = ["9,00%", "10,00%", "10,50%", "10,50%", "10,00%", "–", "9,50%"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-timeline")
    releases = shutil.copytree(KEYRATE, folder / "keyrate")
    june = releases / "keyrate-2031-06-27.md"
    titled = june.read_text(encoding="utf-8").replace("title: ", "title: '", 1)
    june.write_text(titled.replace("на уровне 10,50% годовых\n", f"на уровне 10,50% годовых {MARKUP}'\n"), encoding="utf-8")
    yield from running(Server(folder, cache_dir_for(tmp_path_factory), ingest=False,
                              extra_args=("--ingest", str(releases))))


@pytest.fixture
def page(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="ru-RU", viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)
        page.goto(server.url)
        page.wait_for_selector("#question textarea")
        yield page
        expect.set_options(timeout=5_000)
        browser.close()


def ask(page: Page, question: str) -> None:
    bots = page.locator('#chat [data-testid="bot"]')
    before = bots.count()
    page.fill("#question textarea", question)
    page.click("#ask")
    expect(bots).to_have_count(before + 1)
    bots.last.locator("a.cite").first.wait_for()


def test_a_change_question_draws_its_timeline(page: Page, server):
    with server.report_on_failure():
        ask(page, "Как менялась ключевая ставка в 2031 году?")
        timeline = page.locator("#timeline")
        expect(timeline).to_be_visible()
        points = page.locator("#timeline-chart svg g.mark-symbol path")
        expect(points).to_have_count(6)  # the release that postponed the decision gives no value, so no point

        rows = page.locator("#timeline .timeline-table tbody tr")
        expect(rows).to_have_count(7)
        cells = [row.split("\t") for row in rows.all_inner_texts()]
        assert [c[0] for c in cells] == ["2031-02-14", "2031-03-28", "2031-05-16", "2031-06-27", "2031-08-08",
                                         "2031-09-19", "2031-10-31"]
        assert [c[1] for c in cells] == VALUES
        assert MARKUP in cells[3][2] and timeline.locator("img").count() == 0  # release text shows as text

        # a point shows its release on hover, its title as text
        tooltip = page.locator("#vg-tooltip-element")
        for n, shown in ((2, "на 50 б.п., до 10,50% годовых"), (3, MARKUP)):
            box = points.nth(n).bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            expect(tooltip).to_be_visible()
            expect(tooltip).to_contain_text(shown)
            expect(tooltip).to_contain_text("2031")
        assert tooltip.locator("img").count() == 0 and page.title() != "1"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "timeline-01-chart.png"), full_page=True)

        # a row's [n] opens its passage, the value's sentence highlighted
        cite = rows.nth(4).locator("a.cite")
        source = page.locator(f"#timeline details.source[id='{cite.get_attribute('href')[1:]}']")
        expect(source).not_to_have_attribute("open", "")
        cite.click()
        expect(source).to_have_attribute("open", "")
        expect(source).to_be_in_viewport()
        expect(source.locator("blockquote mark")).to_have_text(re.compile(r"снизить ключевую ставку c 10,50% до 10,00%"))
        page.screenshot(path=str(SCREENSHOTS / "timeline-02-citation-open.png"), full_page=True)

        # the answer itself cites the same releases; another question hides the timeline
        answer = page.locator('#chat [data-testid="bot"]').last
        expect(answer.locator(".answer")).to_contain_text("2031-10-31 — 9,50%")
        ask(page, "Какое решение Банк России принял 16 мая 2031 года?")
        expect(timeline).to_be_hidden()
