"""`rag` commands that change or describe the corpus: ingest (files and addresses), list, remove, feeds,
sync, history, restore. Argument parsing and printing only; the work is done by `rag.Assistant`."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ingest", parents=[common], help="add or update files, folders, JSONL or web addresses")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL",
                   help="a file or folder, or an http(s) address of a page (or of a feed, read once)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=_ingest)

    p = sub.add_parser("list", parents=[common], help="list indexed documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)

    p = sub.add_parser("remove", parents=[common], help="remove documents by id (with all their versions)")
    p.add_argument("doc_ids", nargs="+")
    p.set_defaults(run=_remove)

    feeds = sub.add_parser("feeds", help="the RSS and Atom feeds that `rag sync` follows")
    actions = feeds.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", parents=[common], help="follow a feed")
    p.add_argument("url")
    p.add_argument("--source", default="", help="source name of its releases (default: the feed's title)")
    p.set_defaults(run=_feeds_add)
    p = actions.add_parser("list", parents=[common], help="the followed feeds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_feeds_list)
    p = actions.add_parser("remove", parents=[common], help="stop following a feed (its releases stay)")
    p.add_argument("url")
    p.set_defaults(run=_feeds_remove)

    p = sub.add_parser("sync", parents=[common], help="fetch every followed feed and ingest new and changed items")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_sync)

    p = sub.add_parser("history", parents=[common], help="the stored versions of a release")
    p.add_argument("doc_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_history)

    p = sub.add_parser("restore", parents=[common], help="make an earlier version of a release current again")
    p.add_argument("doc_id")
    p.add_argument("--version", type=int, required=True)
    p.set_defaults(run=_restore)


def open_assistant(args: argparse.Namespace, **kwargs):
    with loading():
        from rag.assistant import Assistant

        return Assistant.open(args.index, on_wait=lambda message: print(message, file=sys.stderr, flush=True),
                              **kwargs)


@contextlib.contextmanager
def loading():
    """Start-up without the garbage collector: loading chromadb, the models (and Gradio) makes some 300k objects
    that live as long as the process, and full passes over them found nothing while they took 0.1-0.6 s of each
    start. What was loaded is then frozen out of the passes that follow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def progress_bar():
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", disable=None, file=sys.stderr)

    def progress(p) -> None:
        bar.total = p.files_total
        bar.n = p.files_done
        bar.set_postfix(docs=p.documents, refresh=False)
        bar.refresh()
        if p.files_done == p.files_total:
            bar.close()

    return progress


def print_summary(summary, indent: str = "  ") -> None:
    for doc_id, twin in summary.duplicates:
        print(f"{indent}duplicate: {doc_id} " + ("appears again" if doc_id == twin else f"has the same text as {twin}"))
    for doc_id, twin, similarity in summary.near_duplicates:
        print(f"{indent}duplicate: {doc_id} is a near duplicate of {twin} (similarity {similarity:.2f}); not indexed")
    for failure in summary.failed:
        print(f"{indent}failed: {failure}")


def _ingest(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        summary = assistant.ingest(args.paths, on_progress=progress_bar())
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(", ".join(f"{k}: {v}" for k, v in summary.counts().items()) + f" ({summary.chunks} chunks written)")
        print_summary(summary)
    return 1 if summary.failed and not (summary.added or summary.updated or summary.unchanged) else 0


def _list(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        documents = assistant.documents()
    if args.json:
        print(json.dumps(documents, ensure_ascii=False, indent=2))
        return 0
    for d in documents:
        print(f"{d['doc_id']}\t{d['date'] or '-'}\t{d['chunks']} chunks\t{d['title']}")
    print(f"{len(documents)} documents", file=sys.stderr)
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        missing = assistant.remove(args.doc_ids)
    for doc_id in missing:
        print(f"not in the index: {doc_id}", file=sys.stderr)
    print(f"removed {len(args.doc_ids) - len(missing)} documents")
    return 1 if missing else 0


def _feeds_add(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        added = assistant.library.follow(args.url, args.source)
    print(f"following {args.url}" if added else f"already following {args.url} (source updated)")
    return 0


def _feeds_list(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        feeds = [f.to_dict() for f in assistant.library.feeds()]
    if args.json:
        print(json.dumps(feeds, ensure_ascii=False, indent=2))
        return 0
    for f in feeds:
        print(f"{f['url']}\t{f['source'] or '-'}\t{f['synced_at'] or 'never synced'}\t{f['result'] or ''}")
    print(f"{len(feeds)} feeds", file=sys.stderr)
    return 0


def _feeds_remove(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        assistant.library.unfollow(args.url)
    print(f"no longer following {args.url}; its releases stay in the index")
    return 0


def _sync(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        reports = assistant.library.sync()
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            print(report.line())
            print_summary(report.summary)
        if not reports:
            print("no feeds followed (rag feeds add URL)", file=sys.stderr)
    return 1 if any(r.failed for r in reports) else 0


def _history(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        versions = assistant.history(args.doc_id)
    if args.json:
        print(json.dumps(versions, ensure_ascii=False, indent=2))
        return 0
    for v in versions:
        print(f"{v['version']}\t{v['saved_at']}\t{v['chars']} characters" + ("\tcurrent" if v["current"] else ""))
    return 0


def _restore(args: argparse.Namespace) -> int:
    with open_assistant(args) as assistant:
        version = assistant.restore(args.doc_id, args.version)
    print(f"restored version {args.version} of {args.doc_id} as its current version {version}")
    return 0
