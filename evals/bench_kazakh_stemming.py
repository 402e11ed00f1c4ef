"""Kazakh morphology for search, measured: our suffix folder (`rag/kazakh.py`) beside kazstem's lemmas (a PyPI
analyser, run from its own venv) and beside no morphology at all (glossary entries as whole words, letters folded),
on the Kazakh questions of the tuning suites only.

    python evals/bench_kazakh_stemming.py [--kazstem /work/kazstem-venv/bin/kazstem]
                                          [--out evals/results/kazakh_stemming.md]

kazstem is installed apart (`python3 -m venv /work/kazstem-venv && /work/kazstem-venv/bin/pip install kazstem`):
it is GPL-3.0 and needs compiled resources its package does not ship; where it cannot run, its column says why.

For each variant: the share of the questions' content words (`rag.kazakh.FUNCTION_WORDS` left out) whose Russian
rendering reaches a term of the suite's corpus (a stem some passage holds), through the glossary or through the
folded spelling; and `rag eval`'s metrics (hit@5, MRR@5 of the gold release, fact recall, refusals) with the
variant rendering every Kazakh question, the rest of the pipeline as shipped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from statistics import median
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag.answering.names as question_model  # noqa: E402
import rag.query as query_module  # noqa: E402
from rag import kazakh  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.evaluation import runner  # noqa: E402
from rag.evaluation.command import _work_dir, suite_corpus  # noqa: E402
from rag.evaluation.metrics import summarise  # noqa: E402
from rag.evaluation.suites import Case, load_suite  # noqa: E402
from rag.offline import use_offline_defaults  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.text import query_terms  # noqa: E402

# Tuning suites only: the held-out ones are never measured on while changing code.
TUNING_SUITES = ("founding", "dev", "tuning-holdout1", "tuning-english1", "tuning-swaps1", "tuning-details1",
                 "heldout2", "heldout2-en", "heldout2-kk")
Render = Callable[[str], list[kazakh.Rendering]]


def kazakh_cases() -> list[tuple[Path, Case]]:
    found = []
    for name in TUNING_SUITES:
        suite = ROOT / "evals" / f"{name}.jsonl"
        found += [(suite, case) for case in load_suite(suite)
                  if name == "heldout2-kk" or kazakh.is_kazakh(case.question)]
    return found


def content_words(words: tuple[str, ...]) -> list[str]:
    return [w for w in words if w[0].isalpha() and len(w) > 1 and w.lower() not in kazakh.FUNCTION_WORDS]


def render_without_morphology(text: str) -> list[kazakh.Rendering]:
    """Glossary entries only as whole words, every other word with its letters folded and nothing cut."""
    entries = kazakh.glossary()
    longest = max(len(key) for key in entries)
    tokens = kazakh.WORD.findall(text)
    out, i = [], 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            words = tokens[i : i + size]
            russian = entries.get(tuple(words)) or entries.get(tuple(w.lower() for w in words))
            if russian:
                out.append(kazakh.Rendering(tuple(words), russian, True))
                i += size
                break
        else:
            word = tokens[i]
            folded = word.lower().replace("қазақ", "казах").translate(kazakh.LETTERS)
            out.append(kazakh.Rendering((word,), folded, False))
            i += 1
    return out


class Kazstem:
    """kazstem's lemmas, each word replaced by its first (Constraint-Grammar-preferred) lemma before the same
    glossary and letter folding; the analyser runs in its own venv through its MyStem-like CLI."""

    def __init__(self, command: str, texts: list[str]):
        self.lemmas: dict[str, str] = {}
        self.error = ""
        self.seconds = 0.0
        words = sorted({w for text in texts for w in kazakh.WORD.findall(text) if w[0].isalpha()})
        started = time.perf_counter()
        try:
            done = subprocess.run([command, "-d", "-n", "--format", "json"], input="\n".join(texts), text=True,
                                  capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self.seconds = time.perf_counter() - started
        if done.returncode != 0:
            self.error = (done.stderr.strip() or f"exit {done.returncode}").splitlines()[0].removesuffix(" Checked:")
            return
        for line in done.stdout.splitlines():
            row = json.loads(line)
            lemma = next((a["lex"] for a in row.get("analysis", []) if a.get("lex")), "")
            if lemma and len(kazakh.WORD.findall(lemma)) == 1:
                self.lemmas.setdefault(row["text"], lemma)
        self.covered = sum(w in self.lemmas for w in words) / len(words)

    def render(self, text: str) -> list[kazakh.Rendering]:
        tokens = kazakh.WORD.findall(text)
        lemmatised = [_cased(self.lemmas.get(t, t), t) for t in tokens]
        out, i = [], 0
        for rendering in kazakh.render(" ".join(lemmatised)):  # one token for one token: realign the words
            size = len(rendering.words)
            out.append(kazakh.Rendering(tuple(tokens[i : i + size]), rendering.russian, rendering.from_glossary))
            i += size
        return out


def _cased(lemma: str, word: str) -> str:
    return lemma[:1].upper() + lemma[1:] if word[:1].isupper() else lemma


@contextmanager
def rendering_with(render: Render):
    """The pipeline's Kazakh rendering (search text, question model) replaced for the length of a run."""
    saved = query_module.kazakh_to_russian, question_model.kazakh_to_russian
    to_russian = lambda text: " ".join(r.russian for r in render(text) if r.russian)  # noqa: E731
    query_module.kazakh_to_russian = question_model.kazakh_to_russian = to_russian
    try:
        yield
    finally:
        query_module.kazakh_to_russian, question_model.kazakh_to_russian = saved


