"""How fast the web chat starts and answers: `rag serve` over corpus/, measured from outside.

    python evals/bench_web.py [--questions 5] [--cache DIR] [--out evals/results/web_bench.json]

Two starts of the same command (`rag serve --index TMP --port P --ingest corpus/`, as `make run` does):
the first on a fresh index (and a fresh embedding-model cache unless $RAG_CACHE_DIR or --cache is given),
the second on the index the first one built. For each start it measures

  * seconds from process start to the first HTTP 200 on /,
  * seconds from process start until the page is usable in chromium (`#question textarea` visible),
  * for questions about the founding release: time to the first answer text and to the complete answer
    (cited HTML or refusal) in the browser, from the click on «Спросить»; and the round trip of the
    public `/ask` API endpoint through gradio_client with the server-side timings it reports.

The streaming chat endpoint is private (api_visibility="private"), so gradio_client cannot call it;
the script checks that and measures streaming in the browser instead. Chromium is pre-launched before the
server starts, so its own start-up is not counted. Results: a table on stdout and JSON in --out.
"""

from __future__ import annotations

import argparse
import json
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

from tests.web_support import (CHROMIUM, CHROMIUM_ARGS, FOUNDING_DOC, OFFLINE, SHARED_CACHE, Server,  # noqa: E402
                               browser_available)

for _name, _value in OFFLINE.items():
    os.environ.setdefault(_name, _value)

QUESTIONS = [
    "Куда прибыл премьер-министр Казахстана?",
    "На сколько вырос товарооборот между Казахстаном и Кыргызстаном?",
    "Сколько документов подписали на заседании Межправительственного совета?",
    "Сколько предпринимателей участвовало в деловом форуме?",
    "Где пройдёт следующее заседание Межправительственного совета?",
]

