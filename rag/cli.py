"""`rag` command line: argument parsing and printing only; the work is done by `rag.Assistant`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.cli_corpus import add_commands, loading, open_assistant, progress_bar
from rag.formatting import format_answer
from rag.offline import use_offline_defaults


def main(argv: list[str] | None = None) -> int:
    use_offline_defaults()
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("\nInterrupted; the next run completes the index.", file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", type=Path, help="index folder (default: $RAG_INDEX_DIR or the user data folder)")
    parser = argparse.ArgumentParser(prog="rag", description="Cited answers over press releases, offline.")
    sub = parser.add_subparsers(dest="command")

    add_commands(sub, common)

    p = sub.add_parser("ask", parents=[common], help="answer a question (or a JSONL batch) with citations")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("--history", type=Path, help="JSON file: a list of earlier questions ({'q': ...} or strings)")
    p.add_argument("--batch", type=Path, help="JSONL of {id, question, history}; writes one JSON answer a line")
    _filters(p)
    p.set_defaults(run=_ask)

    p = sub.add_parser("chat", parents=[common], help="terminal chat with history")
    _filters(p)
    p.set_defaults(run=_chat)

    p = sub.add_parser("serve", parents=[common], help="start the web chat (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1; others need RAG_UI_USERNAME/PASSWORD and RAG_API_KEY)")
    p.add_argument("--port", type=int)
    p.add_argument("--ingest", nargs="*", default=[], help="files, folders or addresses to index before starting")
    p.add_argument("--sync-every", type=float, metavar="MINUTES",
                   help="sync the followed feeds this often while serving (default: $RAG_SYNC_EVERY_MINUTES)")
    p.set_defaults(run=_serve)

    p = sub.add_parser("mcp", parents=[common], help="MCP server over stdio (tools: search, ask, list_documents, "
                                                    "get_document)")
    p.set_defaults(run=_mcp)

    p = sub.add_parser("eval", help="run evaluation suites, ours beside the naive LangChain pipeline")
    p.add_argument("suites", nargs="*", type=Path, help="suite JSONL files (corpus from SUITE.corpus.txt)")
    p.add_argument("--corpus", nargs="+", type=Path, help="files or folders to run every suite on instead")
    p.add_argument("--no-baseline", action="store_true", help="skip the naive LangChain pipeline")
    p.add_argument("--out", type=Path, default=Path("evals/runs/latest"), help="folder for results.json, report.html")
    p.add_argument("--mode", help="answer mode of our pipeline")
    p.add_argument("--min", action="append", default=[], metavar="[SUITE.]METRIC=VALUE",
                   help="fail (exit 1) when the metric falls below VALUE, e.g. hit@5=0.9 or dev.mrr@5=0.8")
    p.add_argument("--max", action="append", default=[], metavar="[SUITE.]METRIC=VALUE",
                   help="fail (exit 1) when the metric rises above VALUE, e.g. dev.false_refusals=0.1")
    p.add_argument("--judge", action="store_true",
                   help="also score faithfulness and relevance with the configured LLM (marked llm_judged_*)")
    p.add_argument("--compare", nargs="+", type=Path, metavar="RESULTS_JSON",
                   help="with suites: an earlier results.json to compare against; alone: BEFORE NOW")
    p.set_defaults(run=_eval)

    p = sub.add_parser("bench", help="speed and memory at the shared press releases, with ceilings and the naive pipeline")
    p.add_argument("--scale", action="append", choices=["press", "press+news"],
                   help="corpus scale (repeatable; default both)")
    p.add_argument("--out", type=Path, default=Path("evals/results"), help="folder for bench.json and bench.md")
    p.add_argument("--questions", type=int, default=200, help="questions timed at each scale")
    p.set_defaults(run=_bench)

    p = sub.add_parser("reindex", parents=[common], help="recompute every vector with the configured embedding")
    p.set_defaults(run=_reindex)
    return parser


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mode", help="answer mode (default: the configured one)")
    p.add_argument("--from", dest="date_from", help="only releases on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="only releases on or before YYYY-MM-DD")
    p.add_argument("--source", action="append", default=[], help="only releases from this source (repeatable)")


def _ask(args: argparse.Namespace) -> int:
    if bool(args.question) == bool(args.batch):
        raise ValueError("give either a QUESTION or --batch FILE")
    history = _read_history(args.history) if args.history else []
    with open_assistant(args, preload=True) as assistant:
        if args.batch:
            for item in _read_batch(args.batch):
                answer = assistant.ask(item["question"], item.get("history") or [], id=item.get("id"), **_ask_options(args))
                print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
            return 0
        answer = assistant.ask(args.question, history, **_ask_options(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0


def _ask_options(args: argparse.Namespace) -> dict:
    return {"mode": args.mode, "date_from": args.date_from, "date_to": args.date_to, "sources": args.source}


def _read_history(path: Path) -> list:
    try:
        history = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(history, list):
        raise ValueError(f"{path}: history must be a JSON list of questions")
    return history


def _read_batch(path: Path) -> list[dict]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: broken JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not str(item.get("question") or "").strip():
            raise ValueError(f"{path}:{number}: needs a non-empty field 'question'")
        items.append(item)
    return items


def _chat(args: argparse.Namespace) -> int:
    history: list[str] = []
    with open_assistant(args, preload=True) as assistant:
        print("Задайте вопрос (пустая строка или Ctrl-D — выход, /new — новый разговор).")
        while True:
            try:
                question = input("\n> ").strip()
            except EOFError:
                print()
                return 0
            if not question:
                return 0
            if question == "/new":
                history.clear()
                print("Новый разговор.")
                continue
            streamed = ""
            for event in assistant.ask_stream(question, history, **_ask_options(args)):
                if isinstance(event, str):
                    streamed += event
                    print(event, end="", flush=True)
                else:
                    # The checked answer can differ from the stream (renumbered or dropped citations, fallback).
                    if streamed and event.answer != streamed:
                        print("\n" + "─" * 40)
                    elif streamed:
                        print()
                    print(format_answer(event, with_text=event.answer != streamed))
            history.append(question)


def _serve(args: argparse.Namespace) -> int:
    with loading():
        from rag.api.security import api_key
        from rag.settings import Settings
        from rag.sync import BackgroundSync
        from ui.app import login, serve

    settings = Settings()
    # An exposed address without its login or API key is refused before any slow start-up.
    login(settings, args.host or settings.ui_host)
    api_key(settings, args.host or settings.ui_host)
    with open_assistant(args, settings=settings, preload=True) as assistant:
        if args.ingest:
            print(f"indexing {', '.join(map(str, args.ingest))} ...", file=sys.stderr)
            summary = assistant.ingest(args.ingest, on_progress=progress_bar())
            print(", ".join(f"{k}: {v}" for k, v in summary.counts().items()), file=sys.stderr)
        host = args.host or assistant.settings.ui_host
        port = args.port or assistant.settings.ui_port
        minutes = args.sync_every or settings.sync_every_minutes
        if minutes is not None and minutes <= 0:
            raise ValueError(f"--sync-every takes minutes above 0, not {minutes:g}")
        syncing = BackgroundSync(assistant.library, minutes).start() if minutes else None
        print(f"web chat at http://{host}:{port}, OpenAI-compatible API at /v1, REST at /api (docs at /docs), "
              "MCP at /mcp" + (f"; feeds synced every {minutes:g} min" if minutes else ""), file=sys.stderr)
        try:
            serve(assistant, assistant.settings, host=host, port=port)
        finally:
            if syncing:
                syncing.stop()
    return 0


def _mcp(args: argparse.Namespace) -> int:
    from rag.api.mcp_tools import run_stdio

    with open_assistant(args, preload=True) as assistant:
        run_stdio(assistant)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from rag.evaluation.command import compare_runs, evaluate

    if not args.suites:
        if not args.compare or len(args.compare) != 2:
            raise ValueError("give suites to run, or --compare BEFORE.json NOW.json")
        return compare_runs(args.compare[0], args.compare[1], args.out)
    if args.compare and len(args.compare) != 1:
        raise ValueError("with suites, --compare takes one earlier results.json")
    return evaluate(args.suites, args.corpus, args.out, baseline=not args.no_baseline, mode=args.mode,
                    gates=args.min, ceilings=args.max, previous=args.compare[0] if args.compare else None,
                    judged=args.judge)


def _bench(args: argparse.Namespace) -> int:
    from rag.evaluation.bench import bench

    return bench(args.out, args.scale or ["press", "press+news"], args.questions)


def _reindex(args: argparse.Namespace) -> int:
    with open_assistant(args, rebuild=True) as assistant:
        stats = assistant.stats()
    print(f"reindexed {stats['chunks']} chunks of {stats['documents']} documents with {stats['embedding']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
