"""Call records in SQLite (WAL): calls, turns and events, committed as they happen.

All database work runs on one dedicated thread (sqlite connections are not shared
across threads), so the event loop never waits on disk. A `CallStore` is also a
voice `CallObserver`: the voice loop reports turns and events straight into it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from voice.events import TurnRecord
from voice.recording import repair_wav

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id TEXT PRIMARY KEY,
    transport TEXT NOT NULL,
    caller_id TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    end_reason TEXT,
    recording TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL REFERENCES calls(id),
    speaker TEXT NOT NULL CHECK (speaker IN ('caller', 'agent', 'human', 'supervisor')),
    text TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL NOT NULL,
    latency TEXT NOT NULL DEFAULT '{}',
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_call ON turns(call_id, id);
CREATE TABLE IF NOT EXISTS call_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_call ON call_events(call_id, id);
"""


class CallStore:
    def __init__(self, db_path: Path,
                 schemas: Sequence[Callable[[sqlite3.Connection], None]] = ()) -> None:
        """`schemas`: other rooms' tables in the same database (QA, surveys, search index),
        created when the store opens; the server passes them (telephony/server/services.py)."""
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db_path = db_path
        self._schemas = tuple(schemas)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._conn: sqlite3.Connection | None = None
        self._pool.submit(self._open).result()

    def _open(self) -> None:
        conn = sqlite3.connect(self.db_path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        for ensure in self._schemas:
            ensure(conn)
        self._conn = conn

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._call, fn)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` on the store thread (QA, KPI and retention queries)."""
        return await self._run(fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._conn is not None
        return fn(self._conn)

    def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """For CLI commands and tests without an event loop."""
        return self._pool.submit(self._call, fn).result()

    def close(self) -> None:
        def _close(conn: sqlite3.Connection) -> None:
            conn.close()

        self._pool.submit(self._call, _close).result()
        self._pool.shutdown(wait=True)

    # --- writes ---
    async def call_started(self, call_id: str, transport: str, caller_id: str | None,
                           meta: dict[str, Any] | None = None, recording: str | None = None) -> None:
        await self._run(lambda c: c.execute(
            "INSERT INTO calls (id, transport, caller_id, started_at, recording, meta) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (call_id, transport, caller_id, time.time(), recording, json.dumps(meta or {}))))

    async def call_ended(self, call_id: str, reason: str) -> None:
        await self._run(lambda c: c.execute(
            "UPDATE calls SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (time.time(), reason, call_id)))

    async def on_turn(self, turn: TurnRecord) -> None:
        await self._run(lambda c: c.execute(
            "INSERT INTO turns (call_id, speaker, text, started_at, ended_at, latency, meta) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (turn.call_id, turn.speaker, turn.text, turn.started_at, turn.ended_at,
             json.dumps(turn.latency), json.dumps(turn.meta, default=str))))

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "agent_speaking":
            return  # the agent turn itself is stored; this event is for live views
        await self._run(lambda c: c.execute(
            "INSERT INTO call_events (call_id, at, kind, data) VALUES (?, ?, ?, ?)",
            (call_id, time.time(), kind, json.dumps(data, default=str))))

    # --- reads ---
    async def turns(self, call_id: str) -> list[dict[str, Any]]:
        return await self._run(lambda c: [_row(r) for r in c.execute(
            "SELECT * FROM turns WHERE call_id = ? ORDER BY id", (call_id,))])

    async def call(self, call_id: str) -> dict[str, Any] | None:
        def q(c: sqlite3.Connection) -> dict[str, Any] | None:
            row = c.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
            return _row(row) if row else None

        return await self._run(q)

    async def recent_calls(self, limit: int = 50) -> list[dict[str, Any]]:
        return await self._run(lambda c: [_row(r) for r in c.execute(
            "SELECT * FROM calls ORDER BY started_at DESC LIMIT ?", (limit,))])

    async def finalize_dangling(self, reason: str = "server_restart") -> int:
        """Calls left open by a crash are closed at start-up: their turns are kept and
        their recordings' headers repaired so they play up to the crash."""
        def q(c: sqlite3.Connection) -> int:
            for row in c.execute("SELECT id, recording FROM calls WHERE ended_at IS NULL "
                                 "AND recording IS NOT NULL"):
                path = Path(row["recording"])
                if path.is_file():
                    secs = repair_wav(path)
                    log.warning("call %s: repaired recording %s (%.1f s)", row["id"], path, secs)
            cur = c.execute("UPDATE calls SET ended_at = COALESCE((SELECT MAX(ended_at) FROM turns "
                            "WHERE turns.call_id = calls.id), started_at), end_reason = ? "
                            "WHERE ended_at IS NULL", (reason,))
            return cur.rowcount

        return await self._run(q)


def _row(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in ("latency", "meta", "data"):
        if key in out and isinstance(out[key], str):
            out[key] = json.loads(out[key])
    return out
