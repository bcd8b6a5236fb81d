"""The base of every room's store: its schemas on a `Database` it opens or shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kb.db.backend import Backend, as_backend
from kb.db.database import Database
from kb.db.dialect import Connection, Dialect
from kb.db.schema import Schema

T = TypeVar("T")
Where = Database | Backend | Path  # share a database, open one on a backend, or a SQLite file


class Store:
    """`where` a Database: shared (its owner closes it); otherwise this store opens its own
    (own connection, own thread: its work never queues behind another store's) and closes it."""

    def __init__(self, where: Where, schemas: tuple[Schema, ...], *, name: str) -> None:
        if isinstance(where, Database):
            where.ensure(*schemas)
            self.db, self._owns_db = where, False
        else:
            self.db, self._owns_db = Database(as_backend(where), schemas, name=name), True

    @property
    def dialect(self) -> Dialect:
        return self.db.dialect

    async def run(self, fn: Callable[[Connection], T], *, transaction: bool = False) -> T:
        """Run `fn(conn)` on the store's database thread (for queries the store has no method for)."""
        return await self.db.run(fn, transaction=transaction)

    def run_sync(self, fn: Callable[[Connection], T], *, transaction: bool = False) -> T:
        """The same, waiting: for CLI commands, start-up code, tests and worker threads."""
        return self.db.run_sync(fn, transaction=transaction)

    def close(self) -> None:
        if self._owns_db:
            self.db.close()
