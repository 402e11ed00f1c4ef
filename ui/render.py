"""HTML for answers in the chat: [n] markers that open their source, and the list of sources.

Pure functions of the core's answer dictionaries, so they are tested without a browser. Every piece of
text from documents is escaped; the chat's sanitiser keeps the tags used here (a, details, mark, sup).
"""

from __future__ import annotations

import html
import re
from itertools import count

from ui.strings import Strings

MARKER = re.compile(r"\[(\d+)\]")
_answer_ids = count(1)


def answer_html(answer: dict, passages: dict[str, str], strings: Strings) -> str:
    """The answer with clickable [n], then every cited release with its passage (quote highlighted)."""
    key = f"a{next(_answer_ids)}"
    if answer["refused"]:
        return _refusal_html(answer, strings)
    by_n = {c["n"]: c for c in answer["citations"]}

    def link(match: re.Match) -> str:
        citation = by_n.get(int(match[1]))
        if citation is None:
            return html.escape(match[0])
        tip = html.escape(f"{citation['title']} ({citation['date']}): {citation['quote']}", quote=True)
        return f'<a class="cite" href="#{key}-{match[1]}" title="{tip}"><sup>[{match[1]}]</sup></a>'

    body = MARKER.sub(link, html.escape(answer["answer"], quote=False))
    releases: dict[str, list[dict]] = {}
    for citation in answer["citations"]:
        releases.setdefault(citation["doc_id"], []).append(citation)
    sources = "".join(_release_html(key, cited, passages, strings) for cited in releases.values())
    notice = f'<p class="notice">{html.escape(answer["notice"])}</p>' if answer.get("notice") else ""
    return f'{notice}<div class="answer">{body}</div><div class="sources"><b>{strings.sources}</b>{sources}</div>'


def _release_html(key: str, cited: list[dict], passages: dict[str, str], strings: Strings) -> str:
    """One cited release: its title, date, source and link, then each of its citations with the passage."""
    first = cited[0]
    meta = " · ".join(html.escape(x) for x in (first["date"], first["source"]) if x)
    link = (f' <a href="{html.escape(first["url"], quote=True)}" target="_blank" rel="noopener">{strings.open_source}</a>'
            if first["url"].startswith(("http://", "https://")) else "")
    quotes = "".join(
        f'<details class="source" id="{key}-{c["n"]}"><summary>[{c["n"]}] {html.escape(_preview(c["quote"]))}</summary>'
        f'<blockquote>{highlight(passages.get(c.get("chunk_id", ""), c["quote"]), c["quote"])}</blockquote></details>'
        for c in cited
    )
    return (f'<div class="release"><div class="release-title">{html.escape(first["title"])}'
            f' <span class="meta">{meta}</span>{link}</div>{quotes}</div>')


def _preview(quote: str, limit: int = 90) -> str:
    text = " ".join(quote.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def highlight(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted part wrapped in <mark>."""
    start = passage.find(quote) if quote else -1
    if start < 0:
        return f"<mark>{html.escape(quote)}</mark>" if quote else html.escape(passage)
    end = start + len(quote)
    return f"{html.escape(passage[:start])}<mark>{html.escape(quote)}</mark>{html.escape(passage[end:])}"


def _refusal_html(answer: dict, strings: Strings) -> str:
    first_line = html.escape(answer["answer"].split("\n", 1)[0])
    items = "".join(
        f"<li>{_title_link(d)} <span class='meta'>{html.escape(d['date'] or '')}</span></li>" for d in answer["closest"]
    )
    closest = f"<p>{strings.closest}</p><ul>{items}</ul>" if items else ""
    return f'<div class="refusal"><p>⚠️ {first_line}</p>{closest}</div>'


def _title_link(document: dict) -> str:
    title = html.escape(document["title"])
    url = document.get("url") or ""
    if url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener">{title}</a>'
    return title
