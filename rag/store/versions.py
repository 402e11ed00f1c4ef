"""Every version of every stored release, so that replacing a release never loses the earlier one.

Table `versions` holds each record (title, date, source, url, lang, text; zlib-compressed JSON) under
(doc_id, version), numbered from 1; the highest number is the current version. The manifest writes a new
version in the same transaction that replaces a document, and removing a document forgets its versions.
Documents stored before versions were kept get their version 1 from their stored chunks the first time
their history is read or they are replaced.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import replace
from typing import Callable, Iterable

from rag.documents import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL, version INTEGER NOT NULL, saved_at TEXT NOT NULL, record_hash TEXT NOT NULL,
    chars INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (doc_id, version)
);
"""


def _pack(doc: Document) -> bytes:
    return zlib.compress(json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8"))


def _row(doc: Document, version: int, saved_at: str) -> tuple:
    return doc.id, version, saved_at, doc.record_hash, len(doc.text), _pack(replace(doc, origin=""))


def _unpack(blob: bytes) -> Document:
    return Document(**json.loads(zlib.decompress(blob).decode("utf-8")))


class Versions:
    """`stored` gives a document as the manifest holds it now (text stitched from its chunks) with the time it
    was saved, for documents that have no version yet."""

    def __init__(self, db: sqlite3.Connection, stored: Callable[[str], tuple[Document, str] | None]):
        self.db = db
        self.stored = stored
        db.executescript(SCHEMA)

    def _latest(self, doc_id: str) -> tuple[int, str] | None:
        row = self.db.execute("SELECT version, record_hash FROM versions WHERE doc_id = ? ORDER BY version DESC "
                              "LIMIT 1", (doc_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def _backfill(self, doc_id: str) -> tuple[int, str] | None:
        """Version 1 of a document stored before versions were kept (inside the caller's transaction)."""
        latest = self._latest(doc_id)
        if latest is None and (found := self.stored(doc_id)) is not None:
            doc, saved_at = found
            self._insert(doc, 1, saved_at)
            latest = (1, doc.record_hash)
        return latest

    def _insert(self, doc: Document, version: int, saved_at: str) -> None:
        self.db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?)", _row(doc, version, saved_at))

    def save(self, documents: list[Document], now: str, stored: set[str]) -> None:
        """A new version of each document whose record differs from its current version; runs inside the
        manifest's transaction, before the old rows are replaced. `stored`: which of them the manifest holds
        (only those can lack a version they should have). Current versions are read a few hundred documents a
        query, and the new ones written in one statement."""
        latest = self._latest_of([doc.id for doc in documents])
        rows = []
        for doc in documents:
            current = latest.get(doc.id) or (self._backfill(doc.id) if doc.id in stored else None)
            if current is None or current[1] != doc.record_hash:
                version = (current[0] if current else 0) + 1
                rows.append(_row(doc, version, now))
                latest[doc.id] = (version, doc.record_hash)
        self.db.executemany("INSERT INTO versions VALUES (?,?,?,?,?,?)", rows)

    def _latest_of(self, doc_ids: list[str]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            # The newest version's row of each release (standard SQL: PostgreSQL holds the manifest of a shared store).
            for doc_id, version, record_hash in self.db.execute(
                    "SELECT v.doc_id, v.version, v.record_hash FROM versions v JOIN (SELECT doc_id, MAX(version) AS newest "
                    f"FROM versions WHERE doc_id IN ({marks}) GROUP BY doc_id) m "
                    "ON v.doc_id = m.doc_id AND v.version = m.newest", part):
                found[doc_id] = (version, record_hash)
        return found

    def history(self, doc_id: str) -> list[dict]:
        """Versions oldest first: {version, saved_at, chars, current}; empty for an unknown id."""
        with self.db:
            self._backfill(doc_id)
        rows = self.db.execute("SELECT version, saved_at, chars FROM versions WHERE doc_id = ? ORDER BY version",
                               (doc_id,)).fetchall()
        return [{"version": v, "saved_at": saved, "chars": chars, "current": i == len(rows) - 1}
                for i, (v, saved, chars) in enumerate(rows)]

    def document(self, doc_id: str, version: int) -> Document | None:
        row = self.db.execute("SELECT record FROM versions WHERE doc_id = ? AND version = ?",
                              (doc_id, version)).fetchone()
        return _unpack(row[0]) if row else None

    def forget(self, doc_ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM versions WHERE doc_id = ?", [(d,) for d in doc_ids])
