"""One SQLite connection on one dedicated thread, like `telephony.conversations.store.CallStore`.

Auth and audit tables live in the same `hotline.db` (WAL) as the call records but
use their own connection, so their work never queues behind call writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class Database:
    def __init__(self, db_path: Path, schema: str, name: str) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db_path = db_path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._conn: sqlite3.Connection | None = None
        self._pool.submit(self._open, schema).result()

    def _open(self, schema: str) -> None:
        conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(schema)
        self._conn = conn

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._conn is not None, "database is closed"
        return fn(self._conn)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._call, fn)

    def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """For CLI commands and start-up code without an event loop."""
        return self._pool.submit(self._call, fn).result()

    def close(self) -> None:
        def _close(conn: sqlite3.Connection) -> None:
            conn.close()

        self._pool.submit(self._call, _close).result()
        self._conn = None
        self._pool.shutdown(wait=True)
