"""Adding releases by address and following feeds: fetch outside the index lock, write under it.

A sync fetches each followed feed conditionally (its ETag / Last-Modified, and the hash of its last body
for servers that send neither): an unchanged feed costs one request and nothing else. A changed feed's
items are ingested like files (added / updated / unchanged / duplicate / failed), their pages fetched
conditionally too. A feed's validators are kept only after a sync in which no item failed, so that the
next sync reads a failed item again.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

from rag.documents import LoadError
from rag.feeds import looks_like_feed, parse_feed
from rag.fetch import Fetcher, Response
from rag.ingest import IngestSummary, Input, ingest
from rag.messages import InputError
from rag.settings import Settings
from rag.store.feeds import Feed, Validators
from rag.store.index import Index
from rag.store.shared_lock import SharedLock
from rag.web import Item, Reader, is_url


@dataclass
class AddressReport:
    """What one page or feed gave: `error` when the address itself failed, else the summary of its items."""
    url: str
    is_feed: bool = False
    summary: IngestSummary = field(default_factory=IngestSummary)
    error: LoadError | None = None
    not_modified: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None or bool(self.summary.failed)

    def result(self) -> str:
        if self.error is not None:
            return f"failed: {self.error.reason}"
        counts = ", ".join(f"{k} {v}" for k, v in self.summary.counts().items())
        return counts + (" (not modified)" if self.not_modified else "")

    def line(self) -> str:
        return f"{self.url}: {self.result()}"

    def to_dict(self) -> dict:
        return {"url": self.url, "feed": self.is_feed, "not_modified": self.not_modified,
                "error": self.error.reason if self.error else None, **self.summary.to_dict()}


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


class Library:
    """The index's releases from addresses; `lock` is the Assistant's, held only while the index is used."""

    def __init__(self, index: Index, lock: SharedLock, settings: Settings):
        self.index = index
        self.lock = lock
        self.settings = settings
        self.fetcher = Fetcher(int(settings.max_file_mb * 2**20), settings.fetch_timeout_s,
                               settings.fetch_allow_private)
        # Feeds being added and synced by `add_address`: a background sync leaves them alone, or it could
        # read one first and the user adding it would be told nothing was added.
        self._adding: set[str] = set()

    def _known_page(self, url: str) -> tuple[str, Validators] | None:
        with self.lock:
            return self.index.manifest.feeds.page(url)

    def reader(self) -> Reader:
        return Reader(self.fetcher, self._known_page)

    def prefetch(self, url: str, reader: Reader) -> Input:
        """An input of ingest for one address, fetched now (before the ingest takes the lock)."""
        items = reader.address(url)
        return Input(url, lambda: items)

    def save_pages(self, reader: Reader, summary: IngestSummary) -> None:
        stored = {*summary.added, *summary.updated, *summary.unchanged}
        self.index.manifest.feeds.save_pages(p for p in reader.pages if p[1] in stored)

    def follow(self, url: str, source: str = "") -> bool:
        """Adds a feed (False when it was followed already); it is read by the next sync."""
        if not is_url(url) or not url.lower().startswith(("http://", "https://")):
            raise InputError("url_scheme", scheme=url.split("://", 1)[0] if "://" in url else "(none)")
        with self.lock:
            return self.index.manifest.feeds.add(url, source)

    def unfollow(self, url: str) -> None:
        """Stops following a feed; the releases it brought stay."""
        with self.lock:
            if not self.index.manifest.feeds.remove(url):
                raise InputError("no_such_feed", url=url)

    def feeds(self) -> list[Feed]:
        with self.lock:
            return self.index.manifest.feeds.all()

    def sync(self, urls: list[str] | None = None) -> list[AddressReport]:
        return [self.sync_feed(feed) for feed in self.feeds()
                if (urls is None or feed.url in urls) and feed.url not in self._adding]

    def sync_feed(self, feed: Feed, response: Response | None = None) -> AddressReport:
        report = AddressReport(feed.url, is_feed=True)
        asked = response is not None  # fetched by the caller to be read now, whatever the last sync saw
        try:
            response = response or self.fetcher.get(feed.url, feed.validators)
            body_hash = _body_hash(response.body)
            if not asked and (response.not_modified or body_hash == feed.validators.body_hash):
                report.not_modified = True
                self._record(feed.url, report, None)
                return report
            parsed = parse_feed(response.body)
        except InputError as problem:
            report.error = LoadError(feed.url, problem)
            self._record(feed.url, report, None)
            return report
        reader = self.reader()
        items = reader.items(feed.url, parsed, feed.source)
        report.summary = self._ingest(items, feed.url, reader)
        validators = Validators(response.validators.etag, response.validators.last_modified, body_hash)
        self._record(feed.url, report, None if report.summary.failed else validators)
        return report

    def _ingest(self, items: list[Item], name: str, reader: Reader) -> IngestSummary:
        with self.index.writing(), self.lock:
            summary = ingest(self.index, [Input(name, lambda: items)], self.settings.chunk_chars)
            self.save_pages(reader, summary)
        return summary

    def _record(self, url: str, report: AddressReport, validators: Validators | None) -> None:
        with self.lock:
            self.index.manifest.feeds.synced(url, report.result(), validators)

    def add_address(self, url: str, source: str = "") -> AddressReport:
        """A page is ingested; a feed is followed and synced at once (the web chat's «Корпус» tab)."""
        reader = self.reader()
        try:
            response = self.fetcher.get(url)
        except InputError as problem:
            return AddressReport(url, error=LoadError(url, problem))
        if looks_like_feed(response.content_type, response.body):
            self._adding.add(url)
            try:
                self.follow(url, source)
                return self.sync_feed(self.feeds_by_url(url), response)
            finally:
                self._adding.discard(url)
        return AddressReport(url, summary=self._ingest(reader.address(url, response), url, reader))

    def feeds_by_url(self, url: str) -> Feed:
        with self.lock:
            found = self.index.manifest.feeds.get(url)
        if found is None:
            raise InputError("no_such_feed", url=url)
        return found


class BackgroundSync:
    """`rag serve --sync-every MINUTES`: syncs in a daemon thread; writes go through the Assistant's lock."""

    def __init__(self, library: Library, minutes: float, log: Callable[[str], None] | None = None):
        self.library = library
        self.seconds = minutes * 60
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="rag-feed-sync", daemon=True)
        self.rounds = 0

    def start(self) -> "BackgroundSync":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=self.library.settings.fetch_timeout_s * 2)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                for report in self.library.sync():
                    self.log(f"sync: {report.line()}")
            except Exception as exc:  # a failed round must not end the thread; the next round retries
                self.log(f"sync failed: {exc}")
            self.rounds += 1
