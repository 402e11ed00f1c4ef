"""The manifest on a PostgreSQL server (`RAG_DATABASE_URL`), for `rag serve` on several hosts sharing one store.

Chroma keeps the vectors but has neither transactions nor a lock that ends with its holder, so what every host
must see alike lives here: the manifest's tables (documents, chunks, signatures, versions, feeds, pages, and
`meta` with `generation` and `pending`) and the writer lock, a session advisory lock that the server drops
when its holder's connection ends: the process exited or was killed, or its host went silent (keepalives).

`Database` gives the manifest's modules, written for sqlite3, the part of a sqlite3 connection they use:
`execute`, `executemany`, `executescript` and `with db:` as one transaction. Their SQL is translated once per
statement: `?` placeholders, INSERT OR REPLACE / OR IGNORE as ON CONFLICT, `char()`, BLOB, the reserved
column name `end`, SQLite's `rowid`, and text compared byte by byte (collation "C") as SQLite does.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from rag.store.lock import this_process

# Advisory lock keys (two int4): one store per database, so fixed numbers do.
LOCK_CLASS = 0x52414700
WRITER_KEY = 1
SCHEMA_KEY = 2
# Seconds of silence after which the server probes a client, between probes, and probes before it gives up.
KEEPALIVE = (10, 5, 3)

_UPSERT = re.compile(r"INSERT OR (REPLACE|IGNORE) INTO (\w+)(\s*\(([^)]*)\))?", re.IGNORECASE)


def connect(url: str) -> "Database":
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("RAG_DATABASE_URL needs psycopg: pip install 'rag[postgres]'") from exc
    return Database(url)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.holds_lock = False  # the writer lock, which ends with this session
        self._translated: dict[str, str] = {}
        self._transactions: list = []
        self._connect()
        info = self.conn.info
        self.where = f"PostgreSQL {info.host}:{info.port}/{info.dbname}"

    def _connect(self) -> None:
        import psycopg

        idle, interval, count = KEEPALIVE
        self.conn = psycopg.connect(self.url, autocommit=True, application_name=this_process()[:63], keepalives=1,
                                    keepalives_idle=idle, keepalives_interval=interval, keepalives_count=count)
        # The client's keepalives notice a dead server; the server needs its own to notice a dead client (and
        # free its lock) in seconds rather than the system's two hours.
        self.conn.execute(f"SET tcp_keepalives_idle = {idle}; SET tcp_keepalives_interval = {interval}; "
                          f"SET tcp_keepalives_count = {count}")

    def execute(self, sql: str, params: Sequence = ()):
        return self._again_if_lost(lambda: self.conn.execute(self._translate(sql), params or None))

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._translate(sql), rows)

    def _again_if_lost(self, run):
        """A statement outside any transaction, on a connection that broke (the server restarted, the network
        dropped), runs once more on a new one; never while this session holds the writer lock, which is gone
        with it: that writer must fail rather than write on without it."""
        import psycopg

        try:
            return run()
        except psycopg.OperationalError:
            if not self.conn.broken or self._transactions or self.holds_lock:
                raise
            self._connect()
            return run()

    def executescript(self, script: str) -> None:
        """Creating tables, serialised: concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL."""
        statements = [s.strip() for s in script.split(";") if s.strip()]
        with self:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, SCHEMA_KEY))
            for statement in statements:
                self.conn.execute(_ddl(self._translate(statement)))

    def __enter__(self) -> "Database":
        def begin():
            transaction = self.conn.transaction()
            transaction.__enter__()
            return transaction

        self._transactions.append(self._again_if_lost(begin))
        return self

    def __exit__(self, *exc) -> bool:
        return bool(self._transactions.pop().__exit__(*exc))

    def close(self) -> None:
        self.conn.close()

    def _translate(self, sql: str) -> str:
        translated = self._translated.get(sql)
        if translated is None:
            translated = re.sub(r"\bend\b", '"end"', sql.replace("?", "%s").replace("char(", "chr("))
            if match := _UPSERT.search(translated):
                translated = self._upsert(translated, match)
            self._translated[sql] = translated
        return translated

    def _upsert(self, sql: str, match: re.Match) -> str:
        insert = f"INSERT INTO {match[2]}{match[3] or ''}"
        sql = sql[: match.start()] + insert + sql[match.end():]
        if match[1].upper() == "IGNORE":
            return sql + " ON CONFLICT DO NOTHING"
        key = self._primary_key(match[2])
        columns = [c.strip() for c in match[4].split(",")] if match[4] else self._columns(match[2])
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        return sql + f" ON CONFLICT ({', '.join(key)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")

    def _columns(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND column_name <> 'rowid' ORDER BY ordinal_position", (table,))
        return [r[0] for r in rows]

    def _primary_key(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT k.column_name FROM information_schema.table_constraints c "
            "JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name) "
            "WHERE c.table_schema = current_schema() AND c.table_name = %s AND c.constraint_type = 'PRIMARY KEY' "
            "ORDER BY k.ordinal_position", (table,))
        return [r[0] for r in rows]


def _ddl(statement: str) -> str:
    """SQLite's types as PostgreSQL's, and the `rowid` SQLite gives every table (the feeds keep their order by it)."""
    statement = re.sub(r"\bBLOB\b", "BYTEA", re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement))
    if statement.upper().startswith("CREATE TABLE"):
        head, _, tail = statement.rpartition(")")
        statement = f"{head}, rowid BIGSERIAL){tail}"
    return statement


class AdvisoryLock:
    """The writer lock on the manifest's own connection: a writer whose connection is gone can no longer commit
    to the manifest, and the server frees the lock when that session ends."""

    def __init__(self, db: Database):
        self.db = db
        self.where = db.where

    def try_acquire(self) -> bool:
        self.db.holds_lock = self.db.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, WRITER_KEY)).fetchone()[0]
        return self.db.holds_lock

    def release(self) -> None:
        import psycopg

        self.db.holds_lock = False
        try:
            self.db.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, WRITER_KEY))
        except psycopg.OperationalError:
            pass  # the session is gone, and its lock with it

    def holder(self) -> str:
        row = self.db.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = %s AND l.objid::bigint = %s "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (LOCK_CLASS, WRITER_KEY)).fetchone()
        return row[0] if row and row[0] else "another process"
