"""Merge keys into a stored call's `meta` JSON (queue, assigned_agent, disposition ...).

The access policy reads `meta.queue` and `meta.assigned_agent` (telephony/auth/policy.py).
Runs on the store's own database thread, through its public `run_sync`.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

from telephony.conversations.store import CallStore


async def update_call_meta(store: CallStore, call_id: str, changes: dict[str, Any]) -> None:
    def merge(conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT meta FROM calls WHERE id = ?", (call_id,)).fetchone()
        if row is None:
            return
        meta = json.loads(row[0] or "{}")
        meta.update(changes)
        conn.execute("UPDATE calls SET meta = ? WHERE id = ?", (json.dumps(meta, default=str), call_id))

    await asyncio.to_thread(store.run_sync, merge)