# Clicks «Спросить» and records, in page time from the click, the first non-empty text of the new assistant
# message and the moment it holds the final HTML (a citation link or a refusal).
CLICK_AND_WATCH = """(before) => {
  const chat = document.querySelector('#chat');
  const state = {first: null, final: null, lengths: []};
  window.__bench = state;
  let t0 = 0;
  const record = () => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (bots.length <= before) return;
    const last = bots[bots.length - 1];
    const length = last.innerText.trim().length;
    const now = performance.now() - t0;
    if (length > 0 && state.first === null) state.first = now;
    if (state.final === null && last.querySelector('a.cite, .refusal')) { state.final = now; observer.disconnect(); }
    else state.lengths.push(length);
  };
  const observer = new MutationObserver(record);
  observer.observe(chat, {subtree: true, childList: true, characterData: true});
  t0 = performance.now();
  document.querySelector('#ask').click();
}"""


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout
        return out.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def chat_endpoint_reachable(client) -> dict:
    """Whether gradio_client can call the streaming chat function (it is private in ui/app.py)."""
    named = sorted(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    try:
        client.submit("?", [], "", "", [], "extractive", fn_index=0)
    except Exception as exc:  # gradio_client refuses private functions
        return {"reachable": False, "named_endpoints": named,
                "reason": f"the chat function is private (api_visibility='private'): {type(exc).__name__}: {exc}"}
    return {"reachable": True, "named_endpoints": named, "reason": "fn_index=0 accepted"}


def measure_run(name: str, workdir: Path, cache: Path, index: Path, browser, questions: list[str]) -> dict:
    from gradio_client import Client

    model_cached = (cache / "models").exists() and any((cache / "models").iterdir())
    run: dict = {"name": name, "index": "built by the previous start" if index.exists() else "fresh",
                 "model_cache": "built already" if model_cached else "empty (model built in this start)"}
    server = Server(workdir, cache, index_dir=index).start()
    try:
        run["http_200_s"] = round(server.wait_ready(180), 2)
        page = None
        if browser is not None:
            context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(server.url)
            page.wait_for_selector("#question textarea", state="visible", timeout=60_000)
            run["page_ready_s"] = round(time.perf_counter() - server.started_at, 2)
        client = Client(server.url, verbose=False)
        run["chat_endpoint"] = chat_endpoint_reachable(client)
        rows = []
        for question in questions:
            row: dict = {"question": question}
            if page is not None:
                page.click("#new-chat")
                page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')")
                page.fill("#question textarea", question)
                page.evaluate(CLICK_AND_WATCH, 0)
                page.wait_for_function("() => window.__bench && window.__bench.final !== null", timeout=60_000)
                state = page.evaluate("window.__bench")
                row["browser_first_text_s"] = round(state["first"] / 1000, 3)
                row["browser_full_answer_s"] = round(state["final"] / 1000, 3)
                row["streamed_updates"] = len(set(state["lengths"]) - {0})
            started = time.perf_counter()
            answer = client.predict(question=question, api_name="/ask")
            row["api_ask_s"] = round(time.perf_counter() - started, 3)
            row["server_first_token_ms"] = answer["timings_ms"].get("first_token")
            row["server_total_ms"] = answer["timings_ms"]["total"]
            row["refused"] = answer["refused"]
            row["cites_founding_release"] = any(c["doc_id"] == FOUNDING_DOC for c in answer["citations"])
            rows.append(row)
        client.close()
        if page is not None:
            page.context.close()
        run["questions"] = rows
        run["median"] = {key: round(statistics.median(r[key] for r in rows), 3)
                         for key in ("browser_first_text_s", "browser_full_answer_s", "api_ask_s",
                                     "server_first_token_ms", "server_total_ms")
                         if rows and all(r.get(key) is not None for r in rows)}
        run["server_log_tail"] = server.output(800).strip().splitlines()[-4:]
    except BaseException:
        print(server.output(), file=sys.stderr)
        raise
    finally:
        server.close()
    return run


def print_table(result: dict) -> None:
    def fmt(value, unit="s"):
        return "-" if value is None else (f"{value:.2f} {unit}" if unit == "s" else f"{value:.1f} {unit}")

    print(f"\nweb chat benchmark  {result['date']}  ({result['machine']['cpus']} CPUs, load "
          f"{result['machine']['load_average_at_start'][0]}, gradio "
          f"{result['machine']['gradio']}, {result['machine']['chromium']})")
    print(f"chat endpoint through gradio_client: "
          f"{'reachable' if result['chat_endpoint']['reachable'] else 'not reachable'} — "
          f"{result['chat_endpoint']['reason'][:110]}")
    header = ["start", "HTTP 200", "page ready", "1st text (med)", "full answer (med)", "/ask API (med)",
              "server 1st token / total (med)"]
    lines = []
    for run in result["runs"]:
        m = run.get("median", {})
        lines.append([run["name"], fmt(run.get("http_200_s")), fmt(run.get("page_ready_s")),
                      fmt(m.get("browser_first_text_s")), fmt(m.get("browser_full_answer_s")), fmt(m.get("api_ask_s")),
                      f"{fmt(m.get('server_first_token_ms'), 'ms')} / {fmt(m.get('server_total_ms'), 'ms')}"])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    for row in [header, ["-" * w for w in widths], *lines]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
    for run in result["runs"]:
        print(f"\n{run['name']}: index {run['index']}, model cache {run['model_cache']}")
        print("  first text  full answer  /ask API  streamed updates  cited  question")
        for r in run["questions"]:
            print(f"  {fmt(r.get('browser_first_text_s')):>10}  {fmt(r.get('browser_full_answer_s')):>11}  "
                  f"{fmt(r['api_ask_s']):>8}  {r.get('streamed_updates', '-'):>16}  "
                  f"{'yes' if r['cites_founding_release'] else 'NO':>5}  {r['question']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help="how many of the 5 questions")
    parser.add_argument("--cache", type=Path, help="embedding model cache (default: $RAG_CACHE_DIR, else fresh tmp)")
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "web_bench.json")
    args = parser.parse_args(argv)
    questions = QUESTIONS[: max(1, min(args.questions, len(QUESTIONS)))]

    import gradio

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        tmp = Path(tmp)
        cache = args.cache or (Path(SHARED_CACHE) if SHARED_CACHE else tmp / "cache")
        cache.mkdir(parents=True, exist_ok=True)
        index = tmp / "index"
        result = {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version(), "platform": platform.platform(),
                        "gradio": gradio.__version__,
                        "chromium": chromium_version() if browser_available() else "not available"},
            "command": "python -m rag.cli serve --index TMP/index --port FREE --ingest corpus/",
            "questions": questions,
            "runs": [],
        }
        playwright = browser = None
        if browser_available():
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        else:
            print("chromium or playwright missing: browser timings skipped", file=sys.stderr)
        try:
            for name, workdir in (("1st start, fresh index", tmp / "run1"), ("2nd start, built index", tmp / "run2")):
                print(f"running: {name} ...", file=sys.stderr, flush=True)
                result["runs"].append(measure_run(name, workdir, cache, index, browser, questions))
        finally:
            if browser is not None:
                browser.close()
                playwright.stop()
    result["chat_endpoint"] = result["runs"][0]["chat_endpoint"]
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
