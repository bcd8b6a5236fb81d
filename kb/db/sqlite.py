"""The SQLite backend: one file, WAL, the pragmas every room shares, FTS5 for text search."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.db.dialect import Connection, Dialect, TextIndex, register_dialect

# WAL: readers never block the writer; synchronous=NORMAL: a committed transaction survives a
# crash of the process (kill -9), only an OS crash or power cut may lose the last ones.
PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
)
BUSY_TIMEOUT_S = 10.0  # another connection holding the write lock is waited for, not an error


def statements(script: str) -> Iterator[str]:
    """Split a script into statements (`;` inside trigger bodies and strings stays put)."""
    pending = ""
    pieces = script.split(";")
    for i, piece in enumerate(pieces):
        pending += piece if i == len(pieces) - 1 else piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        yield pending


class SqliteDialect(Dialect):
    name = "sqlite"
    begin_write = "BEGIN IMMEDIATE"  # take the write lock now: no SQLITE_BUSY halfway through
    error = sqlite3.Error
    integrity_error = sqlite3.IntegrityError

    def execute_script(self, conn: Connection, script: str) -> None:
        for statement in statements(script):  # not executescript(): it COMMITs first
            conn.execute(statement)

    def tables(self, conn: Connection) -> list[str]:
        return [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]

    def columns(self, conn: Connection, table: str) -> list[str]:
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]

    def drop_tables(self, conn: Connection, tables: Sequence[str]) -> None:
        conn.execute("PRAGMA foreign_keys=OFF")  # (a no-op inside a transaction: call outside one)
        try:
            for table in tables:
                conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        finally:
            conn.execute("PRAGMA foreign_keys=ON")

    def create_text_index(self, conn: Connection, index: TextIndex) -> None:
        """An external-content FTS5 table: rows removed from the table leave the index too."""
        existed = index.name in self.tables(conn)
        n, t, col, key = index.name, index.table, index.column, index.key
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {n} USING fts5("
                     f"{col}, content='{t}', content_rowid='{key}', tokenize='unicode61')")
        self.execute_script(conn, f"""
CREATE TRIGGER IF NOT EXISTS {n}_ai AFTER INSERT ON {t} BEGIN
    INSERT INTO {n}(rowid, {col}) VALUES (new.{key}, new.{col});
END;
CREATE TRIGGER IF NOT EXISTS {n}_ad AFTER DELETE ON {t} BEGIN
    INSERT INTO {n}({n}, rowid, {col}) VALUES ('delete', old.{key}, old.{col});
END;
CREATE TRIGGER IF NOT EXISTS {n}_au AFTER UPDATE OF {col} ON {t} BEGIN
    INSERT INTO {n}({n}, rowid, {col}) VALUES ('delete', old.{key}, old.{col});
    INSERT INTO {n}(rowid, {col}) VALUES (new.{key}, new.{col});
END;""")
        if not existed:
            conn.execute(f"INSERT INTO {n}({n}) VALUES ('rebuild')")

    def text_query(self, words: str) -> str:
        terms = re.findall(r"\w+\*?", words)
        return " ".join(f'"{t.rstrip("*")}"' + ("*" if t.endswith("*") else "") for t in terms)

    def text_search(self, index: TextIndex, columns: Sequence[str], snippet_words: int = 10) -> str:
        n = index.name
        picked = ", ".join(f"t.{c}" for c in columns)
        return (f"SELECT {picked}, snippet({n}, 0, '[', ']', '…', {snippet_words}) AS snip "
                f"FROM {n} JOIN {index.table} t ON t.{index.key} = {n}.rowid "
                f"WHERE {n} MATCH ? ORDER BY t.{index.key}")


SQLITE = SqliteDialect()
register_dialect(sqlite3.Connection, SQLITE)


@dataclass(frozen=True)
class SqliteBackend:
    """A SQLite file. `connect()` runs on the database's own thread, which alone uses it."""

    path: Path
    pragmas: tuple[tuple[str, str], ...] = PRAGMAS

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    def connect(self) -> Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit (isolation_level=None): each statement commits unless the caller BEGINs
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        conn.row_factory = sqlite3.Row
        for name, value in self.pragmas:
            conn.execute(f"PRAGMA {name}={value}")
        return conn
