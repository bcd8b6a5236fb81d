"""One database layer for every room: the call store, auth and audit, and the demo company.

- `Database`: one connection on one dedicated thread; `await run(fn)` / `run_sync(fn)`.
- `Schema`: a room's tables as numbered, versioned steps per backend (`schema_versions`).
- `Store`: the base of a room's store (its schemas on a database it opens or shares).
- `Backend` + `Dialect`: where the data lives and the SQL that differs (SQLite now:
  `SqliteBackend`; a second backend is one more module: docs/architecture.md, "Storage").
- `AuditLog`: the one append-only audit table (staff actions and the AI's tool calls).
It lives in kb/, the lowest floor that stores anything (the demo company), so every floor above
can use it; it imports nothing of ours but `kb.errors`.
"""

from kb.db.audit import AuditEntry, AuditLog
from kb.db.backend import Backend, as_backend
from kb.db.database import Database
from kb.db.dialect import Connection, Dialect, TextIndex, dialect_of
from kb.db.errors import DatabaseClosed, SchemaError
from kb.db.schema import Schema
from kb.db.sqlite import SqliteBackend
from kb.db.store import Store, Where

__all__ = ["AuditEntry", "AuditLog", "Backend", "Connection", "Database", "DatabaseClosed",
           "Dialect", "SchemaError", "Schema", "SqliteBackend", "Store", "TextIndex", "Where",
           "as_backend", "dialect_of"]
