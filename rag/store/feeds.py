"""Followed feeds and the HTTP validators of fetched pages, kept in the manifest with the index.

`feeds`: one row per followed feed with its source name, the ETag / Last-Modified / body hash of its last
complete sync and that sync's result. `pages`: for each page stored from an address (a feed item or
`rag ingest URL`), the document it became and its validators, so the next fetch is conditional.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, source TEXT NOT NULL DEFAULT '', added_at TEXT NOT NULL, etag TEXT, last_modified TEXT,
    body_hash TEXT, synced_at TEXT, result TEXT
);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, doc_id TEXT NOT NULL, etag TEXT, last_modified TEXT);
CREATE INDEX IF NOT EXISTS pages_doc ON pages(doc_id);
"""


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class Feed:
    url: str
    source: str
    added_at: str
    synced_at: str | None
    result: str | None
    validators: Validators

    def to_dict(self) -> dict:
        return {"url": self.url, "source": self.source, "added_at": self.added_at, "synced_at": self.synced_at,
                "result": self.result}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Feeds:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        db.executescript(SCHEMA)

    def add(self, url: str, source: str) -> bool:
        """False when the feed was already followed (its source name is updated when one is given)."""
        known = self.get(url) is not None
        with self.db:
            if known and source:
                self.db.execute("UPDATE feeds SET source = ? WHERE url = ?", (source, url))
            elif not known:
                self.db.execute("INSERT INTO feeds(url, source, added_at) VALUES (?, ?, ?)", (url, source, _now()))
        return not known

    def remove(self, url: str) -> bool:
        with self.db:
            return self.db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount > 0

    def get(self, url: str) -> Feed | None:
        row = self.db.execute("SELECT url, source, added_at, synced_at, result, etag, last_modified, body_hash "
                              "FROM feeds WHERE url = ?", (url,)).fetchone()
        return Feed(*row[:5], Validators(*row[5:])) if row else None

    def all(self) -> list[Feed]:
        return [f for (url,) in self.db.execute("SELECT url FROM feeds ORDER BY rowid")
                if (f := self.get(url)) is not None]

    def synced(self, url: str, result: str, validators: Validators | None) -> None:
        """Record a sync; validators only after a complete one, so that a feed whose items failed is read again."""
        with self.db:
            self.db.execute("UPDATE feeds SET synced_at = ?, result = ? WHERE url = ?", (_now(), result, url))
            if validators is not None:
                self.db.execute("UPDATE feeds SET etag = ?, last_modified = ?, body_hash = ? WHERE url = ?",
                                (validators.etag, validators.last_modified, validators.body_hash, url))

    def page(self, url: str) -> tuple[str, Validators] | None:
        """(doc_id, validators) of a page whose document is still stored."""
        row = self.db.execute("SELECT p.doc_id, p.etag, p.last_modified FROM pages p JOIN documents d USING (doc_id) "
                              "WHERE p.url = ?", (url,)).fetchone()
        return (row[0], Validators(row[1], row[2])) if row else None

    def save_pages(self, pages: Iterable[tuple[str, str, Validators]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                                [(url, doc_id, v.etag, v.last_modified) for url, doc_id, v in pages])

    def forget_pages(self, doc_ids: Iterable[str]) -> None:
        """Inside the manifest's transaction that removes the documents."""
        self.db.executemany("DELETE FROM pages WHERE doc_id = ?", [(d,) for d in doc_ids])
