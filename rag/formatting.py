"""An answer as plain text: the cited answer with its [n] markers, its timeline as a table (date, value, release),
then one line per cited release."""

from __future__ import annotations

TITLE_CHARS = 90
NO_VALUE = "–"


def format_answer(answer, with_text: bool = True) -> str:
    lines = [answer.answer] if with_text else []
    if answer.notice:
        lines.append(f"({answer.notice})")
    if answer.timeline:
        lines += ["", *timeline_table(answer.timeline)]
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


def timeline_table(rows: list[dict]) -> list[str]:
    """One line a release: its date, the value it gives (– for none) and its title."""
    width = max(len(row["value"] or NO_VALUE) for row in rows)
    return [f"{row['date']:<10}  {row['value'] or NO_VALUE:<{width}}  {_cut(' '.join(row['label'].split()))}"
            for row in rows]


def _cut(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def markers(citations: list[dict]) -> str:
    return "".join(f"[{c['n']}]" for c in citations)
