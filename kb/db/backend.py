"""A backend: where the data lives, how to connect, and which SQL dialect it speaks.

SQLite (`kb.db.sqlite.SqliteBackend`) is the embedded default. A second backend (PostgreSQL for
several nodes) is one more module with a class of this shape and a `Dialect`; the composition
root picks it from config and hands it to the stores instead of a path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kb.db.dialect import Connection, Dialect
from kb.db.sqlite import SqliteBackend


class Backend(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    def describe(self) -> str:
        """For logs: where the data is (never a password)."""
        ...

    def connect(self) -> Connection:
        """A new connection with the backend's settings; called on the database's own thread."""
        ...


def as_backend(where: Backend | Path) -> Backend:
    """A path means the embedded default: a SQLite file there."""
    return SqliteBackend(where) if isinstance(where, Path) else where
