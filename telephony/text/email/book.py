"""Every email in and out, by Message-ID: which thread and conversation it belongs to.

A thread is named by its first message's Message-ID. An inbound message joins the thread
of any message it names in In-Reply-To or References (ours or the customer's), else it
starts one. Rows belong to a conversation (`call_id`) and are erased with it
(telephony/privacy/retention.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kb.db import Connection, Schema
from telephony.conversations.store import CallStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS email_messages (
    message_id TEXT PRIMARY KEY,
    call_id TEXT,
    thread TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    address TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    refs TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS email_messages_thread ON email_messages(thread, direction, at);
CREATE INDEX IF NOT EXISTS email_messages_call ON email_messages(call_id);
"""
EMAIL = Schema("email", {"sqlite": (SCHEMA,)})


@dataclass(frozen=True)
class Mail:
    message_id: str
    call_id: str | None
    thread: str
    direction: str
    address: str
    subject: str
    refs: str  # the References header's ids, space-separated
    at: float


class MailBook:
    def __init__(self, store: CallStore) -> None:
        self._store = store

    async def thread_of(self, named: list[str]) -> str | None:
        """The thread of the first known message among `named` (newest reference first)."""
        def q(c: Connection) -> str | None:
            for message_id in named:
                row = c.execute("SELECT thread FROM email_messages WHERE message_id = ?",
                                (message_id,)).fetchone()
                if row is not None:
                    return str(row["thread"])
            return None

        return await self._store.run(q) if named else None

    async def add(self, mail: Mail) -> bool:
        """False if this Message-ID was seen already (a redelivery)."""
        cur = await self._store.run(lambda c: c.execute(
            "INSERT OR IGNORE INTO email_messages (message_id, call_id, thread, direction, address, "
            "subject, refs, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (mail.message_id, mail.call_id, mail.thread, mail.direction, mail.address, mail.subject,
             mail.refs, mail.at if mail.at else time.time())))
        return bool(cur.rowcount)

    async def attach(self, message_id: str, call_id: str) -> None:
        await self._store.run(lambda c: c.execute(
            "UPDATE email_messages SET call_id = ? WHERE message_id = ?", (call_id, message_id)))

    async def latest_inbound(self, thread: str) -> Mail | None:
        row = await self._store.run(lambda c: c.execute(
            "SELECT * FROM email_messages WHERE thread = ? AND direction = 'in' ORDER BY at DESC, "
            "rowid DESC LIMIT 1", (thread,)).fetchone())
        return Mail(**dict(row)) if row else None
