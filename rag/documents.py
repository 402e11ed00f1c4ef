"""Documents: the record, loaders for each input format, encodings and stable ids.

Every loader yields `Document`s or `LoadError`s; a bad file or line never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

import frontmatter
import trafilatura
import yaml

from rag.messages import InputError
from rag.plaintext import credited_site, repair_glued_lines

SUPPORTED_SUFFIXES = (".jsonl", ".txt", ".md", ".html", ".htm")
ID_PATTERN = re.compile(r"^[\w.:@/-]{1,200}$")
MIN_HTML_WORDS = 5


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

    @property
    def content_hash(self) -> str:
        """Hash of the text alone: equal hashes under different ids are duplicates."""
        return _sha(" ".join(self.text.split()).casefold())

    @property
    def record_hash(self) -> str:
        """Hash of everything stored: a change here means the document must be replaced."""
        return _sha(json.dumps([self.title, self.date, self.source, self.url, self.lang, self.text], ensure_ascii=False))

    def to_dict(self) -> dict:
        return asdict(self)


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


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1251, the usual legacy encoding of Russian files.

    A UTF-8 file with a few broken bytes (a truncated last character, a stray byte) stays UTF-8, with
    U+FFFD in their place: read as Windows-1251 its Russian text would become mojibake.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8-sig", errors="replace")
    if lenient.count("\ufffd") <= max(3, len(lenient) // 1000) and _mostly_cyrillic(lenient):
        return lenient
    text = data.decode("cp1251", errors="strict") if _looks_cp1251(data) else None
    if text is None:
        raise InputError("encoding")
    return text


def _looks_cp1251(data: bytes) -> bool:
    try:
        return _mostly_cyrillic(data.decode("cp1251"))
    except UnicodeDecodeError:
        return False


def _mostly_cyrillic(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    return letters > 0 and cyrillic / letters > 0.3


def read_text_file(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty_file")
    if size > max_bytes:
        raise InputError("file_too_big", size=_size(size), limit=_size(max_bytes))
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError("binary")
    text = decode_bytes(data)
    if not text.strip():
        raise InputError("no_text")
    return text


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count:,} bytes"


def path_id(path: Path, root: Path | None) -> str:
    """A stable id from the path: relative to the folder that was ingested, without the extension,
    with characters an id may not hold (spaces, brackets) turned into '_'."""
    relative = path.relative_to(root) if root is not None else Path(path.name)
    return re.sub(r"[^\w.:@/-]+", "_", relative.with_suffix("").as_posix()).strip("_")[:200] or "document"


def iter_input_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(file, root folder or None) for every file named or found under a named folder, sorted."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
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
        loader = _load_html if suffix in (".html", ".htm") else _load_markdown
        yield loader(text, path_id(path, root), str(path))
    except ValueError as exc:
        yield LoadError(str(path), _problem(exc))


def _load_jsonl(path: Path, max_bytes: int) -> Iterator[Document | LoadError]:
    """Streamed line by line, so the size limit applies to each release, not to the whole file."""
    if path.stat().st_size == 0:
        yield LoadError(str(path), InputError("empty_file"))
        return
    with path.open("rb") as stream:
        if b"\x00" in stream.read(8192):
            yield LoadError(str(path), InputError("binary"))
            return
        stream.seek(0)
        for number, raw in enumerate(stream, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                if len(raw) > max_bytes:
                    raise InputError("line_too_big", size=_size(len(raw)), limit=_size(max_bytes))
                yield record_to_document(json.loads(decode_bytes(raw)), where=where)
            except json.JSONDecodeError as exc:
                yield LoadError(where, InputError("broken_json", error=exc.msg, column=exc.colno))
            except ValueError as exc:
                yield LoadError(where, _problem(exc))


def record_to_document(record: object, where: str) -> Document:
    if not isinstance(record, dict):
        raise InputError("not_an_object")
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


def _load_markdown(text: str, doc_id: str, where: str) -> Document:
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:  # a YAML date like 2024-02-30 raises ValueError
        raise InputError("broken_front_matter", error=" ".join(str(exc).split())) from None
    meta = dict(post.metadata)
    body = repair_glued_lines(clean_text(post.content))
    if not body:
        raise InputError("no_body")
    title = str(meta.get("title") or "")
    if not title:
        heading = re.match(r"^#\s+(.+)$", body, flags=re.M)
        title = heading[1].strip() if heading else _first_line(body)
    source = str(meta.get("source") or "") or credited_site(body)
    return record_to_document(
        {**meta, "id": str(meta.get("id") or doc_id), "title": title, "source": source, "text": body}, where=where
    )


def _load_html(text: str, doc_id: str, where: str) -> Document:
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
