"""`rag eval`: index each suite's corpus, run its questions through ours and the naive pipeline, print
tables, save JSON and an HTML report, compare with an earlier run, and fail on quality gates."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

import rag

from rag.assistant import Assistant
from rag.documents import Document, iter_input_files, load_path
from rag.embeddings import builtin_model_path
from rag.evaluation import runner
from rag.evaluation.naive import NaivePipeline
from rag.evaluation.judge import Judge
from rag.evaluation.report import write_report
from rag.evaluation.suites import load_suite
from rag.llm_backend import chat_model
from rag.settings import BUILTIN_EMBEDDING, Settings


def suite_corpus(suite: Path) -> list[Path]:
    """The corpus a suite names in SUITE.corpus.txt beside it: paths relative to that file, one a line."""
    listing = suite.with_suffix(".corpus.txt")
    if not listing.exists():
        raise ValueError(f"{suite}: no corpus given; pass --corpus or write {listing.name} beside the suite")
    lines = [line.strip() for line in listing.read_text(encoding="utf-8").splitlines()]
    paths = [(listing.parent / line).resolve() for line in lines if line and not line.startswith("#")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"{listing}: corpus path(s) not found: {', '.join(missing)}")
    return paths


def parse_gates(specs: list[str], flag: str = "--min") -> list[tuple[str | None, str, float]]:
    """'hit@5=0.9' (every suite) or 'dev.hit@5=0.9' (one suite) -> (suite, metric, bound)."""
    gates = []
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep:
            raise ValueError(f"{flag} {spec!r}: write METRIC=VALUE, e.g. hit@5=0.9")
        suite, _, metric = name.rpartition(".") if "." in name.split("@")[0] else ("", "", name)
        if metric not in runner.METRICS:
            raise ValueError(f"{flag} {spec!r}: unknown metric {metric!r}; known: {', '.join(runner.METRICS)}")
        try:
            gates.append((suite or None, metric, float(value)))
        except ValueError:
            raise ValueError(f"{flag} {spec!r}: {value!r} is not a number") from None
    return gates


def evaluate(suites: list[Path], corpus: list[Path] | None, out: Path, baseline: bool = True,
             mode: str | None = None, gates: list[str] = (), previous: Path | None = None,
             judged: bool = False, ceilings: list[str] = ()) -> int:
    settings = Settings()
    judge = Judge(chat_model(settings), settings) if judged else None
    checks = parse_gates(list(gates))
    caps = parse_gates(list(ceilings), "--max")
    before = json.loads(Path(previous).read_text(encoding="utf-8")) if previous else None
    results = {"meta": _meta(settings, mode), "suites": {}}
    for suite in suites:
        cases = load_suite(suite)
        paths = corpus or suite_corpus(suite)
        runs = {"ours": _run_ours(settings, paths, cases, mode, judge)}
        if baseline:
            runs["naive"] = _run_naive(settings, paths, cases, judge)
        results["suites"][suite.stem] = runs
        print(f"\n== {suite.stem} ({len(cases)} questions)\n{runner.table(runs)}")
        print(runner.kind_table(runs["ours"]))
    out.mkdir(parents=True, exist_ok=True)
    saved = out / "results.json"
    saved.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nsaved {saved} and {write_report(results, out, before)}", file=sys.stderr)
    if before:
        print(compare_text(before, results))
    failed = check_gates(results, checks) + check_gates(results, caps, ceiling=True)
    for line in failed:
        print(f"FAILED GATE {line}", file=sys.stderr)
    return 1 if failed else 0


def compare_runs(before_path: Path, now_path: Path, out: Path) -> int:
    before = json.loads(Path(before_path).read_text(encoding="utf-8"))
    now = json.loads(Path(now_path).read_text(encoding="utf-8"))
    print(compare_text(before, now))
    out.mkdir(parents=True, exist_ok=True)
    print(f"saved {write_report(now, out, before)}", file=sys.stderr)
    return 0


def compare_text(before: dict, now: dict) -> str:
    lines = []
    for suite, runs in now["suites"].items():
        old = before.get("suites", {}).get(suite, {}).get("ours")
        if not old or "ours" not in runs:
            continue
        lines.append(f"\n== {suite}: ours, earlier run -> this run")
        for metric in runner.METRICS:
            a, b = old["summary"].get(metric), runs["ours"]["summary"].get(metric)
            change = "" if a is None or b is None else f"{b - a:+.4f}"
            lines.append(f"{metric:<22}{_cell(a):>12}{_cell(b):>12}{change:>12}")
    return "\n".join(lines)


def check_gates(results: dict, gates: list[tuple[str | None, str, float]], ceiling: bool = False) -> list[str]:
    """Metrics below their floor (or, with `ceiling`, above their cap: false refusals, latency)."""
    failed = []
    for suite, runs in results["suites"].items():
        for only, metric, bound in gates:
            if only not in (None, suite):
                continue
            value = runs["ours"]["summary"].get(metric)
            if value is None or (value > bound if ceiling else value < bound):
                failed.append(f"{suite}: {metric} = {value} {'>' if ceiling else '<'} {bound}")
    return failed


def _run_ours(settings: Settings, paths: list[Path], cases, mode: str | None, judge) -> dict:
    with Assistant.open(_work_dir(settings, paths) / "ours", settings=settings) as assistant:
        summary = assistant.ingest(paths)
        print(f"ours: {assistant.stats()['chunks']} chunks indexed ({summary.counts()})", file=sys.stderr)
        return _progress("ours", cases, lambda c: assistant.ask(c.question, list(c.history), mode=mode).to_dict(),
                         judge)


def _run_naive(settings: Settings, paths: list[Path], cases, judge) -> dict:
    model = settings.embedding_model
    naive = NaivePipeline(str(builtin_model_path(settings.cache_dir)) if model == BUILTIN_EMBEDDING else model,
                          _work_dir(settings, paths) / "naive")
    naive.ingest(documents(paths, int(settings.max_file_mb * 2**20)))
    return _progress("naive", cases, lambda c: naive.ask(c.question, list(c.history)), judge)


# The code that decides what an index holds: a change to any of it must never measure old chunks.
INDEX_CODE = ("documents.py", "plaintext.py", "chunking.py", "text.py", "stemming.py", "embeddings.py", "ingest.py", "store")


def _work_dir(settings: Settings, paths: list[Path]) -> Path:
    """Indexes for a corpus are kept in the cache and updated incrementally between runs, keyed by the
    corpus, the embedding model, the chunk size and the source of the code that builds the index."""
    what = [*sorted(str(p.resolve()) for p in paths), settings.embedding_model, str(settings.chunk_chars),
            index_code_fingerprint()]
    key = hashlib.sha256("\n".join(what).encode()).hexdigest()[:12]
    return settings.cache_dir / "eval-indexes" / key


def index_code_fingerprint() -> str:
    package = Path(rag.__file__).parent
    files = sorted(f for name in INDEX_CODE for f in ([package / name] if name.endswith(".py")
                                                        else (package / name).rglob("*.py")))
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _progress(name: str, cases, ask, judge=None) -> dict:
    with tqdm(total=len(cases), desc=name, unit="q", file=sys.stderr, disable=None) as bar:
        return runner.run(ask, cases, on_case=bar.update, judge=judge)


def documents(paths: list[Path], max_bytes: int) -> list[Document]:
    """Every loadable document under the paths, the first of each id (as our ingest keeps it)."""
    found: dict[str, Document] = {}
    for path, root in iter_input_files(paths):
        for item in load_path(path, root, max_bytes):
            if isinstance(item, Document):
                found.setdefault(item.id, item)
    return list(found.values())


def _meta(settings: Settings, mode: str | None) -> dict:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": commit,
            "mode": mode or settings.default_mode, "embedding": settings.embedding_model,
            "weights": f"dense {settings.dense_weight}, lexical {settings.lexical_weight}, "
                       f"document {settings.document_weight}, date boost {settings.date_boost}",
            "min_evidence": settings.min_evidence}


def _cell(value) -> str:
    return "-" if value is None else f"{value:g}"
