"""The web chat's «Корпус» tab by address (a page, a feed) and `rag serve --sync-every`, through
`gradio_client` against a real `rag serve` subprocess and a loopback feed server the test starts."""

from __future__ import annotations

import time

import pytest
from gradio_client import Client, handle_file

from feed_server import feed_server, release_page, rss
from tests.web_support import BRIDGE_TEXT, Server, cache_dir_for, running

TERMINAL = release_page(
    "В Калининграде открыт новый пассажирский морской терминал", "2025-06-02",
    ["В Пионерском открыт новый пассажирский морской терминал.",
     "Терминал рассчитан на 250 тысяч пассажиров в год и принимает круизные лайнеры длиной до 300 метров.",
     "Строительство обошлось в 12 миллиардов рублей."])
DEPOT = ("<p>В Казани открыто новое трамвайное депо на 120 вагонов.</p>"
         "<p>В депо работают 340 человек, в нём обслуживают низкопольные трамваи.</p>")
FERRY = ("<p>Между Ванино и Холмском начал ходить новый паром «Маршал Рокоссовский».</p>"
         "<p>Паром вмещает 200 пассажиров и 52 железнодорожных вагона.</p>")


@pytest.fixture(scope="module")
def site():
    with feed_server() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, site):
    yield from running(Server(tmp_path_factory.mktemp("web-feeds"), cache_dir_for(tmp_path_factory),
                              extra_args=("--sync-every", "0.02"), RAG_FETCH_ALLOW_PRIVATE="1",
                              RAG_FETCH_TIMEOUT_S="2"))


@pytest.fixture(scope="module")
def client(server):
    c = Client(server.url, verbose=False)
    yield c
    c.close()


def test_a_page_and_a_feed_by_address_with_a_row_per_item(client, server, site):
    page = site.put("/press/terminal.html", TERMINAL)
    feed = site.put("/rss.xml", rss("Новости транспорта", [
        {"title": "В Казани открыто трамвайное депо", "link": site.url("/news/depot"), "html": DEPOT}]),
        content_type="application/rss+xml")
    with server.report_on_failure():
        rows, documents, _ = client.predict(page, "", api_name="/ingest_url")
        assert rows["data"] == [[page, "страница", "добавлено 1, обновлено 0, без изменений 0, дубликатов 0"],
                                ["127.0.0.1/press/terminal", "добавлен", ""]]
        rows, _, _ = client.predict(feed, "", api_name="/ingest_url")
        assert rows["data"] == [[feed, "лента отслеживается", "добавлено 1, обновлено 0, без изменений 0, дубликатов 0"],
                                ["127.0.0.1/news/depot", "добавлен", ""]]
        rows, _, _ = client.predict(site.url("/missing"), "", api_name="/ingest_url")
        assert rows["data"] == [[site.url("/missing"), "ошибка", "сервер ответил HTTP 404 Not Found"]]
        answer = client.predict(question="Сколько вагонов вмещает новое трамвайное депо в Казани?", api_name="/ask")
    assert "120 вагонов" in answer["answer"]


def test_the_background_sync_brings_a_new_item_to_the_chat(client, server, site):
    feed = site.put("/rss.xml", rss("Новости транспорта", [
        {"title": "В Казани открыто трамвайное депо", "link": site.url("/news/depot"), "html": DEPOT}]),
        content_type="application/rss+xml")
    with server.report_on_failure():
        client.predict(feed, "", api_name="/ingest_url")
        site.put("/rss.xml", rss("Новости транспорта", [
            {"title": "В Казани открыто трамвайное депо", "link": site.url("/news/depot"), "html": DEPOT},
            {"title": "Новый паром Ванино — Холмск", "link": site.url("/news/ferry"), "html": FERRY}]),
            content_type="application/rss+xml")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = client.predict(question="Сколько железнодорожных вагонов вмещает паром Ванино — Холмск?",
                                    api_name="/ask")
            if "52 железнодорожных вагона" in answer["answer"]:
                break
            time.sleep(1)
    assert "52 железнодорожных вагона" in answer["answer"]


def test_an_upload_over_a_stored_id_says_it_replaces_it_and_keeps_the_earlier_version(client, server, tmp_path):
    bridge = tmp_path / "most-ishim.md"
    bridge.write_text(BRIDGE_TEXT, encoding="utf-8")
    with server.report_on_failure():
        client.predict([handle_file(str(bridge))], "", api_name="/ingest")
        bridge.write_text(BRIDGE_TEXT.replace("1 250 метров", "1 260 метров"), encoding="utf-8")
        rows, _, _ = client.predict([handle_file(str(bridge))], "", api_name="/ingest")
    assert rows["data"] == [["most-ishim.md", "добавлено 0, обновлено 1, без изменений 0, дубликатов 0",
                             "заменяет сохранённый релиз most-ishim; прежняя версия 1 сохранена "
                             "(вернуть: rag restore most-ishim --version 1)"]]
