"""Callback requests: a waiting caller who asked to be called back, kept as a task.

A caller on hold hears the offer ("press 1 or say callback", telephony/contact_center/
waiting.py); taking it stores one row here (the caller id to ring, the queue, when) and
the call ends. Agents of that queue see the open callbacks on the desktop, supervisors on
the wallboard; an agent marks one done once they have called back. Rows are erased with
their call (telephony/privacy/retention.py).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from kb.db import Connection, Schema
from telephony.conversations.store import CallStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    caller_id TEXT NOT NULL,
    queue TEXT NOT NULL,
    requested_at REAL NOT NULL,
    waited_s REAL NOT NULL DEFAULT 0,
    done_by TEXT,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS callbacks_open ON callbacks(done_at, requested_at);
CREATE INDEX IF NOT EXISTS callbacks_call ON callbacks(call_id);
"""
CALLBACKS = Schema("callbacks", {"sqlite": (SCHEMA,)})


@dataclass(frozen=True)
class Callback:
    id: int
    call_id: str
    caller_id: str
    queue: str
    requested_at: float
    waited_s: float
    done_by: str | None = None
    done_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CallbackBook:
    """The callbacks table, through the call store's database thread."""

    def __init__(self, store: CallStore) -> None:
        self._store = store

    async def add(self, call_id: str, caller_id: str, queue: str, waited_s: float) -> Callback:
        at = time.time()
        cur = await self._store.run(lambda c: c.execute(
            "INSERT INTO callbacks (call_id, caller_id, queue, requested_at, waited_s) "
            "VALUES (?, ?, ?, ?, ?)", (call_id, caller_id, queue, at, round(waited_s, 1))))
        return Callback(int(cur.lastrowid or 0), call_id, caller_id, queue, at, round(waited_s, 1))

    async def get(self, callback_id: int) -> Callback | None:
        def q(c: Connection) -> Callback | None:
            row = c.execute("SELECT * FROM callbacks WHERE id = ?", (callback_id,)).fetchone()
            return Callback(**dict(row)) if row else None

        return await self._store.run(q)

    async def open(self, queues: set[str] | None = None) -> list[Callback]:
        """Open callbacks, oldest first; `queues` None or containing "*": every queue."""
        rows = await self._store.run(lambda c: [Callback(**dict(r)) for r in c.execute(
            "SELECT * FROM callbacks WHERE done_at IS NULL ORDER BY requested_at")])
        if queues is None or "*" in queues:
            return rows
        return [r for r in rows if r.queue in queues]

    async def done(self, callback_id: int, agent: str) -> bool:
        """Mark it done; False when it was done already (or does not exist)."""
        cur = await self._store.run(lambda c: c.execute(
            "UPDATE callbacks SET done_by = ?, done_at = ? WHERE id = ? AND done_at IS NULL",
            (agent, time.time(), callback_id)))
        return bool(cur.rowcount)
