"""An answer as plain text: the cited answer with its [n] markers, then one line per cited release."""

from __future__ import annotations


def format_answer(answer, with_text: bool = True) -> str:
    lines = [answer.answer] if with_text else []
    if answer.notice:
        lines.append(f"({answer.notice})")
    releases: dict[str, list[dict]] = {}
    for citation in answer.citations:
        releases.setdefault(citation["doc_id"], []).append(citation)
    if releases:
        lines.append("")
    for cited in releases.values():
        first = cited[0]
        where = ", ".join(x for x in (first["date"], first["source"], first["url"]) if x)
        lines.append(f"{markers(cited)} {first['title']} ({where})")
    return "\n".join(lines)


def markers(citations: list[dict]) -> str:
    return "".join(f"[{c['n']}]" for c in citations)
