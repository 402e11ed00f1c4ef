"""Documents: the record, loaders for each input format, metadata limits and stable ids.

Every loader yields `Document`s or `LoadError`s; a bad file or line never stops the others. Reading bytes
(sizes, binary content, encodings) lives in `rag.reading`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from rag.messages import InputError
from rag.plaintext import credited_site, repair_glued_lines
from rag.reading import bounded_lines, decode_bytes, looks_binary, read_text_file

SUPPORTED_SUFFIXES = (".jsonl", ".txt", ".md", ".html", ".htm")
ID_PATTERN = re.compile(r"^[\w.:@/-]{1,200}$")
MIN_HTML_WORDS = 5
# Longest accepted metadata, in characters: every view and prompt shows these fields whole.
FIELD_LIMITS = {"id": 200, "title": 1000, "date": 40, "source": 300, "url": 2000, "lang": 20}


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    date: str = ""
    source: str = ""
    url: str = ""
    lang: str = "ru"
    origin: str = ""

    # Computed once: ingest asks for each several times (classifying, storing, versioning).
    @cached_property
    def content_hash(self) -> str:
        """Hash of the text alone: equal hashes under different ids are duplicates."""
        return _sha(" ".join(self.text.split()).casefold())

    @cached_property
    def record_hash(self) -> str:
        """Hash of everything stored: a change here means the document must be replaced."""
        return _sha(json.dumps([self.title, self.date, self.source, self.url, self.lang, self.text], ensure_ascii=False))

    def to_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class LoadError:
    where: str
    problem: InputError

    @property
    def reason(self) -> str:
        return self.problem.text("en")

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def _problem(error: Exception) -> InputError:
    """A library's own error (a bad date, an unreadable file) worded as ours."""
    return error if isinstance(error, InputError) else InputError("unreadable", error=str(error))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return re.sub(r"[ \t\u00a0]+\n", "\n", text).strip()


