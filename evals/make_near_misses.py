"""Makes near-miss questions by substitution (see ../shared/notes/measuring-answers.md): an answerable
question of a tuning suite with one of its named entities swapped for another entity of the same kind that
its gold releases never mention. The corpus says mechanically that the swapped question is unanswerable
from those releases; a release that does mention the substitute may still answer it, so each swap is kept
only when no release of the corpus mentions both the substitute and the question's other entities.

    python evals/make_near_misses.py evals/dev.jsonl evals/tuning-holdout1.jsonl --out evals/tuning-swaps1.jsonl

The output is tuning data: report it apart from the held-out suites.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from rag.answering.question import read_question
from rag.evaluation.command import documents
from rag.evaluation.suites import load_suite
from rag.query import build_query
from rag.text import terms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("suites", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    cases = [c for suite in args.suites for c in load_suite(suite) if c.answerable and c.kind != "followup"]
    corpus = [Path(line) if Path(line).is_absolute() else (args.suites[0].parent / line).resolve()
              for line in (args.suites[0].with_suffix(".corpus.txt")).read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    stems = {d.id: set(terms(d.title + " " + d.text)) for d in documents(corpus, 2**30)}
    models = {c.id: read_question(build_query(c.question)) for c in cases}
    pool: dict[str, list] = {}
    for model in models.values():
        for entity in model.entities:
            if entity.kind in ("PER", "LOC") and all(any(s in d for d in stems.values()) for s in entity.stems):
                pool.setdefault(entity.kind, []).append(entity)
    made = []
    for case in cases:
        for entity in models[case.id].entities:
            others = [e for e in pool.get(entity.kind, []) if e.stems != entity.stems and not any(
                set(e.stems) & stems[g] for g in case.gold_doc_ids)]
            rest = [e for e in models[case.id].entities if e is not entity]
            random.shuffle(others)
            substitute = next((e for e in others if not any(
                set(e.stems) <= d and all(set(r.stems) <= d for r in rest) for d in stems.values())), None)
            if substitute is None:
                continue
            made.append({"id": f"swap-{case.id}-{len(made) + 1}", "kind": "unanswerable",
                         "question": case.question.replace(entity.text, substitute.text, 1),
                         "gold_doc_ids": [], "answer_facts": [], "history": [],
                         "swapped": f"{entity.text} -> {substitute.text}"})
            break
    args.out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in made), encoding="utf-8")
    args.out.with_suffix(".corpus.txt").write_text(
        args.suites[0].with_suffix(".corpus.txt").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{len(made)} near misses from {len(cases)} answerable questions -> {args.out}")


if __name__ == "__main__":
    main()
