"""Evaluation suites: JSONL questions with gold documents and answer facts, validated on load."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("factoid", "paraphrase", "date", "multi_doc", "followup", "unanswerable")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    question: str
    gold_doc_ids: tuple[str, ...]
    answer_facts: tuple[str, ...]
    history: tuple[str, ...] = field(default=())
    gold_quote: str = ""  # the sentence that answers it, where the suite names one

    @property
    def answerable(self) -> bool:
        return bool(self.gold_doc_ids)


def load_suite(path: Path) -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: broken JSON ({exc.msg})") from None
        for name in ("id", "kind", "question"):
            if not str(row.get(name) or "").strip():
                raise ValueError(f"{where}: missing field {name!r}")
        if row["kind"] not in KINDS:
            raise ValueError(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if row["id"] in seen:
            raise ValueError(f"{where}: id {row['id']!r} repeats")
        seen.add(row["id"])
        history = tuple(h["q"] if isinstance(h, dict) else str(h) for h in row.get("history") or [])
        cases.append(Case(str(row["id"]), row["kind"], row["question"], tuple(row.get("gold_doc_ids") or ()),
                          tuple(row.get("answer_facts") or ()), history, str(row.get("gold_quote") or "")))
    return cases
