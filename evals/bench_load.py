"""Load: 1, 4, 16 and 64 concurrent simulated users asking the running web chat over its HTTP API.

    python evals/bench_load.py [--seconds 10] [--levels 1 4 16 64] [--out evals/results/load]

Starts `rag serve --ingest corpus/` on loopback twice: with the embedded store, then with a Chroma server
(`chroma run`, started here). Each user is a thread in a closed loop without think time: it asks a
question about a shipped release, waits for the complete answer, and asks the next; through Gradio's API
(POST /gradio_api/call/ask, then reads the result stream), then, the same levels again, through the REST API
beside it (POST /api/ask). Each level runs for --seconds (and at most
--max-per-level answers); latency is from the POST to the complete answer. An error is any non-200, an
`event: error`, a timeout (--timeout) or an answer without its fields. Beside each level: the CPU time the server
spent an answer (its process and those it started, such as its answer process; read in /proc where there is
one) and the load average as the level began. Results: load.md and load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, serving  # noqa: E402
from tests.web_support import SHARED_CACHE, Server  # noqa: E402

# Written for this benchmark from the releases in corpus/ (none from an evaluation suite).
QUESTIONS = [
    "На какую сумму Казахстан готов нарастить экспорт в Кыргызстан?",
    "Кто принял Олжаса Бектенова в Бишкеке?",
    "Какое решение по ключевой ставке Банк России принял 25 октября 2024 года?",
    "О чём Путин говорил с Трампом по телефону в феврале 2025 года?",
    "С какой годовщиной Путин поздравил Патриарха Кирилла?",
    "С кем из Трудовой партии Кореи Путин встретился в Кремле в феврале 2025 года?",
    "Какое заседание Путин провёл в режиме видеоконференции 25 марта 2025 года?",
    "Кого из Ирана Путин принял в Кремле в апреле 2025 года?",
    "На каком уровне Банк России сохранил ключевую ставку 29 апреля 2016 года?",
    "Какую ключевую ставку Банк России сохранил 18 марта 2022 года?",
    "Кому Путин вручил награды за героизм в схватке с преступниками?",
    "Какое решение Банк России принял 26 апреля 2019 года?",
]
FIELDS = {"answer", "citations", "refused", "retrieved"}


def ask(url: str, question: str, timeout: float) -> dict:
    body = json.dumps({"data": [question, None, None, None, None]}).encode()
    request = urllib.request.Request(f"{url}gradio_api/call/ask", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"error event: {line[5:200]}")
                answer = json.loads(line[5:])[0]
                if not FIELDS <= answer.keys():
                    raise RuntimeError(f"answer without its fields: {sorted(answer)}")
                return answer
    raise RuntimeError("stream ended without an answer")


def ask_rest(url: str, question: str, timeout: float) -> dict:
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(f"{url}api/ask", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if not FIELDS <= answer.keys():
        raise RuntimeError(f"answer without its fields: {sorted(answer)}")
    return answer


APIS = {"gradio": ask, "rest": ask_rest}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and of its running children (0 without Linux's /proc)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + (
        sum(cpu_seconds(int(child)) for child in children.read_text().split()) if children.exists() else 0.0)


def measured_level(pid: int, *args) -> dict:
    load, cpu = os.getloadavg()[0], cpu_seconds(pid)
    row = level(*args)
    spent = cpu_seconds(pid) - cpu
    return {**row, "server_cpu_ms": round(spent * 1000 / row["answers"], 1) if row["answers"] and spent else None,
            "load": round(load, 1)}


def level(url: str, api: str, users: int, seconds: float, max_answers: int, timeout: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user(number: int) -> None:
        turn = number
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) + len(errors) >= max_answers:
                    return
            question = QUESTIONS[turn % len(QUESTIONS)]
            turn += 1
            started = time.perf_counter()
            try:
                APIS[api](url, question, timeout)
                with lock:
                    latencies.append(time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 (every failure is counted and shown)
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

    began = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 30)
    wall = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1) if ordered else None

    return {"api": api, "users": users, "answers": len(latencies), "errors": len(errors), "error_samples": errors[:5],
            "seconds": round(wall, 1), "throughput_per_s": round(len(latencies) / wall, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.mean(ordered) * 1000, 1) if ordered else None}


def run_store(name: str, workdir: Path, cache: Path, args, **env: str) -> dict:
    server = Server(workdir / name, cache, **env).start()
    try:
        with server.report_on_failure():
            ready = server.wait_ready(240)
        for question in QUESTIONS:  # warm-up: first answers load lazily built parts
            ask(server.url, question, args.timeout)
        levels = [measured_level(server.process.pid, server.url, api, users, args.seconds, args.max_per_level,
                                 args.timeout) for api in args.apis for users in args.levels]
    finally:
        server.close()
    for row in levels:
        print(f"{name:9} {row['api']:6} {row['users']:3} users: p50 {row['p50_ms']} p95 {row['p95_ms']} p99 {row['p99_ms']} ms, "
              f"{row['throughput_per_s']}/s, {row['errors']} errors, server CPU {row['server_cpu_ms']} ms an answer, "
              f"load {row['load']}", flush=True)
    return {"store": name, "ready_s": round(ready, 1), "levels": levels}


def markdown(results: dict) -> str:
    lines = [f"# Load: concurrent users on the web chat's /ask API and on REST /api/ask ({results['date']})", "",
             f"{results['machine']}; closed-loop users without think time, {results['seconds']} s a level; "
             f"offline answerer; corpus/ ({len(QUESTIONS)} questions about its releases); Gradio queue "
             f"default_concurrency_limit={results['concurrency_limit']}.", "",
             "| store | API | users | answers | errors | throughput/s | p50 ms | p95 ms | p99 ms | server CPU ms an answer "
             "| load average |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for store in results["stores"]:
        for r in store["levels"]:
            lines.append(f"| {store['store']} | {r.get('api', 'gradio')} | {r['users']} | {r['answers']} | {r['errors']} | "
                         f"{r['throughput_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
                         f"{r.get('server_cpu_ms')} | {r.get('load')} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--max-per-level", type=int, default=3000)
    parser.add_argument("--apis", nargs="+", choices=sorted(APIS), default=list(APIS))
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--cache", type=Path, default=Path(SHARED_CACHE) if SHARED_CACHE else None)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "load")
    args = parser.parse_args()
    from rag.settings import Settings

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    cache = args.cache or workdir / "cache"
    chroma = Path(sys.executable).with_name("chroma")
    stores = []
    try:
        stores.append(run_store("embedded", workdir, cache, args))
        port = free_port()
        with serving([str(chroma), "run", "--path", str(workdir / "chroma-data"), "--host", "127.0.0.1", "--port",
                      str(port)], f"http://127.0.0.1:{port}/api/v2/heartbeat", workdir / "chroma.log"):
            stores.append(run_store("chroma-server", workdir, cache, args, RAG_CHROMA_HOST="127.0.0.1",
                                    RAG_CHROMA_PORT=str(port)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seconds": args.seconds,
               "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
               "concurrency_limit": Settings().ui_concurrency_limit, "stores": stores}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
