"""Precision and recall of near-duplicate detection (rag/store/near.py) at several Jaccard thresholds.

Near-duplicate pairs are made from the real releases in ../shared/data/press/*.jsonl, one of each edit per
release: the first paragraph dropped, a sentence reworded, a sentence added, typos, a new title with one
edited word, and typos plus an added sentence. Distinct pairs are every two different releases of one file
(the Bank of Russia key-rate releases of different dates are the hardest: the same template, other numbers).
A pair is flagged as it is at ingest: the LSH query of one finds the other and the signatures' estimated
Jaccard similarity reaches the threshold.

    .venv/bin/python bench/near_duplicates.py [--data ../shared/data/press] [--thresholds 0.5 0.6 ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from pathlib import Path

from rag.store.near import NUM_PERM, Bands, shingles, signature, similarity

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press"
ADDED = "Пресс-служба отдельно отметила, что подробности будут опубликованы на официальном сайте в ближайшие дни."
LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def drop_first_paragraph(text: str, rng: random.Random) -> str | None:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return "\n".join(paragraphs[1:]) if len(paragraphs) > 2 else None


def reword_sentence(text: str, rng: random.Random) -> str | None:
    parts = sentences(text)
    long = [i for i, s in enumerate(parts) if len(s.split()) >= 8]
    if not long:
        return None
    i = rng.choice(long)
    tokens = parts[i].split()
    # Two words swapped and two replaced: how an editor rephrases one sentence.
    j = rng.randrange(len(tokens) - 1)
    tokens[j], tokens[j + 1] = tokens[j + 1], tokens[j]
    for k in rng.sample(range(len(tokens)), 2):
        tokens[k] = rng.choice(["также", "вновь", "официально", "отдельно"])
    parts[i] = " ".join(tokens)
    return " ".join(parts)


def add_sentence(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    parts.insert(rng.randrange(len(parts) + 1), ADDED)
    return " ".join(parts)


def typos(text: str, rng: random.Random, count: int = 5) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in sorted(rng.sample(letters, min(count, len(letters))), reverse=True):
        kind = rng.randrange(3)
        if kind == 0:
            del chars[i]
        elif kind == 1:
            chars.insert(i, rng.choice(LETTERS))
        else:
            chars[i] = rng.choice(LETTERS)
    return "".join(chars)


def new_title_one_word(text: str, rng: random.Random) -> str:
    """The title is not part of what is compared; the text differs by one word."""
    return typos(text, rng, count=1)


EDITS = {
    "first paragraph dropped": drop_first_paragraph,
    "sentence reworded": reword_sentence,
    "sentence added": add_sentence,
    "5 typos": typos,
    "new title, one typo": new_title_one_word,
    "5 typos + sentence added": lambda t, r: add_sentence(typos(t, r), r),
}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8, 0.9])
    args = parser.parse_args()
    rng = random.Random(20261125)
    files = {path.stem: [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
             for path in sorted(args.data.glob("*.jsonl"))}
    releases = [r for records in files.values() for r in records]
    signatures = {r["id"]: signature(r["text"]) for r in releases}

    variants = []  # (edit, original id, signature, exact Jaccard)
    for record in releases:
        for edit, make in EDITS.items():
            changed = make(record["text"], rng)
            if changed is not None:
                variants.append((edit, record["id"], signature(changed),
                                 jaccard(shingles(record["text"]), shingles(changed))))
    distinct = [(a["id"], b["id"], name) for name, records in files.items()
                for a, b in itertools.combinations(records, 2)]
    exact = {(a, b): jaccard(shingles(x["text"]), shingles(y["text"])) for name, records in files.items()
             for x, y in itertools.combinations(records, 2) for a, b in [(x["id"], y["id"])]}

    print(f"{len(releases)} releases, {len(variants)} near-duplicate pairs, {len(distinct)} distinct pairs "
          f"(same file), {NUM_PERM} permutations, 5-word shingles\n")
    worst = sorted(exact.items(), key=lambda kv: -kv[1])[:5]
    print("most similar distinct pairs (exact Jaccard): "
          + "; ".join(f"{a} ~ {b}: {j:.2f}" for (a, b), j in worst))
    for edit in EDITS:
        values = sorted(j for e, _, _, j in variants if e == edit)
        print(f"  {edit}: exact Jaccard min {values[0]:.2f}, 10th percentile {values[len(values) // 10]:.2f}, "
              f"median {values[len(values) // 2]:.2f}")
    print()
    print("| threshold | precision | recall | false positives | " + " | ".join(EDITS) + " |")
    print("|---" * (4 + len(EDITS)) + "|")
    for threshold in args.thresholds:
        lsh = Bands(threshold)
        for doc_id, minhash in signatures.items():
            lsh.insert(doc_id, minhash)

        def flagged(minhash, original: str) -> bool:
            return original in lsh.query(minhash) and similarity(minhash, signatures[original]) >= threshold

        hits = {edit: [flagged(m, o) for e, o, m, _ in variants if e == edit] for edit in EDITS}
        true_positives = sum(sum(h) for h in hits.values())
        false_positives = sum(flagged(signatures[a], b) for a, b, _ in distinct)
        precision = true_positives / (true_positives + false_positives) if true_positives + false_positives else 1.0
        recall = true_positives / len(variants)
        print(f"| {threshold:.2f} | {precision:.3f} | {recall:.3f} | {false_positives} | "
              + " | ".join(f"{sum(h) / len(h):.2f}" for h in hits.values()) + " |")


if __name__ == "__main__":
    main()
