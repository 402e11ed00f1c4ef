"""Evaluation suites: JSONL questions with gold documents and answer facts, validated on load."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("factoid", "paraphrase", "date", "multi_doc", "followup", "unanswerable", "temporal")
# What a "temporal" case asks of time: the release after or before the one discussed, the first later one
# that did something, the newest, the one in force on (or estimating) a day, how a value changed.
TEMPORAL = ("next", "previous", "first_after", "latest", "as_of", "change")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    question: str
    gold_doc_ids: tuple[str, ...]
    answer_facts: tuple[str, ...]
    history: tuple[str, ...] = field(default=())
    gold_quote: str = ""  # the sentence that answers it, where the suite names one
    temporal: str = ""  # for kind "temporal": one of TEMPORAL
    # For "change" questions: every release of the period, {"date", "doc_id", "value"} ("" when it gives none).
    gold_timeline: tuple[dict, ...] = ()

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
        history = _earlier_questions(row.get("history") or [], where)
        cases.append(Case(str(row["id"]), row["kind"], row["question"], tuple(row.get("gold_doc_ids") or ()),
                          tuple(row.get("answer_facts") or ()), history, str(row.get("gold_quote") or ""),
                          *_temporal(row, where)))
    return cases


def _earlier_questions(history: list, where: str) -> tuple[str, ...]:
    """The questions asked before, given as strings, {"q": …}, or chat messages ({"role": "user", "content": …};
    the assistant's turns are left out: an answer is asked of the questions that led to it)."""
    asked = []
    for turn in history:
        if isinstance(turn, str):
            asked.append(turn)
        elif isinstance(turn, dict) and isinstance(turn.get("q"), str):
            asked.append(turn["q"])
        elif isinstance(turn, dict) and turn.get("role") in ("user", "assistant") and isinstance(turn.get("content"), str):
            if turn["role"] == "user":
                asked.append(turn["content"])
        else:
            raise ValueError(f"{where}: each history turn is a question, {{\"q\": …}} or {{\"role\": …, \"content\": …}}")
    return tuple(asked)


def _temporal(row: dict, where: str) -> tuple[str, tuple[dict, ...]]:
    if row["kind"] != "temporal":
        return "", ()
    if row.get("temporal") not in TEMPORAL:
        raise ValueError(f"{where}: temporal {row.get('temporal')!r} is not one of {', '.join(TEMPORAL)}")
    timeline = row.get("gold_timeline") or []
    for item in timeline:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("date", "doc_id", "value")):
            raise ValueError(f"{where}: each gold_timeline row needs string fields date, doc_id and value")
    return row["temporal"], tuple(timeline)
