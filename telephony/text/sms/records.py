"""What the SMS/WhatsApp channel keeps: opt-outs, and every message with its last status.

Both tables live in the call store's database (telephony/server/services.py applies the
schema). `sms_messages` rows belong to a conversation (`call_id`) and are erased with it
(telephony/privacy/retention.py); `sms_optouts` is the carrier-required record of who
said STOP and is kept until they say START (an erasure request does not re-subscribe
anyone). The customer's last inbound message time (WhatsApp's 24-hour window) is read
from `sms_messages`, so it survives a restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kb.db import Connection, Schema
from telephony.conversations.store import CallStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS sms_optouts (
    address TEXT PRIMARY KEY,
    opted_out_at REAL NOT NULL,
    keyword TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sms_messages (
    sid TEXT PRIMARY KEY,
    call_id TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    address TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    segments INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_messages_call ON sms_messages(call_id);
CREATE INDEX IF NOT EXISTS sms_messages_address ON sms_messages(address, direction, created_at);
"""
SMS = Schema("sms", {"sqlite": (SCHEMA,)})


@dataclass(frozen=True)
class MessageRow:
    sid: str
    call_id: str | None
    direction: str
    address: str
    status: str
    error_code: str | None
    segments: int | None
    created_at: float
    updated_at: float


class SmsRecords:
    """The two tables, through the call store's database thread."""

    def __init__(self, store: CallStore) -> None:
        self._store = store

    # --- opt-outs ---
    async def opt_out(self, address: str, keyword: str) -> None:
        await self._store.run(lambda c: c.execute(
            "INSERT INTO sms_optouts (address, opted_out_at, keyword) VALUES (?, ?, ?) "
            "ON CONFLICT(address) DO UPDATE SET opted_out_at = excluded.opted_out_at, "
            "keyword = excluded.keyword", (address, time.time(), keyword)))

    async def opt_in(self, address: str) -> bool:
        """True when the address had opted out."""
        cur = await self._store.run(lambda c: c.execute(
            "DELETE FROM sms_optouts WHERE address = ?", (address,)))
        return bool(cur.rowcount)

    async def opted_out(self, address: str) -> bool:
        row = await self._store.run(lambda c: c.execute(
            "SELECT 1 FROM sms_optouts WHERE address = ?", (address,)).fetchone())
        return row is not None

    # --- messages ---
    async def message(self, sid: str, call_id: str | None, direction: str, address: str,
                      status: str, segments: int | None = None, at: float | None = None) -> None:
        at = time.time() if at is None else at
        await self._store.run(lambda c: c.execute(
            "INSERT OR IGNORE INTO sms_messages (sid, call_id, direction, address, status, "
            "segments, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (sid, call_id, direction, address, status, segments, at, at)))

    async def attach(self, sid: str, call_id: str) -> None:
        """An inbound message joins the conversation it was queued on (erased with it)."""
        await self._store.run(lambda c: c.execute(
            "UPDATE sms_messages SET call_id = ? WHERE sid = ?", (call_id, sid)))

    async def status(self, sid: str, status: str, error_code: str | None) -> MessageRow | None:
        """A status callback: the row updated (None for a message we did not send)."""
        def q(c: Connection) -> MessageRow | None:
            c.execute("UPDATE sms_messages SET status = ?, error_code = ?, updated_at = ? "
                      "WHERE sid = ?", (status, error_code or None, time.time(), sid))
            row = c.execute("SELECT * FROM sms_messages WHERE sid = ?", (sid,)).fetchone()
            return MessageRow(**dict(row)) if row else None

        return await self._store.run(q)

    async def get(self, sid: str) -> MessageRow | None:
        row = await self._store.run(lambda c: c.execute(
            "SELECT * FROM sms_messages WHERE sid = ?", (sid,)).fetchone())
        return MessageRow(**dict(row)) if row else None

    async def last_inbound_at(self, address: str) -> float | None:
        row = await self._store.run(lambda c: c.execute(
            "SELECT MAX(created_at) AS at FROM sms_messages WHERE address = ? AND direction = 'in'",
            (address,)).fetchone())
        return None if row is None or row["at"] is None else float(row["at"])
