"""HTML for answers in the chat: [n] markers that open their source, and the list of sources.

Pure functions of the core's answer dictionaries, so they are tested without a browser. Release text is
untrusted: every piece of it reaches HTML through `text` or `line`, and the chat renders messages as HTML
without markdown (ui/app.py), so a release's markdown or HTML shows as the characters it is made of. The
chat's sanitiser keeps the tags used here (a, details, mark, sup).
"""

from __future__ import annotations

import html
import re
from itertools import count
from urllib.parse import urlsplit

from ui.strings import Strings

MARKER = re.compile(r"\[(\d+)\]")
_answer_ids = count(1)


def text(value: str) -> str:
    """Any text as HTML that shows it literally, inside an element or an attribute."""
    return html.escape(value, quote=True)


def line(value: str) -> str:
    """Text that must fit on one line (a title, a tooltip): line breaks and blank lines become spaces."""
    return text(" ".join(value.split()))


def answer_html(answer: dict, passages: dict[str, str], strings: Strings) -> str:
    """The answer with clickable [n], then every cited release with its passage (quote highlighted)."""
    key = new_key()
    if answer["refused"]:
        return _refusal_html(answer, strings)
    by_n = {c["n"]: c for c in answer["citations"]}

    def link(match: re.Match) -> str:
        citation = by_n.get(int(match[1]))
        if citation is None:
            return match[0]
        tip = f"{citation['title']} ({citation['date']}): {citation['quote']}"
        return cite_link(f"{key}-{match[1]}", match[1], tip)

    body = MARKER.sub(link, text(answer["answer"]))
    releases: dict[str, list[dict]] = {}
    for citation in answer["citations"]:
        releases.setdefault(citation["doc_id"], []).append(citation)
    sources = "".join(_release_html(key, cited, passages, strings) for cited in releases.values())
    notice = f'<p class="notice">{text(answer["notice"])}</p>' if answer.get("notice") else ""
    return f'{notice}<div class="answer">{body}</div><div class="sources"><b>{strings.sources}</b>{sources}</div>'


def _release_html(key: str, cited: list[dict], passages: dict[str, str], strings: Strings) -> str:
    """One cited release: its title, date, source and link, then each of its citations with the passage."""
    first = cited[0]
    meta = " · ".join(line(x) for x in (first["date"], first["source"]) if x)
    opener = external_link(first["url"], strings.open_source)
    quotes = "".join(passage_details(f"{key}-{c['n']}", c["n"], c["quote"],
                                     passages.get(c.get("chunk_id", ""), c["quote"]), c["quote"]) for c in cited)
    return (f'<div class="release"><div class="release-title">{line(first["title"])}'
            f' <span class="meta">{meta}</span>{" " + opener if opener else ""}</div>{quotes}</div>')


def new_key(prefix: str = "a") -> str:
    """A fresh prefix for the ids of one answer's passages, so that [n] opens its own answer's passage."""
    return f"{prefix}{next(_answer_ids)}"


def cite_link(anchor: str, n: int | str, tip: str) -> str:
    """[n] that opens the passage with id `anchor` (ui/assets/citations.js); the tip shows on hover."""
    return f'<a class="cite" href="#{anchor}" title="{line(tip)}"><sup>[{n}]</sup></a>'


def passage_details(anchor: str, n: int | str, summary: str, passage: str, quote: str) -> str:
    """A closed passage under its summary, the quote highlighted: what [n] opens."""
    return (f'<details class="source" id="{anchor}"><summary>[{n}] {text(_preview(summary))}</summary>'
            f'<blockquote>{highlight(passage, quote)}</blockquote></details>')


def external_link(url: str, label_html: str) -> str:
    """A link that opens `url` in a new tab, only for an http(s) address; '' for anything else.

    noreferrer keeps the chat's address from the release's site; nothing on the page fetches the URL itself.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return ""
    return f'<a href="{text(url)}" target="_blank" rel="noopener noreferrer">{label_html}</a>'


def _preview(quote: str, limit: int = 90) -> str:
    words = " ".join(quote.split())
    return words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0] + "…"


def highlight(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted part wrapped in <mark>."""
    start = passage.find(quote) if quote else -1
    if start < 0:
        return f"<mark>{text(quote)}</mark>" if quote else text(passage)
    end = start + len(quote)
    return f"{text(passage[:start])}<mark>{text(quote)}</mark>{text(passage[end:])}"


def _refusal_html(answer: dict, strings: Strings) -> str:
    first_line = text(answer["answer"].split("\n", 1)[0])
    items = "".join(
        f"<li>{_title_link(d)} <span class='meta'>{line(d['date'] or '')}</span></li>" for d in answer["closest"]
    )
    closest = f"<p>{strings.closest}</p><ul>{items}</ul>" if items else ""
    return f'<div class="refusal"><p>⚠️ {first_line}</p>{closest}</div>'


def _title_link(document: dict) -> str:
    title = line(document["title"])
    return external_link(document.get("url") or "", title) or title
