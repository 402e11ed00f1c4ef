"""`rag ingest URL`, `rag feeds add/list/remove` and `rag sync` against a loopback server the tests start,
with Russian releases the tests write; and the background sync of `rag serve --sync-every`."""

from __future__ import annotations

import json
import threading
import time

import pytest

from feed_server import atom, feed_server, release_page, rss
from ingest_support import assert_consistent
from rag.cli import main
from rag.sync import BackgroundSync

PORT_PAGE = release_page(
    "В порту Усть-Луга введён в строй новый угольный терминал", "2025-06-03",
    ["В морском порту Усть-Луга введён в эксплуатацию новый терминал мощностью 12 миллионов тонн в год.",
     "На терминале создано 450 рабочих мест, инвестиции составили 40 миллиардов рублей.",
     "Первое судно под погрузку ожидается в середине июня."])
BRIDGE_PAGE = release_page(
    "Через Амур открыт второй автомобильный мост", "2025-06-04",
    ["Второй автомобильный мост через Амур соединил Благовещенск и Хэйхэ.",
     "Длина перехода составляет 1 080 метров, по нему пройдут до 630 грузовиков в сутки.",
     "Мост построен по соглашению между Россией и Китаем."])
SCHOOL_HTML = ("<p>В Якутске открылась новая школа на 1 275 мест.</p><p>В школе оборудованы бассейн, "
               "планетарий и двенадцать лабораторий; учиться в ней начнут с 1 сентября.</p>")
CLINIC_HTML = ("<p>В Омске завершено строительство детской поликлиники на 600 посещений в смену.</p>"
               "<p>Поликлиника оснащена аппаратом МРТ и примет первых пациентов в июле.</p>")


@pytest.fixture(autouse=True)
def cli_env(monkeypatch, cache_dir):
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("RAG_FETCH_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("RAG_FETCH_TIMEOUT_S", "1")


@pytest.fixture
def site():
    with feed_server() as server:
        yield server


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, index) -> dict[str, dict]:
    return {d["doc_id"]: d for d in json.loads(run(capsys, "list", "--json", "--index", index)[1])}


def write_feeds(site, school: str = SCHOOL_HTML) -> tuple[str, str]:
    site.put("/news/port.html", PORT_PAGE)
    site.put("/news/bridge.html", BRIDGE_PAGE)
    feed = site.put("/rss.xml", rss("Новости министерства", [
        {"title": "В Якутске открылась новая школа", "link": site.url("/news/school"),
         "date": "Tue, 03 Jun 2025 10:00:00 +0300", "html": school},
        {"title": "В порту Усть-Луга введён в строй новый угольный терминал", "link": site.url("/news/port.html"),
         "date": "Tue, 03 Jun 2025 12:00:00 +0300", "summary": "Новый терминал в Усть-Луге."},
    ]), content_type="application/rss+xml; charset=utf-8")
    atom_feed = site.put("/atom.xml", atom("Пресс-центр", [
        {"title": "В Омске построена детская поликлиника", "link": site.url("/news/clinic"),
         "date": "2025-06-04T09:00:00+03:00", "html": CLINIC_HTML},
        {"title": "Через Амур открыт второй автомобильный мост", "link": site.url("/news/bridge.html"),
         "date": "2025-06-04T11:00:00+03:00", "summary": "Мост Благовещенск — Хэйхэ."},
    ]), content_type="application/atom+xml")
    return feed, atom_feed


def test_ingest_a_page_by_its_address(capsys, tmp_path, site):
    index = tmp_path / "index"
    url = site.put("/news/port.html", PORT_PAGE)
    code, out, _ = run(capsys, "ingest", url, "--index", index)
    assert code == 0 and out.startswith("added: 1, updated: 0, unchanged: 0, duplicate: 0, failed: 0")
    doc = listed(capsys, index)["127.0.0.1/news/port"]
    assert (doc["url"], doc["date"], doc["title"]) == (url, "2025-06-03", "В порту Усть-Луга введён в строй новый угольный терминал")
    code, out, _ = run(capsys, "ask", "--json", "--index", index, "Сколько рабочих мест создано на терминале в Усть-Луге?")
    answer = json.loads(out)
    assert "450 рабочих мест" in answer["answer"] and answer["citations"][0]["url"] == url
    site.fetched()
    code, out, _ = run(capsys, "ingest", url, "--index", index)
    assert out.startswith("added: 0, updated: 0, unchanged: 1,")
    assert [r.conditional for r in site.fetched()] == [True]


