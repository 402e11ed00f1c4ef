"""A loopback HTTP server that the feed tests start and write into: pages, RSS and Atom feeds, and the bad
cases (404, a redirect loop, a slow answer, an oversized page, binary bytes under an .html name).

It answers conditional requests (ETag and Last-Modified) with 304 and logs every request, so the tests can
count what a sync fetched. Not a test module.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

LAST_MODIFIED = "Mon, 02 Jun 2025 09:00:00 GMT"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None
    delay: float = 0.0
    validators: bool = True


@dataclass(frozen=True)
class Request:
    path: str
    conditional: bool
    user_agent: str


class FeedServer:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", **kwargs) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, content_type, **kwargs)
        return self.url(path)

    def redirect(self, path: str, to: str) -> str:
        self.routes[path] = Route(status=302, location=to)
        return self.url(path)

    def fetched(self) -> list[Request]:
        """The requests made since the last call."""
        done, self.requests = self.requests, []
        return done


def _handler(site: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
            site.requests.append(Request(self.path, conditional, self.headers.get("User-Agent", "")))
            route = site.routes.get(self.path)
            if route is None:
                self._send(404, b"<html><body>not found</body></html>", "text/html")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.location:
                self.send_response(route.status)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.validators and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._send(route.status, route.body, route.content_type,
                       {"ETag": etag, "Last-Modified": LAST_MODIFIED} if route.validators else {})

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def feed_server() -> Iterator[FeedServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    site = FeedServer(server)
    server.RequestHandlerClass = _handler(site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def release_page(title: str, date: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{date}"></head><body>'
            f'<nav><a href="/">Главная</a> <a href="/press">Пресс-центр</a></nav>'
            f"<article><h1>{title}</h1><time datetime=\"{date}\">{date}</time>{body}</article>"
            f"<footer>© Пресс-служба</footer></body></html>")


def rss(title: str, items: list[dict]) -> str:
    entries = ""
    for item in items:
        entries += "<item>"
        entries += f"<title>{item['title']}</title>" if item.get("title") else ""
        entries += f"<link>{item['link']}</link>" if item.get("link") else ""
        entries += f"<guid>{item['link']}</guid>" if item.get("link") else ""
        entries += f"<pubDate>{item['date']}</pubDate>" if item.get("date") else ""
        entries += f"<description>{item.get('summary', '')}</description>"
        if item.get("html"):
            entries += f"<content:encoded><![CDATA[{item['html']}]]></content:encoded>"
        entries += "</item>"
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>http://example.invalid/</link><description>{title}</description>"
            f"{entries}</channel></rss>")


def atom(title: str, entries: list[dict]) -> str:
    body = ""
    for entry in entries:
        body += f"<entry><title>{entry['title']}</title><id>{entry['link']}</id>"
        body += f'<link rel="alternate" href="{entry["link"]}"/><updated>{entry["date"]}</updated>'
        if entry.get("html"):
            body += f'<content type="html"><![CDATA[{entry["html"]}]]></content>'
        else:
            body += f"<summary>{entry.get('summary', '')}</summary>"
        body += "</entry>"
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{title}</title><id>urn:feed</id><updated>2025-06-02T09:00:00Z</updated>{body}</feed>")
