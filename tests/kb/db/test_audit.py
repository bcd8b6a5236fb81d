"""One append-only audit table for staff actions and the AI's tool calls."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from kb.db import AuditLog, Database, SqliteBackend
from kb.db.schema import version
from kb.demo import DB_FILENAME, SqliteDemoStore, reset

OLD_TOOL_AUDIT = """
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
    call_id TEXT NOT NULL, tool TEXT NOT NULL, args_json TEXT NOT NULL, result_json TEXT NOT NULL,
    actor TEXT NOT NULL, confirmed INTEGER NOT NULL);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
INSERT INTO audit_log VALUES (1, '2026-05-06T10:00:00+00:00', 'c1', 'lookup_order',
    '{"order_id": "10288"}', '{"value": {"status": "order_received"}}', 'hotline-ai', 0);
INSERT INTO audit_log VALUES (2, '2026-05-06T10:00:05+00:00', 'c1', 'cancel_order',
    '{"order_id": "10288"}', '{"value": {"status": "cancelled"}}', 'hotline-ai', 1);
"""


def _append_only(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()


def test_staff_actions_and_tool_calls_share_one_append_only_table(tmp_path: Path) -> None:
    reset(tmp_path)
    demo = SqliteDemoStore.open(tmp_path)
    try:
        demo.record(call_id="c1", tool="cancel_order", args={"order_id": "10288"},
                    result={"value": "ok"}, actor="hotline-ai", confirmed=True)
        demo.audit.record_sync("sue", "supervisor", "transcript.read", "c1", via="session")
        both = demo.audit.entries_sync(target="c1", oldest_first=True)
        assert [(e.actor, e.role, e.action) for e in both] == [
            ("hotline-ai", "ai", "tool.cancel_order"), ("sue", "supervisor", "transcript.read")]
        assert both[0].detail == {"args": {"order_id": "10288"}, "result": {"value": "ok"},
                                  "confirmed": True}
        [tool] = demo.audit_entries("c1")  # the dialog's view: its tool calls only
        assert (tool["tool"], tool["confirmed"], json.loads(tool["args_json"])) == (
            "cancel_order", 1, {"order_id": "10288"})
    finally:
        demo.close()
    _append_only(tmp_path / DB_FILENAME)


async def test_the_staff_log_shares_a_database_or_opens_its_own(tmp_path: Path) -> None:
    db = Database(SqliteBackend(tmp_path / "hotline.db"))
    shared, own = AuditLog(db), AuditLog(tmp_path / "hotline.db")
    try:
        await shared.record("ann", "admin", "auth.login", "ann")
        assert [e.action for e in await own.entries(actor="ann")] == ["auth.login"]
        shared.close()  # not its database: still open
        assert len(await shared.entries()) == 1
    finally:
        own.close()
        db.close()


def test_an_old_demo_database_has_its_tool_calls_folded_in(tmp_path: Path) -> None:
    reset(tmp_path)
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)  # as a demo.sqlite3 written before the database layer
    conn.executescript("DROP TABLE audit_log; DROP TABLE schema_versions;" + OLD_TOOL_AUDIT)
    conn.close()
    demo = SqliteDemoStore.open(tmp_path)
    try:
        entries = demo.audit_entries("c1")
        assert [(e["tool"], e["confirmed"], e["at"]) for e in entries] == [
            ("lookup_order", 0, "2026-05-06T10:00:00+00:00"),
            ("cancel_order", 1, "2026-05-06T10:00:05+00:00")]
        [cancel] = demo.audit.entries_sync(action_prefix="tool.cancel", limit=1)
        assert cancel.at == dt.datetime(2026, 5, 6, 10, 0, 5, tzinfo=dt.UTC).timestamp()
        assert cancel.detail["result"] == {"value": {"status": "cancelled"}}
        assert demo.run_sync(lambda c: version(c, "audit")) == 1
        assert demo.order("10288") is not None  # the demo data itself is untouched
    finally:
        demo.close()
    _append_only(path)