def test_bad_addresses_fail_each_with_its_reason_and_nothing_stored_changes(capsys, tmp_path, site, corpus_dir):
    index = tmp_path / "index"
    assert run(capsys, "ingest", corpus_dir, "--index", index)[0] == 0
    before = listed(capsys, index)
    site.redirect("/loop", "/loop")
    site.put("/slow.html", PORT_PAGE, delay=2.5)
    site.put("/huge.html", "<p>" + "слово " * 2000 + "</p>")
    site.put("/photo.html", bytes(range(256)) * 40)
    bad = [site.url(p) for p in ("/missing.html", "/loop", "/slow.html", "/huge.html", "/photo.html")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_MAX_FILE_MB", "0.01")
        code, out, _ = run(capsys, "ingest", *bad, "--index", index)
    assert code == 1
    failures = [line for line in out.splitlines() if line.startswith("  failed: ")]
    assert failures == [
        f"  failed: {bad[0]}: the server answered HTTP 404 Not Found",
        f"  failed: {bad[1]}: more than 5 redirects",
        f"  failed: {bad[2]}: no complete answer within 1 s (RAG_FETCH_TIMEOUT_S)",
        f"  failed: {bad[3]}: page is 22,007 bytes, over the limit of 10,485 bytes (RAG_MAX_FILE_MB)",
        f"  failed: {bad[4]}: binary content (NUL or other control bytes), not a web page",
    ]
    assert listed(capsys, index) == before


def test_a_loopback_address_is_refused_without_the_setting(capsys, tmp_path, site, monkeypatch):
    monkeypatch.delenv("RAG_FETCH_ALLOW_PRIVATE")
    url = site.put("/news/port.html", PORT_PAGE)
    code, out, _ = run(capsys, "ingest", url, "--index", tmp_path / "index")
    assert code == 1
    assert f"  failed: {url}: refused: 127.0.0.1 resolves to 127.0.0.1, a loopback, private or reserved address " \
           "(set RAG_FETCH_ALLOW_PRIVATE=1 to allow such addresses)" in out
    assert site.fetched() == []


def test_follow_feeds_sync_then_a_second_sync_fetches_only_the_feeds_conditionally(capsys, tmp_path, site):
    index = tmp_path / "index"
    feed, atom_feed = write_feeds(site)
    assert run(capsys, "feeds", "add", feed, "--source", "Минтранс", "--index", index)[1] == f"following {feed}\n"
    assert run(capsys, "feeds", "add", atom_feed, "--index", index)[0] == 0
    feeds = json.loads(run(capsys, "feeds", "list", "--json", "--index", index)[1])
    assert [(f["url"], f["source"], f["synced_at"]) for f in feeds] == [(feed, "Минтранс", None), (atom_feed, "", None)]

    code, out, _ = run(capsys, "sync", "--index", index)
    assert code == 0, out
    assert out.splitlines() == [f"{feed}: added 2, updated 0, unchanged 0, duplicate 0, failed 0",
                                f"{atom_feed}: added 2, updated 0, unchanged 0, duplicate 0, failed 0"]
    docs = listed(capsys, index)
    school, port = docs["127.0.0.1/news/school"], docs["127.0.0.1/news/port"]
    assert (school["title"], school["date"], school["source"]) == ("В Якутске открылась новая школа", "2025-06-03", "Минтранс")
    assert port["url"] == site.url("/news/port.html") and port["source"] == "Минтранс"
    clinic = docs["127.0.0.1/news/clinic"]
    assert (clinic["date"], clinic["source"]) == ("2025-06-04", "Пресс-центр")  # the feed's title
    assert "127.0.0.1/news/bridge" in docs
    # full-text items are not fetched again; pages once each
    assert sorted(r.path for r in site.fetched()) == ["/atom.xml", "/news/bridge.html", "/news/port.html", "/rss.xml"]

    code, out, _ = run(capsys, "sync", "--index", index)
    assert code == 0
    assert out.splitlines() == [f"{feed}: added 0, updated 0, unchanged 0, duplicate 0, failed 0 (not modified)",
                                f"{atom_feed}: added 0, updated 0, unchanged 0, duplicate 0, failed 0 (not modified)"]
    requests = site.fetched()
    assert sorted(r.path for r in requests) == ["/atom.xml", "/rss.xml"] and all(r.conditional for r in requests)
    assert listed(capsys, index) == docs


def test_a_changed_item_is_updated_and_the_rest_stay_unchanged(capsys, tmp_path, site, open_assistant):
    index = tmp_path / "index"
    feed, _ = write_feeds(site)
    run(capsys, "feeds", "add", feed, "--index", index)
    assert run(capsys, "sync", "--index", index)[0] == 0
    site.fetched()
    write_feeds(site, school=SCHOOL_HTML.replace("1 275 мест", "1 300 мест"))
    code, out, _ = run(capsys, "sync", "--index", index)
    assert code == 0
    assert out.splitlines()[0] == f"{feed}: added 0, updated 1, unchanged 1, duplicate 0, failed 0"
    assert [(r.path, r.conditional) for r in site.fetched()] == [("/rss.xml", True), ("/news/port.html", True)]
    code, out, _ = run(capsys, "history", "127.0.0.1/news/school", "--json", "--index", index)
    assert [(v["version"], v["current"]) for v in json.loads(out)] == [(1, False), (2, True)]
    assistant = open_assistant(index)
    assert_consistent(assistant)
    answer = assistant.ask("На сколько мест открылась новая школа в Якутске?")
    assert "1 300 мест" in answer.answer


def test_a_broken_item_fails_alone_and_its_feed_is_read_again(capsys, tmp_path, site):
    index = tmp_path / "index"
    site.put("/news/port.html", PORT_PAGE)
    feed = site.put("/rss.xml", rss("Новости", [
        {"title": "В Якутске открылась новая школа", "link": site.url("/news/school"), "html": SCHOOL_HTML},
        {"title": "Элемент без ссылки", "summary": "нет ни ссылки, ни текста"},
        {"title": "Терминал", "link": site.url("/news/port.html")},
        {"title": "Удалённая новость", "link": site.url("/news/gone.html")},
    ]), content_type="application/rss+xml")
    gone_feed = site.url("/gone.xml")
    not_feed = site.put("/page.xml", "<html><body><p>Просто страница</p></body></html>", content_type="text/xml")
    for url in (feed, gone_feed, not_feed):
        run(capsys, "feeds", "add", url, "--index", index)
    code, out, _ = run(capsys, "sync", "--index", index)
    assert code == 1
    assert out.splitlines() == [
        f"{feed}: added 2, updated 0, unchanged 0, duplicate 0, failed 2",
        f"  failed: {feed} (item 2): item 2 ('Элемент без ссылки') has no link",
        f"  failed: {site.url('/news/gone.html')}: the server answered HTTP 404 Not Found",
        f"{gone_feed}: failed: the server answered HTTP 404 Not Found",
        f"{not_feed}: failed: not an RSS or Atom feed (no items)",
    ]
    site.fetched()
    code, out, _ = run(capsys, "sync", "--index", index)
    assert code == 1 and out.splitlines()[0] == f"{feed}: added 0, updated 0, unchanged 2, duplicate 0, failed 2"
    assert [r.path for r in site.fetched()][:1] == ["/rss.xml"]
    feeds = json.loads(run(capsys, "feeds", "list", "--json", "--index", index)[1])
    assert feeds[1]["result"] == "failed: the server answered HTTP 404 Not Found"


def test_feeds_remove_stops_following_and_keeps_the_releases(capsys, tmp_path, site):
    index = tmp_path / "index"
    feed, _ = write_feeds(site)
    run(capsys, "feeds", "add", feed, "--index", index)
    run(capsys, "sync", "--index", index)
    code, out, _ = run(capsys, "feeds", "remove", feed, "--index", index)
    assert (code, out) == (0, f"no longer following {feed}; its releases stay in the index\n")
    code, _, err = run(capsys, "feeds", "remove", feed, "--index", index)
    assert code == 1 and err == f"error: {feed} is not a followed feed\n"
    assert json.loads(run(capsys, "feeds", "list", "--json", "--index", index)[1]) == []
    assert "127.0.0.1/news/school" in listed(capsys, index)
    code, _, err = run(capsys, "feeds", "add", "ftp://example.org/rss", "--index", index)
    assert code == 1 and err == "error: only http and https addresses are fetched, not ftp\n"


def test_background_sync_writes_under_the_assistant_lock_and_the_chat_sees_it(tmp_path, site, open_assistant,
                                                                              settings):
    feed, _ = write_feeds(site)
    assistant = open_assistant(tmp_path / "index", settings=settings.model_copy(
        update={"fetch_allow_private": True, "fetch_timeout_s": 2.0}))
    assistant.library.follow(feed)
    lines: list[str] = []
    with assistant._lock:
        syncing = BackgroundSync(assistant.library, minutes=0.002, log=lines.append).start()
        time.sleep(1.0)
        assert assistant.index.manifest.document_count() == 0, "nothing is written while another writer holds the lock"
    try:
        deadline = time.monotonic() + 30
        while syncing.rounds < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lines and lines[0] == f"sync: {feed}: added 2, updated 0, unchanged 0, duplicate 0, failed 0"
        answer = assistant.ask("Сколько рабочих мест создано на терминале в Усть-Луге?")
        assert "450 рабочих мест" in answer.answer
    finally:
        syncing.stop()
    assert not syncing.thread.is_alive() and threading.active_count() >= 1


def test_a_feed_being_added_is_left_to_its_adder_by_a_sync_meanwhile(tmp_path, site, open_assistant, settings,
                                                                     monkeypatch):
    feed, _ = write_feeds(site)
    assistant = open_assistant(tmp_path / "index", settings=settings.model_copy(
        update={"fetch_allow_private": True, "fetch_timeout_s": 2.0}))
    library = assistant.library
    follow, background = library.follow, []

    def follow_then_a_sync_round(url: str, source: str = "") -> bool:  # a background round at the worst moment
        followed = follow(url, source)
        background.extend(library.sync())
        return followed

    monkeypatch.setattr(library, "follow", follow_then_a_sync_round)
    report = library.add_address(feed)
    assert background == [] and report.summary.counts()["added"] == 2
    assert [r.not_modified for r in library.sync()] == [True]  # the next round finds it read
