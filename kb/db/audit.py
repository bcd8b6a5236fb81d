"""The append-only audit log: who (actor, role) did what (action) to what (target), and how and
why (detail). One table shape for staff actions (transcript reads, supervisor actions, erasure)
and for the AI's tool calls (`tool.<name>`, target the call, detail its arguments, result and
whether the caller confirmed).

There is no UPDATE or DELETE path: this module offers none, and triggers refuse both, so even a
bug elsewhere cannot rewrite history. Retention and erasure delete calls, never audit rows; the
rows name a caller only by a hash (telephony/privacy/retention.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.db.dialect import Connection, Dialect
from kb.db.schema import Schema
from kb.db.store import Store, Where

log = logging.getLogger(__name__)
AI_ROLE = "ai"  # the role of tool calls made by the dialog on a caller's behalf
TOOL_ACTION = "tool."  # prefix: tool.cancel_order, tool.lookup_order, ...

V1 = """
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


def _v1(conn: Connection, dialect: Dialect) -> None:
    """The common table. Demo databases made before this layer kept the dialog's tool calls in
    an `audit_log(call_id, tool, args_json, result_json, actor, confirmed)` of their own: its
    rows move, in order, into the common shape."""
    old = "tool" in dialect.columns(conn, "audit_log")
    if old:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        conn.execute("ALTER TABLE audit_log RENAME TO audit_log_tool_calls")
    dialect.execute_script(conn, V1)
    if old:
        conn.execute(
            "INSERT INTO audit_log (at, actor, role, action, target, detail) "
            "SELECT CAST(strftime('%s', at) AS REAL), actor, ?, ? || tool, call_id, "
            "json_object('args', json(args_json), 'result', json(result_json), "
            "'confirmed', json(CASE confirmed WHEN 0 THEN 'false' ELSE 'true' END)) "
            "FROM audit_log_tool_calls ORDER BY id", (AI_ROLE, TOOL_ACTION))
        conn.execute("DROP TABLE audit_log_tool_calls")


AUDIT = Schema("audit", {"sqlite": (_v1,)})


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]


class AuditLog(Store):
    def __init__(self, where: Where) -> None:
        super().__init__(where, (AUDIT,), name="audit-db")

    async def record(self, actor: str, role: str, action: str, target: str = "",
                     **detail: Any) -> None:
        await self.run(_append(actor, role, action, target, detail))
        log.info("audit: %s (%s) %s %s", actor, role, action, target)

    def record_sync(self, actor: str, role: str, action: str, target: str = "",
                    **detail: Any) -> None:
        """`record` for sync code off the event loop (the dialog's tool calls)."""
        self.run_sync(_append(actor, role, action, target, detail))

    async def entries(self, *, target: str | None = None, actor: str | None = None,
                      action_prefix: str = "", limit: int | None = 200,
                      oldest_first: bool = False) -> list[AuditEntry]:
        """Newest first unless `oldest_first`; `limit=None`: all of them."""
        return await self.run(_select(target, actor, action_prefix, limit, oldest_first))

    def entries_sync(self, *, target: str | None = None, actor: str | None = None,
                     action_prefix: str = "", limit: int | None = 200,
                     oldest_first: bool = False) -> list[AuditEntry]:
        return self.run_sync(_select(target, actor, action_prefix, limit, oldest_first))


def _append(actor: str, role: str, action: str, target: str,
            detail: dict[str, Any]) -> Callable[[Connection], None]:
    row = (time.time(), actor, role, action, target, json.dumps(detail, default=str))

    def q(c: Connection) -> None:
        c.execute("INSERT INTO audit_log (at, actor, role, action, target, detail) "
                  "VALUES (?, ?, ?, ?, ?, ?)", row)

    return q


def _select(target: str | None, actor: str | None, action_prefix: str, limit: int | None,
            oldest_first: bool) -> Callable[[Connection], list[AuditEntry]]:
    where: list[str] = []
    args: list[object] = []
    for clause, value in (("target = ?", target), ("actor = ?", actor)):
        if value is not None:
            where.append(clause)
            args.append(value)
    if action_prefix:
        where.append("substr(action, 1, ?) = ?")
        args += [len(action_prefix), action_prefix]
    sql = "SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY id" + ("" if oldest_first else " DESC")
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)

    def q(c: Connection) -> list[AuditEntry]:
        return [AuditEntry(id=r["id"], at=r["at"], actor=r["actor"], role=r["role"],
                           action=r["action"], target=r["target"], detail=json.loads(r["detail"]))
                for r in c.execute(sql, args)]

    return q
