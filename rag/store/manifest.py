"""The manifest: SQLite record of every document and chunk (text included) in an index, or with
`RAG_DATABASE_URL` the same tables on a PostgreSQL server that servers on several hosts share
(`rag.store.postgres`).

It is the source of truth: the vector store, the lexical index and the near-duplicate index are derived
from it and can be rebuilt from it. `generation` grows with every change so derived indexes know when they
are stale. It also keeps every version of each document (`rag.store.versions`) and the followed feeds with
their validators (`rag.store.feeds`). New tables are created when missing, so an older index opens as is.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from rag.chunking import Chunk
from rag.documents import Document
from rag.store.feeds import Feeds
from rag.store.postgres import connect
from rag.store.versions import Versions

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT, date TEXT, source TEXT, url TEXT, lang TEXT, origin TEXT,
    content_hash TEXT, record_hash TEXT, chunks INTEGER, chars INTEGER, updated_at TEXT
);
CREATE INDEX IF NOT EXISTS documents_content ON documents(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER, start INTEGER, end INTEGER,
    text TEXT NOT NULL, terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, minhash BLOB NOT NULL);
"""

CHUNK_ROWS = "SELECT c.chunk_id, c.doc_id, d.date, d.source, c.terms FROM chunks c JOIN documents d USING (doc_id)"
DOCUMENT_FIELDS = ("doc_id", "title", "date", "source", "url", "lang", "origin", "chunks", "chars", "updated_at")


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    title: str
    date: str
    source: str
    url: str