def normalise_date(value: object) -> str:
    """ISO date (YYYY-MM-DD) from a date, datetime or string; '' when absent. Raises ValueError when malformed."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text) or None
    if match:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    match = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", text)
    if match:
        return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
    raise InputError("bad_date", value=text)


def path_id(path: Path, root: Path | None) -> str:
    """A stable id from the path: relative to the folder that was ingested, without the extension,
    with characters an id may not hold (spaces, brackets) turned into '_'."""
    relative = path.relative_to(root) if root is not None else Path(path.name)
    return re.sub(r"[^\w.:@/-]+", "_", relative.with_suffix("").as_posix()).strip("_")[:200] or "document"


# Files that describe a folder of releases rather than being one (a file named on the command line is read).
FOLDER_NOTES = {"readme.md", "sources.md", "license.md", "readme.txt", "license.txt"}


def iter_input_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(file, root folder or None) for every file named or found under a named folder, sorted; hidden files
    and a folder's notes (README.md, SOURCES.md) are not releases."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                               and p.name.lower() not in FOLDER_NOTES):
                yield file, path
        else:
            yield path, None


def load_path(path: Path, root: Path | None, max_bytes: int) -> Iterator[Document | LoadError]:
    suffix = path.suffix.lower()
    if not path.exists():
        yield LoadError(str(path), InputError("no_such_path"))
        return
    if suffix not in SUPPORTED_SUFFIXES:
        yield LoadError(str(path), InputError("unknown_extension", suffix=suffix or "(none)",
                                              supported=", ".join(SUPPORTED_SUFFIXES)))
        return
    if suffix == ".jsonl":
        yield from _load_jsonl(path, max_bytes)
        return
    try:
        text = read_text_file(path, max_bytes)
    except (ValueError, OSError) as exc:
        yield LoadError(str(path), _problem(exc))
        return
    try:
        loader = load_html if suffix in (".html", ".htm") else load_markdown
        yield loader(text, path_id(path, root), str(path))
    except ValueError as exc:
        yield LoadError(str(path), _problem(exc))


def _load_jsonl(path: Path, max_bytes: int) -> Iterator[Document | LoadError]:
    """Streamed line by line, so the size limit applies to each release, not to the whole file."""
    if path.stat().st_size == 0:
        yield LoadError(str(path), InputError("empty_file"))
        return
    with path.open("rb") as stream:
        if looks_binary(stream.read(8192)):
            yield LoadError(str(path), InputError("binary"))
            return
        stream.seek(0)
        for number, raw in bounded_lines(stream, max_bytes):
            where = f"{path}:{number}"
            if isinstance(raw, InputError):
                yield LoadError(where, raw)
                continue
            if not raw.strip():
                continue
            try:
                if looks_binary(raw.rstrip(b"\r\n")):
                    raise InputError("binary_line")
                yield record_to_document(json.loads(decode_bytes(raw)), where=where)
            except json.JSONDecodeError as exc:
                yield LoadError(where, InputError("broken_json", error=exc.msg, column=exc.colno))
            except ValueError as exc:
                yield LoadError(where, _problem(exc))


def record_to_document(record: object, where: str) -> Document:
    if not isinstance(record, dict):
        raise InputError("not_an_object")
    for name, limit in FIELD_LIMITS.items():
        length = len(str(record.get(name) or ""))
        if length > limit:
            raise InputError("field_too_long", field=name, length=length, limit=limit)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("missing_text")
    doc_id = str(record.get("id") or "").strip()
    if not doc_id:
        raise InputError("missing_id")
    if not ID_PATTERN.match(doc_id):
        raise InputError("bad_id", id=doc_id)
    try:
        doc_date = normalise_date(record.get("date"))
    except ValueError:
        raise InputError("bad_date_field", value=str(record.get("date"))) from None
    text = clean_text(text)
    return Document(
        id=doc_id,
        title=clean_text(str(record.get("title") or "")) or _first_line(text),
        text=text,
        date=doc_date,
        source=str(record.get("source") or ""),
        url=str(record.get("url") or ""),
        lang=str(record.get("lang") or "ru"),
        origin=where,
    )


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].lstrip("# ").strip()
    return line[:150]


@lru_cache(maxsize=1)
def _yaml_handler():
    """python-frontmatter's YAML handler with a loader that refuses anchors and aliases: a few hundred bytes of
    nested aliases expand to millions of characters ("billion laughs"), and release metadata never needs them."""
    import frontmatter
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError("yaml_alias")
            return super().compose_node(parent, index)

    class Handler(frontmatter.YAMLHandler):
        def load(self, fm: str, **kwargs: object):
            return yaml.load(fm, Loader=NoAliasLoader)

    return Handler()


def load_markdown(text: str, doc_id: str, where: str) -> Document:
    import frontmatter  # with yaml, 50 ms of imports that only Markdown needs
    import yaml

    # Passed only when the text opens with YAML front matter, as python-frontmatter itself detects it.
    handler = _yaml_handler() if _yaml_handler().detect(text.strip()) else None
    try:
        post = frontmatter.loads(text, handler=handler)
    except InputError:
        raise
    except (yaml.YAMLError, ValueError) as exc:  # a YAML date like 2024-02-30 raises ValueError
        raise InputError("broken_front_matter", error=" ".join(str(exc).split())) from None
    meta = dict(post.metadata)
    body = repair_glued_lines(clean_text(post.content))
    if not body:
        raise InputError("no_body")
    title = str(meta.get("title") or "")
    if not title:
        heading = re.match(r"^#\s+(.+)$", body, flags=re.M)
        title = heading[1].strip()[:FIELD_LIMITS["title"]] if heading else _first_line(body)
    source = str(meta.get("source") or "") or credited_site(body)
    return record_to_document(
        {**meta, "id": str(meta.get("id") or doc_id), "title": title, "source": source, "text": body}, where=where
    )


def load_html(text: str, doc_id: str, where: str) -> Document:
    import trafilatura  # only HTML needs it; `rag ask` never does

    extracted = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_precision=True)
    body = extracted.text if extracted is not None else ""
    if len((body or "").split()) < MIN_HTML_WORDS:
        raise InputError("no_main_text")
    return record_to_document(
        {
            "id": doc_id,
            "title": extracted.title or "",
            "date": extracted.date or "",
            "source": extracted.sitename or "",
            "url": extracted.url or "",
            "lang": "ru",
            "text": body,
        },
        where=where,
    )
