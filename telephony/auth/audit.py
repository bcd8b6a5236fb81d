"""Append-only audit log: who (name, role) did what (action) to what (target), when.

Every access to a transcript or recording and every supervisor action is recorded.
The table has no UPDATE or DELETE path: this module offers none, and SQLite triggers
refuse both, so even a bug elsewhere cannot rewrite history.

Other modules record through `audit_request(request, action, target, **detail)`
(actor taken from the authenticated request) or `AuditLog.record(...)`.
Routes whose policy row names an `audit` action are recorded by the auth
middleware itself, before the handler runs.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import HTTPConnection

from telephony.auth.db import Database
from telephony.auth.types import Principal

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_target ON audit_log(target, id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

# action names used so far; new ones are fine, keep them `noun.verb`
TRANSCRIPT_READ = "transcript.read"
TRANSCRIPT_LIVE = "transcript.live"
RECORDING_READ = "recording.read"
SUPERVISOR_ACTION = "supervisor."  # prefix: supervisor.listen, supervisor.whisper, ...


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]


class AuditLog(Database):
    def __init__(self, db_path: Path) -> None:
        super().__init__(db_path, SCHEMA, "audit-db")

    async def record(self, actor: str, role: str, action: str, target: str = "",
                     **detail: Any) -> None:
        row = (time.time(), actor, role, action, target, json.dumps(detail, default=str))
        await self.run(lambda c: c.execute(
            "INSERT INTO audit_log (at, actor, role, action, target, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)", row))
        log.info("audit: %s (%s) %s %s", actor, role, action, target)

    async def entries(self, *, target: str | None = None, actor: str | None = None,
                      limit: int = 200) -> list[AuditEntry]:
        where, args = [], []
        if target is not None:
            where.append("target = ?")
            args.append(target)
        if actor is not None:
            where.append("actor = ?")
            args.append(actor)
        sql = "SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")

        def q(c: sqlite3.Connection) -> list[sqlite3.Row]:
            return c.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()

        return [AuditEntry(id=r["id"], at=r["at"], actor=r["actor"], role=r["role"],
                           action=r["action"], target=r["target"], detail=json.loads(r["detail"]))
                for r in await self.run(q)]


async def audit_request(conn: HTTPConnection, action: str, target: str = "", **detail: Any) -> None:
    """Record `action` by whoever the auth middleware authenticated on this request."""
    audit: AuditLog = conn.app.state.auth.audit
    principal: Principal | None = getattr(conn.state, "principal", None)
    actor = principal.name if principal else "anonymous"
    role = principal.role if principal else "anonymous"
    via = principal.via if principal else "none"
    await audit.record(actor, role, action, target, via=via, **detail)


async def audit_supervisor_action(conn: HTTPConnection, action: str, call_id: str,
                                  **detail: Any) -> None:
    """Listen, whisper, barge, take over ...: `action` without the `supervisor.` prefix."""
    await audit_request(conn, SUPERVISOR_ACTION + action, call_id, **detail)
