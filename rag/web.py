"""Releases from web addresses: a page, or the items of a feed, read into documents.

A page's main text, title and date are extracted as for .html files; it is stored with its address as the
citation link and an id made from the address (`url_id`). A feed item is taken from the feed's own full
text when it carries one, else from its page. Pages are fetched conditionally when an earlier fetch left
validators, and a 304 means the stored document is unchanged. Every failure names the address it concerns.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import urlsplit

from rag.documents import FIELD_LIMITS, Document, LoadError, load_html, load_markdown, record_to_document
from rag.feeds import FeedItem, ParsedFeed, looks_like_feed, parse_feed
from rag.fetch import Fetcher, Response
from rag.messages import InputError
from rag.reading import decode_bytes, looks_binary
from rag.store.feeds import Validators

URL_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class Unchanged:
    """A page the server says has not changed since its document was stored."""
    doc_id: str


Item = Document | LoadError | Unchanged
KnownPage = Callable[[str], "tuple[str, Validators] | None"]


def is_url(value: str) -> bool:
    return bool(URL_PATTERN.match(value))


def url_id(url: str) -> str:
    """host + path (+ query), without a trailing slash or the last segment's extension, with characters an
    id may not hold turned into '_', like ids made from paths (https://kremlin.ru/events/76540 ->
    kremlin.ru/events/76540). Too long, it is cut and keeps a hash of the whole address."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = PurePosixPath(path).name
    if "." in last and len(last.rsplit(".", 1)[1]) <= 5:
        path = path[: -len(last)] + last.rsplit(".", 1)[0]
    raw = (parts.hostname or "") + path + (f"_{parts.query}" if parts.query else "")
    cleaned = re.sub(r"[^\w.:@/-]+", "_", raw).strip("_/") or "page"
    limit = FIELD_LIMITS["id"]
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 13] + "_" + hashlib.sha256(url.encode()).hexdigest()[:12]


def page_document(response: Response, doc_id: str, url: str) -> Document:
    """Raises InputError for a body that is not a readable release."""
    body = response.body
    if not body.strip():
        raise InputError("empty_page")
    if looks_binary(body):
        raise InputError("binary_page")
    text = _decode(body, response.charset)
    loader = load_markdown if response.content_type == "text/plain" else load_html
    return replace(loader(text, doc_id, url), url=url, origin=url)


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(codecs.lookup(charset).name, errors="replace") if charset else decode_bytes(body)
    except LookupError:
        return decode_bytes(body)


@dataclass
class Reader:
    """Reads addresses for one ingest or sync; `pages` collects the validators of fetched pages, saved by
    the caller once their documents are stored."""

    fetcher: Fetcher
    known_page: KnownPage
    pages: list[tuple[str, str, Validators]] = field(default_factory=list)

    def address(self, url: str, response: Response | None = None) -> list[Item]:
        """A page, or every item of a feed read once (following a feed is `rag feeds add`); `response` when
        the address was fetched already."""
        try:
            _check_length(url)
            known = self.known_page(url) if response is None else None
            response = response or self.fetcher.get(url, known[1] if known else None)
            if response.not_modified and known:
                return [Unchanged(known[0])]
            if looks_like_feed(response.content_type, response.body):
                return self.items(url, parse_feed(response.body), "")
            doc = page_document(response, url_id(url), url)
        except InputError as problem:
            return [LoadError(url, problem)]
        self.pages.append((url, doc.id, response.validators))
        return [doc]

    def items(self, feed_url: str, feed: ParsedFeed, source: str) -> list[Item]:
        return [self.item(feed_url, item, source or feed.title) for item in feed.items]

    def item(self, feed_url: str, item: FeedItem, source: str) -> Item:
        where = item.link or f"{feed_url} (item {item.number})"
        try:
            if not item.link:
                raise InputError("feed_item_no_link", number=item.number, title=item.title or "-")
            _check_length(item.link)
            if item.text:
                return record_to_document({"id": url_id(item.link), "title": item.title, "date": item.date,
                                           "source": source, "url": item.link, "text": item.text}, where=where)
            known = self.known_page(item.link)
            response = self.fetcher.get(item.link, known[1] if known else None)
            if response.not_modified and known:
                return Unchanged(known[0])
            doc = page_document(response, url_id(item.link), item.link)
            # The feed's title and date are the publisher's own; the page's are extracted guesses.
            doc = record_to_document({**doc.to_dict(), "title": item.title or doc.title, "date": item.date or doc.date,
                                      "source": source or doc.source}, where=where)
        except InputError as problem:
            return LoadError(where, problem)
        self.pages.append((item.link, doc.id, response.validators))
        return doc


def _check_length(url: str) -> None:
    if len(url) > FIELD_LIMITS["url"]:
        raise InputError("field_too_long", field="url", length=len(url), limit=FIELD_LIMITS["url"])
