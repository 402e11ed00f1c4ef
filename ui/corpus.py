"""The web chat's «Корпус» tab: uploads, addresses (a page or a feed), the listing and deletion of releases."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.assistant import Assistant
from rag.messages import localised
from rag.sync import AddressReport
from ui import render
from ui.strings import Strings

UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".jsonl"]
LISTED = 200


def corpus_controls(assistant: Assistant, strings: Strings):
    gr.Markdown(f"### {strings.upload_heading}")
    files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label=strings.upload, elem_id="upload")
    upload = gr.Button(strings.upload_button, variant="primary", elem_id="upload-button")
    with gr.Row():
        address = gr.Textbox(label=strings.address, placeholder="https://…", scale=4, elem_id="address")
        fetch = gr.Button(strings.address_button, scale=1, elem_id="address-button")
    # Plain-text cells ("str"): file names, titles and reasons show as typed, never as markdown or HTML.
    results = gr.Dataframe(headers=list(strings.upload_columns), interactive=False, wrap=True, datatype="str",
                           elem_id="upload-results")
    gr.Markdown(f"### {strings.documents_heading}")
    search = gr.Textbox(label=strings.search, elem_id="doc-search")
    table = gr.Dataframe(_rows(assistant.documents(), ""), headers=list(strings.documents_columns),
                         interactive=False, wrap=True, column_widths=["16%", "44%", "11%", "20%", "9%"],
                         datatype="str", elem_id="documents")
    listed = gr.Markdown(elem_id="documents-listed")
    with gr.Row():
        # Custom values let API clients name a document id directly.
        doomed = gr.Dropdown(_choices(assistant.documents(), ""), value=None, label=strings.delete_choice, scale=4,
                             allow_custom_value=True, elem_id="delete-choice")
        delete = gr.Button(strings.delete_button, variant="stop", scale=1, elem_id="delete-button")
    status = gr.HTML(elem_id="corpus-status")  # it names a typed id: HTML-escaped text, not markdown

    def ingest_files(paths: list[str] | None, query: str, progress=gr.Progress()):
        """Add files to the index; one result row per file."""
        if not paths:
            raise gr.Error(strings.nothing_uploaded)
        rows = []
        for path in progress.tqdm(paths, desc=strings.upload_button):
            summary = assistant.ingest([path])
            counts = summary.counts()
            ok = counts["added"] or counts["updated"] or counts["unchanged"] or counts["duplicate"]
            details = [f"{Path(f.where).name}: {f.problem.text(strings.language)}" for f in summary.failed]
            details += [_replaced(assistant, doc_id, strings) for doc_id in summary.updated]
            details += [f"{strings.duplicate_of}: {twin}" for _, twin in summary.duplicates]
            details += [strings.near_duplicate_of.format(doc_id=twin, similarity=similarity)
                        for _, twin, similarity in summary.near_duplicates]
            rows.append([Path(path).name, strings.status_ok.format(**counts) if ok else strings.status_failed,
                         "; ".join(details)])
        documents = assistant.documents()
        return rows, _rows(documents, query), gr.update(choices=_choices(documents, query), value=None)

    def ingest_url(url: str, query: str):
        """Add a page, or follow a feed and add its items, by address; one result row per item."""
        url = (url or "").strip()
        if not url:
            raise gr.Error(strings.nothing_addressed)
        report = assistant.library.add_address(url)
        documents = assistant.documents()
        return (address_rows(assistant, report, strings), _rows(documents, query),
                gr.update(choices=_choices(documents, query), value=None))

    def relist(query: str):
        return _listing(assistant.documents(), query, strings)

    def note(query: str) -> str:
        return _listed_note(assistant.documents(), query, strings)

    upload.click(ingest_files, [files, search], [results, table, doomed], api_name="ingest").then(
        note, search, listed, api_visibility="private")
    gr.on([fetch.click, address.submit], ingest_url, [address, search], [results, table, doomed],
          api_name="ingest_url").then(note, search, listed, api_visibility="private")
    search.change(relist, search, [table, doomed, listed], api_visibility="private")

    def remove(choice: str | None, query: str):
        """Delete one release, named by its id (or by a choice of the list: «id — title»)."""
        if not choice:
            return gr.update(), gr.update(), ""
        doc_id = choice.split(" — ", 1)[0].strip()
        missing = assistant.remove([doc_id])
        message = strings.not_found if missing else strings.deleted
        documents = assistant.documents()
        return _rows(documents, query), gr.update(choices=_choices(documents, query), value=None), render.text(
            message.format(doc_id=doc_id))

    delete.click(remove, [doomed, search], [table, doomed, status], api_name="remove").then(
        note, search, listed, api_visibility="private")
    return table, doomed, search, listed


def _replaced(assistant: Assistant, doc_id: str, strings: Strings) -> str:
    versions = assistant.history(doc_id)
    earlier = versions[-2]["version"] if len(versions) > 1 else 1
    return strings.replaced.format(doc_id=doc_id, version=earlier)


def address_rows(assistant: Assistant, report: AddressReport, strings: Strings) -> list[list[str]]:
    """[address or id, result, details] for the address itself and for each of its items."""
    if report.error is not None:
        return [[report.url, strings.status_failed, localised(report.error.problem, strings.language)]]
    summary = report.summary
    rows = [[report.url, strings.feed_followed if report.is_feed else strings.page_read,
             strings.not_modified if report.not_modified else strings.status_ok.format(**summary.counts())]]
    rows += [[doc_id, strings.item_added, ""] for doc_id in summary.added]
    rows += [[doc_id, strings.item_updated, _replaced(assistant, doc_id, strings)] for doc_id in summary.updated]
    rows += [[doc_id, strings.item_unchanged, ""] for doc_id in summary.unchanged]
    rows += [[doc_id, strings.item_duplicate, f"{strings.duplicate_of}: {twin}"] for doc_id, twin in summary.duplicates]
    rows += [[doc_id, strings.item_duplicate, strings.near_duplicate_of.format(doc_id=twin, similarity=similarity)]
             for doc_id, twin, similarity in summary.near_duplicates]
    rows += [[f.where, strings.status_failed, f.problem.text(strings.language)] for f in summary.failed]
    return rows


def _matching(documents: list[dict], query: str) -> list[dict]:
    needle = (query or "").strip().lower()
    return [d for d in documents if not needle or needle in d["title"].lower() or needle in d["doc_id"].lower()]


def _rows(documents: list[dict], query: str) -> list[list]:
    """The newest matching releases, at most LISTED: a page listing 80,000 rows would not load."""
    return [[d["doc_id"], d["title"], d["date"], d["source"], d["chars"]]
            for d in _matching(documents, query)[:LISTED]]


def _choices(documents: list[dict], query: str) -> list[str]:
    return [f"{d['doc_id']} — {_shorten(d['title'], 80)}" for d in _matching(documents, query)[:LISTED]]


def _listing(documents: list[dict], query: str, strings: Strings) -> tuple:
    """The corpus table, the delete list and the note of how many match, for one search."""
    return _rows(documents, query), gr.update(choices=_choices(documents, query)), _listed_note(
        documents, query, strings)


def _listed_note(documents: list[dict], query: str, strings: Strings) -> str:
    total = len(_matching(documents, query))
    return strings.listed(LISTED, total) if total > LISTED else ""


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.:;—-") + "…"


