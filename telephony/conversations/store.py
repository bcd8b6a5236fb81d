"""Call records: calls, turns and events, committed as they happen.

A `Store` on the one database layer (kb/db): all its work runs on the database's own
thread, so the event loop never waits on disk. A `CallStore` is also a voice
`CallObserver`: the voice loop reports turns and events straight into it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from kb.db import Connection, Schema, Store, Where
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


CALLS = Schema("calls", {"sqlite": (SCHEMA,)})


class CallStore(Store):
    def __init__(self, where: Where, schemas: Sequence[Schema] = ()) -> None:
        """`where`: a SQLite file path, a backend or a shared `kb.db.Database`. `schemas`: other
        rooms' tables in the same database (QA, surveys, search index), applied after the call
        tables when the store opens; the server passes them (telephony/server/services.py)."""
        super().__init__(where, (CALLS, *schemas), name="store")

    async def _run(self, fn: Callable[[Connection], T]) -> T:
        return await self.run(fn)

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
        def q(c: Connection) -> dict[str, Any] | None:
            row = c.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
            return _row(row) if row else None

        return await self._run(q)

    async def recent_calls(self, limit: int = 50) -> list[dict[str, Any]]:
        return await self._run(lambda c: [_row(r) for r in c.execute(
            "SELECT * FROM calls ORDER BY started_at DESC LIMIT ?", (limit,))])

    async def finalize_dangling(self, reason: str = "server_restart") -> int:
        """Calls left open by a crash are closed at start-up: their turns are kept, their
        recordings' headers repaired so they play up to the crash, and each ends at its last
        known activity, not at the restart: the recording's end (it is written as the call
        goes), else the last stored event or turn start, else the last turn's end (a text
        conversation's turns are stored when they have ended; an agent turn's stored end can
        be the planned end of speech the crash cut off)."""
        activity = ("MAX(COALESCE((SELECT MAX(at) FROM call_events WHERE call_id = calls.id), 0), "
                    "COALESCE((SELECT MAX(started_at) FROM turns WHERE turns.call_id = calls.id), 0), "
                    "started_at)")
        turn_end = "COALESCE((SELECT MAX(ended_at) FROM turns WHERE turns.call_id = calls.id), 0)"

        def q(c: Connection) -> int:
            heard: dict[str, float] = {}
            for row in c.execute("SELECT id, started_at, recording FROM calls WHERE ended_at IS NULL "
                                 "AND recording IS NOT NULL"):
                path = Path(row["recording"])
                if path.is_file():
                    secs = repair_wav(path)
                    heard[row["id"]] = row["started_at"] + secs
                    log.warning("call %s: repaired recording %s (%.1f s)", row["id"], path, secs)
            for call_id, end in heard.items():
                c.execute(f"UPDATE calls SET ended_at = MAX(?, {activity}), end_reason = ? "
                          "WHERE id = ? AND ended_at IS NULL", (end, reason, call_id))
            cur = c.execute(f"UPDATE calls SET ended_at = MAX({activity}, {turn_end}), end_reason = ? "
                            "WHERE ended_at IS NULL", (reason,))
            return len(heard) + cur.rowcount

        return await self._run(q)


def _row(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("latency", "meta", "data"):
        if key in out and isinstance(out[key], str):
            out[key] = json.loads(out[key])
    return out
