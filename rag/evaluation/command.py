"""`rag eval`: build (or update) the indexes for a corpus, run the suites, print and save the report."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from rag.assistant import Assistant
from rag.documents import Document, iter_input_files, load_path
from rag.embeddings import builtin_model_path
from rag.evaluation import runner
from rag.evaluation.naive import NaivePipeline
from rag.evaluation.suites import load_suite
from rag.settings import BUILTIN_EMBEDDING, Settings


def evaluate(suites: list[Path], corpus: list[Path], index_dir: Path | None, out: Path, baseline: bool = True,
             mode: str | None = None) -> int:
    settings = Settings()
    work = Path(index_dir) if index_dir else out / "index"
    cases = [case for suite in suites for case in load_suite(suite)]
    results: dict[str, dict] = {}
    with Assistant.open(work / "ours", settings=settings) as assistant:
        summary = assistant.ingest(corpus)
        print(f"ours: index {assistant.stats()['chunks']} chunks ({summary.counts()})", file=sys.stderr)
        results["ours"] = _run("ours", cases, lambda c: assistant.ask(c.question, list(c.history), mode=mode).to_dict())
    if baseline:
        model = settings.embedding_model
        naive = NaivePipeline(str(builtin_model_path(settings.cache_dir)) if model == BUILTIN_EMBEDDING else model,
                              work / "naive")
        naive.ingest(_documents(corpus, int(settings.max_file_mb * 2**20)))
        results["naive"] = _run("naive", cases, lambda c: naive.ask(c.question, list(c.history)))
    print(runner.table(results))
    print(f"saved {runner.save(results, out)}", file=sys.stderr)
    return 0


def _run(name: str, cases, ask) -> dict:
    with tqdm(total=len(cases), desc=name, unit="q", file=sys.stderr, disable=None) as bar:
        return runner.run(ask, cases, on_case=bar.update)


def _documents(paths: list[Path], max_bytes: int) -> list[Document]:
    documents: dict[str, Document] = {}
    for path, root in iter_input_files(paths):
        for item in load_path(path, root, max_bytes):
            if isinstance(item, Document):
                documents.setdefault(item.id, item)
    return list(documents.values())