def reach(render: Render, cases: list[Case], idf) -> dict:
    """Content words whose rendering holds a stem of the corpus, by how they were rendered."""
    counts, missed = Counter(), Counter()
    for case in cases:
        for rendering in render(case.question):
            words = content_words(rendering.words)
            if not words:
                continue
            reached = any(idf(term) is not None for term in query_terms(rendering.russian))
            how = "glossary" if rendering.from_glossary else "folded"
            counts["words"] += len(words)
            counts[how] += len(words)
            if reached:
                counts[f"{how} reached"] += len(words)
                counts["reached"] += len(words)
            else:
                missed.update(w.lower() for w in words)
    return {"counts": counts, "missed": missed}


def measure(render: Render, groups: dict[tuple[Path, ...], list[Case]], settings: Settings) -> dict:
    rows, counts, missed = [], Counter(), Counter()
    with rendering_with(render):
        for paths, cases in groups.items():
            with Assistant.open(_work_dir(settings, list(paths)) / "ours", settings=settings) as assistant:
                assistant.ingest(list(paths))
                found = reach(render, cases, assistant.index.lexical.idf)
                counts.update(found["counts"])
                missed.update(found["missed"])
                rows += runner.run(lambda c: assistant.ask(c.question, list(c.history)).to_dict(), cases)["rows"]
    texts = [case.question for cases in groups.values() for case in cases]
    return {"summary": summarise(rows), "counts": counts, "missed": missed, "render_us": render_time(render, texts)}


def render_time(render: Render, texts: list[str], runs: int = 7) -> float:
    """Median µs a question over passes through all of them, each with the folder's word cache emptied: a
    new question's words are new."""
    passes = []
    for _ in range(runs):
        kazakh._keys_starting.cache_clear()
        started = time.perf_counter()
        for text in texts:
            render(text)
        passes.append((time.perf_counter() - started) / len(texts) * 1e6)
    return median(passes)


def share(counts: Counter, part: str, whole: str) -> str:
    return f"{counts[part] / counts[whole]:.2f} ({counts[part]}/{counts[whole]})" if counts[whole] else "-"


ROWS = (("content words reaching a corpus term", lambda r: share(r["counts"], "reached", "words")),
        ("… through the glossary", lambda r: share(r["counts"], "glossary reached", "words")),
        ("… through the folded spelling", lambda r: share(r["counts"], "folded reached", "words")),
        ("folded words that reach one", lambda r: share(r["counts"], "folded reached", "folded")),
        ("hit@5", lambda r: r["summary"].get("hit@5")), ("MRR@5", lambda r: r["summary"].get("mrr@5")),
        ("hit@1", lambda r: r["summary"].get("hit@1")), ("fact recall", lambda r: r["summary"].get("fact_recall")),
        ("citation precision", lambda r: r["summary"].get("citation_precision")),
        ("near misses refused", lambda r: r["summary"].get("refusal_rate")),
        ("answerable refused", lambda r: r["summary"].get("false_refusals")),
        ("rendering, µs a question (new words)", lambda r: f"{r['render_us']:.0f}"))


def markdown(results: dict[str, dict], unavailable: dict[str, str], suites: Counter, missed: Counter) -> str:
    names = list(results) + list(unavailable)
    lines = [f"# Kazakh stemming ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"`python evals/bench_kazakh_stemming.py`: {sum(suites.values())} Kazakh questions of the tuning suites "
             f"({', '.join(f'{name} {count}' for name, count in suites.items())}).", "",
             f"| | {' | '.join(names)} |", "|---" * (len(names) + 1) + "|"]
    for label, cell in ROWS:
        values = [str(cell(results[n])) for n in results] + ["not measurable"] * len(unavailable)
        lines.append(f"| {label} | {' | '.join(values)} |")
    lines += ["", *(f"- {name}: {why}" for name, why in unavailable.items()),
              "- content words the suffix folder leaves without a corpus term: "
              + ", ".join(f"{w} ×{n}" if n > 1 else w for w, n in missed.most_common(40))]
    return "\n".join(lines) + "\n"


def main() -> None:
    use_offline_defaults()
    parser = argparse.ArgumentParser()
    parser.add_argument("--kazstem", default="/work/kazstem-venv/bin/kazstem", help="kazstem's CLI in its own venv")
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "kazakh_stemming.md",
                        help="the table is written here; the file's '## Notes' section is kept")
    args = parser.parse_args()
    settings = Settings()
    found = kazakh_cases()
    groups: dict[tuple[Path, ...], list[Case]] = {}
    for suite, case in found:
        groups.setdefault(tuple(suite_corpus(suite)), []).append(case)
    texts = [case.question for _, case in found]
    variants: dict[str, Render] = {"no morphology": render_without_morphology, "suffix folder": kazakh.render}
    analyser = Kazstem(args.kazstem, texts)
    unavailable = {}
    if analyser.error:
        unavailable["kazstem lemmas"] = analyser.error
    else:
        variants["kazstem lemmas"] = analyser.render
        print(f"kazstem: {analyser.seconds:.1f} s for {len(texts)} questions (one process), "
              f"{analyser.covered:.0%} of their words lemmatised", file=sys.stderr)
    results = {name: measure(render, groups, settings) for name, render in variants.items()}
    suites = Counter(suite.stem for suite, _ in found)
    table = markdown(results, unavailable, suites, results["suffix folder"]["missed"])
    print(table)
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = previous[previous.index("## Notes"):] if "## Notes" in previous else ""
    args.out.write_text(table + ("\n" + notes if notes else ""), encoding="utf-8")

if __name__ == "__main__":
    main()
