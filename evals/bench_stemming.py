"""Stemming for search, timed: `rag.stemming.stems` (Snowball, with the nouns it cuts like verbs stemmed from
pymorphy3's dictionary) beside Snowball alone, on the words of the shared releases and of the news leads, in one
run, each three times in turn; the first pass of ours is cold (its noun cache empty). Also counts how many words
the noun step changes.

    python evals/bench_stemming.py [--leads 79000] [--out evals/results/stemming.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import stemming  # noqa: E402
from rag.text import STOPWORDS, words  # noqa: E402

PRESS = ROOT.parent / "shared" / "data" / "press"


def _texts(leads: int) -> list[str]:
    texts = [json.loads(line)["text"] for name in ("cbr_keyrate", "kremlin_mid_archive", "kremlin_ru_2025")
             for line in (PRESS / f"{name}.jsonl").open(encoding="utf-8")]
    for path in sorted((PRESS / "general_news").glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line, _ in zip(lines, range(leads)):
                row = json.loads(line)
                texts.append(f"{row['title']} {row.get('text', '')}")
    return texts


def _timed(stem, batches: list[list[str]]) -> float:
    start = time.perf_counter()
    for batch in batches:
        stem(batch)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=79000)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "stemming.md")
    args = parser.parse_args()
    if not PRESS.exists():
        sys.exit(f"needs the shared releases at {PRESS}")
    batches = [[w for w in words(text) if w not in STOPWORDS and w[0].isalpha()] for text in _texts(args.leads)]
    count = sum(map(len, batches))
    snowball = stemming._stemmer().stemWords
    cold = _timed(stemming.stems, batches)
    plain, ours = [], []
    for _ in range(3):
        plain.append(_timed(snowball, batches))
        ours.append(_timed(stemming.stems, batches))
    distinct = {w for batch in batches for w in batch}
    changed = sum(stemming.stem(w) != snowball([w])[0] for w in distinct)
    base = statistics.median(plain)
    lines = [
        f"# Stemming, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"{len(batches)} texts (releases and up to {args.leads} news leads), {count} words, {len(distinct)} distinct.",
        "",
        "| | seconds (median of 3) | × Snowball alone |",
        "|---|---|---|",
        f"| Snowball alone | {base:.2f} | 1.00 |",
        f"| ours, cold (first pass) | {cold:.2f} | {cold / base:.2f} |",
        f"| ours, warm | {statistics.median(ours):.2f} | {statistics.median(ours) / base:.2f} |",
        "",
        f"Distinct words whose stem the noun step changes: {changed} ({changed / len(distinct):.2%}).",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
