"""rag/fetch.py and rag/web.py against a loopback server the test starts: every bad address gets its own
message naming it, conditional requests, the User-Agent, and refusal of private addresses."""

from __future__ import annotations

import pytest

from feed_server import feed_server, release_page
from rag import fetch
from rag.documents import LoadError
from rag.fetch import Fetcher, is_public
from rag.messages import InputError
from rag.web import Reader, Unchanged, url_id

TERMINAL = release_page(
    "В Калининграде открыт новый пассажирский морской терминал", "2025-06-02",
    ["Министр транспорта Российской Федерации открыл в Пионерском новый пассажирский морской терминал.",
     "Терминал рассчитан на 250 тысяч пассажиров в год и может принимать круизные лайнеры длиной до 300 метров.",
     "Строительство обошлось в 12 миллиардов рублей и заняло четыре года."])


@pytest.fixture
def site():
    with feed_server() as server:
        yield server


def fetcher(allow_private: bool = True, max_bytes: int = 2**20, timeout_s: float = 2.0) -> Fetcher:
    return Fetcher(max_bytes=max_bytes, timeout_s=timeout_s, allow_private=allow_private)


def read(url: str, **kwargs) -> list:
    return Reader(fetcher(**kwargs), lambda url: None).address(url)


def test_a_page_becomes_a_release_cited_by_its_address(site):
    url = site.put("/press/2025/terminal.html", TERMINAL)
    [doc] = read(url)
    assert doc.id == "127.0.0.1/press/2025/terminal" == url_id(url)
    assert doc.url == url and doc.date == "2025-06-02"
    assert doc.title == "В Калининграде открыт новый пассажирский морской терминал"
    assert "250 тысяч пассажиров" in doc.text and "Главная" not in doc.text
    [request] = site.fetched()
    assert request.user_agent.startswith("rag-press-releases/") and not request.conditional


def test_ids_from_addresses_are_stable_and_sanitised():
    assert url_id("https://kremlin.ru/events/president/news/76540") == "kremlin.ru/events/president/news/76540"
    assert url_id("https://kremlin.ru/events/president/news/76540/") == "kremlin.ru/events/president/news/76540"
    assert url_id("http://www.cbr.ru/press/pr/?file=130913_134305reliz-1.htm") == \
        "www.cbr.ru/press/pr_file_130913_134305reliz-1.htm"
    assert url_id("https://example.org/новости/пресс релиз.html") == "example.org/новости/пресс_релиз"
    long = url_id("https://example.org/" + "a" * 400)
    assert len(long) == 200 and long != url_id("https://example.org/" + "a" * 401)


@pytest.mark.parametrize("path, setup, message", [
    ("/missing.html", lambda s: None, "the server answered HTTP 404 Not Found"),
    ("/loop", lambda s: (s.redirect("/loop", "/loop2"), s.redirect("/loop2", "/loop")), "more than 5 redirects"),
    ("/slow.html", lambda s: s.put("/slow.html", TERMINAL, delay=3), "no complete answer within 1 s (RAG_FETCH_TIMEOUT_S)"),
    ("/huge.html", lambda s: s.put("/huge.html", "<p>" + "слово " * 300_000 + "</p>"),
     "page is 3.1 MB, over the limit of 1.0 MB (RAG_MAX_FILE_MB)"),
    ("/photo.html", lambda s: s.put("/photo.html", bytes(range(256)) * 40),
     "binary content (NUL or other control bytes), not a web page"),
    ("/photo.png", lambda s: s.put("/photo.png", b"\x89PNG\r\n", content_type="image/png"),
     "content type image/png is not a web page or feed (HTML, XML, RSS, Atom or text)"),
    ("/empty.html", lambda s: s.put("/empty.html", ""), "the page is empty"),
    ("/menu.html", lambda s: s.put("/menu.html", "<html><body><nav>Главная</nav></body></html>"),
     "no main text found in the HTML page (navigation or boilerplate only)"),
])
def test_each_bad_address_has_its_own_message_naming_it(site, path, setup, message):
    setup(site)
    [failure] = read(site.url(path), timeout_s=1.0)
    assert isinstance(failure, LoadError)
    assert failure.where == site.url(path)
    assert failure.reason == message


def test_an_oversized_page_is_refused_without_a_declared_length_too():
    with pytest.raises(InputError, match="over the limit of 1.0 MB"):
        fetcher()._read(_Body(b"x" * (2**20 + 1)), {}, float("inf"))


class _Body:
    """A response without Content-Length, read in chunks."""

    def __init__(self, data: bytes):
        self.data = data

    def read1(self, n: int) -> bytes:
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk


def test_only_http_and_https_are_fetched(site):
    [ftp] = read("ftp://127.0.0.1/release.html")
    [file] = read("file:///etc/passwd")
    assert ftp.reason == "only http and https addresses are fetched, not ftp"
    assert file.reason == "only http and https addresses are fetched, not file"


def test_a_loopback_address_is_refused_unless_private_addresses_are_allowed(site):
    url = site.put("/press/terminal.html", TERMINAL)
    [refused] = read(url, allow_private=False)
    assert refused.where == url
    assert refused.reason == ("refused: 127.0.0.1 resolves to 127.0.0.1, a loopback, private or reserved address "
                              "(set RAG_FETCH_ALLOW_PRIVATE=1 to allow such addresses)")
    assert site.fetched() == [], "nothing was requested"


def test_every_redirect_hop_is_checked(site, monkeypatch):
    """The first address passes (patched as public); the redirect to 127.0.0.2 does not."""
    monkeypatch.setattr(fetch, "is_public", lambda address: address == "127.0.0.1")
    port = site.server.server_address[1]
    url = site.redirect("/moved", f"http://127.0.0.2:{port}/press/terminal.html")
    [refused] = read(url, allow_private=False)
    assert refused.reason.startswith("refused: 127.0.0.2 resolves to 127.0.0.2")
    assert [r.path for r in site.fetched()] == ["/moved"]


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("240.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("8.8.8.8", True), ("95.173.136.70", True), ("2a00:1450:4001::200e", True),
])
def test_private_and_reserved_ranges_are_not_public(address, public):
    assert is_public(address) is public


def test_a_page_fetched_before_is_fetched_conditionally(site):
    url = site.put("/press/terminal.html", TERMINAL)
    reader = Reader(fetcher(), lambda url: None)
    [doc] = reader.address(url)
    [(page_url, doc_id, validators)] = reader.pages
    assert (page_url, doc_id) == (url, doc.id) and validators.etag and validators.last_modified
    again = Reader(fetcher(), lambda u: (doc_id, validators) if u == url else None)
    assert again.address(url) == [Unchanged(doc.id)]
    assert [r.conditional for r in site.fetched()] == [False, True]
