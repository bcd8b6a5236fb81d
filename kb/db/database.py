"""One connection on one dedicated thread: the event loop never waits on disk.

Every room's store sits on a `Database`. All work on its connection runs on its own worker
thread (a connection is never shared across threads; SQLite's `check_same_thread` enforces it),
in the order it was handed in:
- `await db.run(fn)` from async code (the call store, auth, audit);
- `db.run_sync(fn)` from sync code off the event loop: CLI commands, start-up, and the demo
  store, which the dialog calls from its own worker thread. Called on the database thread
  itself (from inside `fn`), it runs inline instead of waiting on itself.
`fn(conn)` gets the backend's connection in autocommit mode; `transaction=True` wraps it in one
transaction (committed if `fn` returns, rolled back if it raises).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from kb.db.backend import Backend
from kb.db.dialect import Connection, Dialect
from kb.db.errors import DatabaseClosed
from kb.db.schema import Schema, apply

log = logging.getLogger(__name__)
T = TypeVar("T")


class Database:
    def __init__(self, backend: Backend, schemas: tuple[Schema, ...] = (), *,
                 name: str = "db") -> None:
        """Blocking (connects and applies `schemas`): under an event loop, build it in a thread."""
        self.backend = backend
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._thread: int | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()  # no work is handed in once close() has begun
        self._closed = False
        try:
            self._pool.submit(self._open).result()
            self.ensure(*schemas)
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        self._thread = threading.get_ident()
        self._conn = self.backend.connect()

    @property
    def dialect(self) -> Dialect:
        return self.backend.dialect

    def on_own_thread(self) -> bool:
        return threading.get_ident() == self._thread

    def _call(self, fn: Callable[[Connection], T], transaction: bool) -> T:
        conn = self._conn
        if conn is None:
            raise DatabaseClosed(f"database {self.name} ({self.backend.describe()}) is closed")
        if not transaction:
            return fn(conn)
        with self.dialect.transaction(conn):
            return fn(conn)

    async def run(self, fn: Callable[[Connection], T], *, transaction: bool = False) -> T:
        """Run `fn(conn)` on the database thread and await its result."""
        loop = asyncio.get_running_loop()
        with self._lock:
            self._check_open()
            future = loop.run_in_executor(self._pool, self._call, fn, transaction)
        return await future

    def run_sync(self, fn: Callable[[Connection], T], *, transaction: bool = False) -> T:
        """Run `fn(conn)` on the database thread and wait for it (never on the event loop)."""
        if self.on_own_thread():
            return self._call(fn, transaction)
        with self._lock:
            self._check_open()
            future = self._pool.submit(self._call, fn, transaction)
        return future.result()

    def _check_open(self) -> None:
        if self._closed:
            raise DatabaseClosed(f"database {self.name} ({self.backend.describe()}) is closed")

    def ensure(self, *schemas: Schema) -> None:
        """Apply each schema's missing steps, in the order given (idempotent)."""
        def apply_all(conn: Connection) -> list[int]:
            return [apply(conn, self.dialect, schema) for schema in schemas]

        for schema, ran in zip(schemas, self.run_sync(apply_all), strict=True):
            if ran:
                log.info("%s: schema %s brought up by %d step(s)", self.name, schema.name, ran)

    def close(self) -> None:
        """Finish the work already handed in, then close the connection (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            done = self._pool.submit(self._close)
        done.result()
        self._pool.shutdown(wait=True)

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
