"""RSS 2.0 and Atom feeds read with feedparser from bytes that `rag.fetch` fetched (feedparser never opens
a URL here): each item's link, title, date, and its full text when the feed carries one (RSS
content:encoded, Atom content), as plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import lxml.html

from rag.messages import InputError

_BLOCKS = "//p|//div|//li|//h1|//h2|//h3|//h4|//h5|//h6|//blockquote|//tr|//pre"


@dataclass(frozen=True)
class FeedItem:
    number: int
    link: str
    title: str
    date: str
    text: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[FeedItem]


def looks_like_feed(content_type: str, body: bytes) -> bool:
    if content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/feed+xml"):
        return True
    head = body[:2048].lstrip().lower()
    return content_type in ("text/xml", "application/xml", "") and (
        b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)


def parse_feed(body: bytes) -> ParsedFeed:
    import feedparser  # 30 ms of imports, which only a feed needs

    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise InputError("not_a_feed", error=" ".join(str(problem).split()) if problem else "no items")
    items = [FeedItem(number, str(entry.get("link") or "").strip(), " ".join(str(entry.get("title") or "").split()),
                      _date(entry), _full_text(entry))
             for number, entry in enumerate(parsed.entries, start=1)]
    return ParsedFeed(" ".join(str(parsed.feed.get("title") or "").split()), items)


def _full_text(entry) -> str:
    for content in entry.get("content") or []:
        value = str(content.get("value") or "")
        if value.strip():
            return html_text(value) if "html" in str(content.get("type") or "html") else value.strip()
    return ""


def _date(entry) -> str:
    """The item's own calendar date, in its own time zone (a release of 00:30 Moscow time is of that day)."""
    for name in ("published", "updated"):
        raw = str(entry.get(name) or "").strip()
        if not raw:
            continue
        for parse in (datetime.fromisoformat, parsedate_to_datetime):
            try:
                return parse(raw.replace("Z", "+00:00")).date().isoformat()
            except (ValueError, TypeError):
                continue
    return ""


def html_text(fragment: str) -> str:
    """Text of an HTML fragment with its paragraphs on their own lines; scripts and styles dropped."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    for dropped in root.xpath("//script|//style"):
        dropped.drop_tree()
    for br in root.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.xpath(_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