class Manifest:
    def __init__(self, path: Path, database_url: str | None = None):
        """SQLite at `path`, or the PostgreSQL database `database_url` names."""
        self._opened_with = (path, database_url)
        if database_url:
            self.db = connect(database_url)
            self.where = self.db.where
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Several processes share the file (`rag serve` and a cron `rag ingest`): in WAL mode readers never
            # wait for the writer, and a writer waits for another (up to the timeout) instead of failing.
            self.db = sqlite3.connect(path, check_same_thread=False, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.where = str(path)
        self.db.executescript(SCHEMA)
        if database_url:
            # The store's identity, the same for every host (the first to open it chose it): it names each host's
            # own copy of the lexical index, which no other store may be mistaken for.
            self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', ?)", (uuid.uuid4().hex,))
        self.versions = Versions(self.db, self._stored)
        self.feeds = Feeds(self.db)

    def close(self) -> None:
        self.db.close()

    def another(self) -> "Manifest":
        """The same manifest on a connection of its own, for a thread that reads for long."""
        return Manifest(*self._opened_with)

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, **values: object) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
            )

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation", "0"))

    def pending(self) -> list[str]:
        """Document ids of a write that began but did not finish (the process was interrupted)."""
        return json.loads(self.get_meta("pending", "[]"))

    def set_pending(self, doc_ids: Iterable[str]) -> None:
        self.set_meta(pending=json.dumps(sorted(set(doc_ids)), ensure_ascii=False))

    def hashes(self, doc_id: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT record_hash, content_hash FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def doc_with_content(self, content_hash: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents WHERE content_hash = ? LIMIT 1", (content_hash,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_ids: Iterable[str]) -> list[str]:
        ids = list(doc_ids)
        result: list[str] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            result += [r[0] for r in self.db.execute(f"SELECT chunk_id FROM chunks WHERE doc_id IN ({marks})", part)]
        return result

    def replace(self, documents: list[Document], chunks: list[Chunk], terms: list[str],
                signatures: dict[str, bytes]) -> None:
        """Replace the given documents, all their chunks and their near-duplicate signatures in one transaction,
        keeping each changed record as a new version."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        counts: dict[str, int] = {}
        for chunk in chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        with self.db:
            self.versions.save(documents, now, set(self.existing([doc.id for doc in documents])))
            self._delete(doc.id for doc in documents)
            self.db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?)", list(signatures.items()))
            self.db.executemany(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (d.id, d.title, d.date, d.source, d.url, d.lang, d.origin, d.content_hash, d.record_hash,
                     counts.get(d.id, 0), len(d.text), now)
                    for d in documents
                ],
            )
            self.db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
                [(c.id, c.doc_id, c.ordinal, c.start, c.end, c.text, t) for c, t in zip(chunks, terms)],
            )
            self._bump()

    def remove(self, doc_ids: Iterable[str]) -> None:
        """The only way a document is forgotten: with its versions, signature and page validators."""
        ids = list(doc_ids)
        with self.db:
            self._delete(ids)
            self.versions.forget(ids)
            self.feeds.forget_pages(ids)
            self.db.executemany("DELETE FROM signatures WHERE doc_id = ?", [(d,) for d in ids])
            self._bump()

    def _delete(self, doc_ids: Iterable[str]) -> None:
        rows = [(d,) for d in doc_ids]
        self.db.executemany("DELETE FROM chunks WHERE doc_id = ?", rows)
        self.db.executemany("DELETE FROM documents WHERE doc_id = ?", rows)

    def _bump(self) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)", (str(self.generation + 1),)
        )

    def _stored(self, doc_id: str) -> tuple[Document, str] | None:
        """A document as stored now, its text stitched from its chunks (they overlap by a sentence, and
        paragraph breaks between them are not kept), with the time it was saved."""
        row = self.db.execute("SELECT title, date, source, url, lang, updated_at FROM documents WHERE doc_id = ?",
                              (doc_id,)).fetchone()
        if row is None:
            return None
        text, end = "", 0
        for start, stop, piece in self.db.execute(
                "SELECT start, end, text FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)):
            text += piece[max(0, end - start):] if start < end else ("\n\n" if text else "") + piece
            end = max(end, stop)
        return Document(doc_id, row[0], text, row[1], row[2], row[3], row[4]), row[5]

    def stored_texts(self, doc_ids: list[str]) -> dict[str, str]:
        return {d: found[0].text for d in doc_ids if (found := self._stored(d)) is not None}

    def documents(self) -> list[dict]:
        cursor = self.db.execute(f"SELECT {', '.join(DOCUMENT_FIELDS)} FROM documents ORDER BY date DESC, doc_id")
        return [dict(zip(DOCUMENT_FIELDS, row)) for row in cursor]

    def existing(self, doc_ids: Iterable[str]) -> list[str]:
        """The given ids that the manifest holds, in their order."""
        ids = list(doc_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.db.execute(f"SELECT doc_id FROM documents WHERE doc_id IN ({marks})", part))
        return [d for d in ids if d in found]

    def all_chunk_rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """(chunk_id, doc_id, date, source, terms) for every chunk, in a stable order, streamed."""
        return self.db.execute(f"{CHUNK_ROWS} ORDER BY c.doc_id, c.ordinal")

    def chunk_rows(self, doc_ids: Iterable[str]) -> list[tuple[str, str, str, str, str]]:
        """`all_chunk_rows` of the given documents only, ordered by document."""
        ids = sorted(set(doc_ids))
        rows: list[tuple[str, str, str, str, str]] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows += self.db.execute(f"{CHUNK_ROWS} WHERE c.doc_id IN ({','.join('?' * len(part))}) "
                                    "ORDER BY c.doc_id, c.ordinal", part).fetchall()
        return rows

    def chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        found: dict[str, StoredChunk] = {}
        for start in range(0, len(chunk_ids), 500):
            part = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.db.execute(
                "SELECT c.chunk_id, c.doc_id, c.ordinal, c.text, d.title, d.date, d.source, d.url "
                f"FROM chunks c JOIN documents d USING (doc_id) WHERE c.chunk_id IN ({marks})",
                part,
            ):
                found[row[0]] = StoredChunk(*row)
        return found

    def chunk_texts_for(self, doc_ids: Iterable[str]) -> list[tuple[str, str, str, str, str]]:
        """(chunk_id, doc_id, title + text for embedding, date, source) of the given documents."""
        ids = list(doc_ids)
        rows: list[tuple[str, str, str, str, str]] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows += self.db.execute(
                "SELECT c.chunk_id, c.doc_id, d.title || char(10) || c.text, d.date, d.source "
                f"FROM chunks c JOIN documents d USING (doc_id) WHERE c.doc_id IN ({marks}) ORDER BY c.chunk_id",
                part,
            ).fetchall()
        return rows

    def document_terms(self, doc_ids: Iterable[str]) -> dict[str, set[str]]:
        """Every stem of each given document (its title included)."""
        ids = list(doc_ids)
        found: dict[str, set[str]] = {doc_id: set() for doc_id in ids}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for doc_id, stems in self.db.execute(f"SELECT doc_id, terms FROM chunks WHERE doc_id IN ({marks})", part):
                found[doc_id].update(stems.split())
        return found

    def retokenise(self, tokenise) -> None:
        """Recompute every chunk's stored terms (after the tokeniser changed)."""
        rows = self.db.execute(
            "SELECT c.chunk_id, d.title || char(10) || c.text FROM chunks c JOIN documents d USING (doc_id)"
        ).fetchall()
        with self.db:
            self.db.executemany("UPDATE chunks SET terms = ? WHERE chunk_id = ?",
                                [(" ".join(tokenise(text)), chunk_id) for chunk_id, text in rows])
            self._bump()

    def document_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def all_doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents")]
