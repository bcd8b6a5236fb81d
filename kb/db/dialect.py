"""What differs between SQL backends, behind one small interface.

Room code writes its SQL once, in the subset SQLite and PostgreSQL share: `?` placeholders
(a backend whose driver wants another style rewrites them in its connection adapter),
`INSERT ... ON CONFLICT (...) DO UPDATE|NOTHING` for upserts (`Dialect.upsert`; never
`INSERT OR REPLACE`), `RETURNING id` instead of `lastrowid`. What cannot be written portably
goes through the connection's `Dialect`: multi-statement scripts inside a transaction, the
catalogue (tables, columns), driver errors and full-text search. DDL differs too (types,
identity columns, triggers): it is written per backend, as `Schema` steps.
"""

from __future__ import annotations

import contextlib
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Connection = sqlite3.Connection
"""What `Database.run(fn)` hands `fn`: a DB-API connection taking `?` placeholders, whose rows
read by column name and by position. SQLite's own connection today; a second backend hands an
adapter with the same surface, and this alias becomes a Protocol then (docs/architecture.md)."""


@dataclass(frozen=True)
class TextIndex:
    """A full-text index over one text column, kept in step with its table by the backend."""

    name: str  # e.g. "turns_fts"
    table: str  # the indexed table
    column: str  # its text column
    key: str = "id"  # its integer primary key


class Dialect(ABC):
    name: str
    begin_write = "BEGIN"  # starts a transaction that will write
    error: type[Exception]  # the driver's base error (DB-API `Error`)
    integrity_error: type[Exception]  # a unique, foreign-key or check constraint refused a write

    @contextlib.contextmanager
    def transaction(self, conn: Connection) -> Iterator[None]:
        """All of the block's statements commit together, or none does."""
        conn.execute(self.begin_write)
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):  # the backend may have rolled back already
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """INSERT that updates the non-key columns of an existing row (same SQL on both backends)."""
        marks = ", ".join("?" * len(columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        action = f"UPDATE SET {updates}" if updates else "NOTHING"
        return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                f"ON CONFLICT ({', '.join(key)}) DO {action}")

    @abstractmethod
    def execute_script(self, conn: Connection, script: str) -> None:
        """Run several `;`-separated statements inside the caller's transaction."""

    @abstractmethod
    def tables(self, conn: Connection) -> list[str]:
        """The user tables of the database."""

    @abstractmethod
    def columns(self, conn: Connection, table: str) -> list[str]:
        """The columns of `table`, in order ([] when it does not exist)."""

    @abstractmethod
    def drop_tables(self, conn: Connection, tables: Sequence[str]) -> None:
        """Drop `tables` whatever references them (a reset, not a migration)."""

    @abstractmethod
    def create_text_index(self, conn: Connection, index: TextIndex) -> None:
        """Create `index` if missing (indexing existing rows) and keep it in step with its table."""

    @abstractmethod
    def text_query(self, words: str) -> str:
        """User words -> the backend's query: every word must match; `refun*` is a prefix."""

    @abstractmethod
    def text_search(self, index: TextIndex, columns: Sequence[str], snippet_words: int = 10) -> str:
        """SELECT `columns` of the indexed rows matching `?` (a `text_query`), plus a highlighted
        `snip`, in key order."""


_BY_CONNECTION: dict[type, Dialect] = {}


def register_dialect(connection_type: type, dialect: Dialect) -> None:
    """Called once by each backend module for the connection type it hands out."""
    _BY_CONNECTION[connection_type] = dialect


def dialect_of(conn: object) -> Dialect:
    """The dialect of a connection handed to `run(fn)`, for room code that needs one."""
    for connection_type, dialect in _BY_CONNECTION.items():
        if isinstance(conn, connection_type):
            return dialect
    raise TypeError(f"no database dialect registered for {type(conn).__name__}")
