"""Whole-process start-up of `rag ask`, `rag list` and `rag serve` (until GET / answers 200) beside the floor
`python -c "import chromadb"`, measured in the same run, alternating commands so that load drifts hit all.

    python evals/bench_startup.py [--runs 7] [--out evals/results/startup.md]

The index is built once from corpus/ (and the embedding model into $RAG_CACHE_DIR or a temporary cache) before
anything is timed. Medians are reported with min and max.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web_support import SHARED_CACHE, Server, server_env  # noqa: E402

QUESTION = "Куда прибыл премьер-министр Казахстана?"


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def page_ready(workdir: Path, cache: Path, index: Path) -> float:
    server = Server(workdir, cache, index_dir=index, ingest=False).start()
    try:
        return server.wait_ready(120)
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "startup.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        tmp = Path(tmp)
        cache = Path(SHARED_CACHE) if SHARED_CACHE else tmp / "cache"
        env = server_env(cache, tmp)
        index = tmp / "index"
        rag = [sys.executable, "-m", "rag.cli"]
        subprocess.run([*rag, "ingest", "--index", str(index), "corpus/"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands = {
            'python -c "import chromadb" (floor)': lambda: timed([sys.executable, "-c", "import chromadb"], env),
            f'rag ask "{QUESTION}"': lambda: timed([*rag, "ask", "--index", str(index), QUESTION], env),
            "rag list": lambda: timed([*rag, "list", "--index", str(index)], env),
            "rag serve, until GET / is 200": lambda: page_ready(tmp / "serve", cache, index),
        }
        for run in commands.values():  # warm the page cache and .pyc files; not counted
            run()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, run in commands.items():
                times[name].append(run())
    floor = statistics.median(next(iter(times.values())))
    lines = [f"# Start-up, whole process ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"`python evals/bench_startup.py --runs {args.runs}`: {os.cpu_count()} CPUs, load average at the end "
             f"{os.getloadavg()[0]:.2f}, Python {platform.python_version()}; corpus/ indexed, model cache built.", "",
             "| command | median | min | max | ÷ floor |", "|---|---|---|---|---|"]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.2f} s | {min(values):.2f} s | {max(values):.2f} s | {median / floor:.1f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = previous[previous.index("## Notes"):] if "## Notes" in previous else ""
    args.out.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
