"""Retention sweep and erasure: files gone, rows gone (FTS index included), audit entries present."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from telephony.auth.audit import AuditLog  # noqa: E402
from telephony.privacy.retention import caller_ref, purge_expired  # noqa: E402
from telephony.server.retention_cli import cmd_erase  # noqa: E402
from telephony.server.services import open_store
from tests.telephony.auth_helpers import csrf, login  # noqa: E402
from tests.telephony.qa_helpers import add_call, agent, caller, config, make_qa_app  # noqa: E402

NOW = time.time()
DAY = 86400.0


def seeder(tmp_path: Path) -> Any:
    def seed(conn: sqlite3.Connection) -> None:
        for call_id, who, age_days in (("old", "+1555OLD", 40), ("new", "+1555OLD", 1),
                                       ("other", "+1555KEEP", 40)):
            wav = tmp_path / "recordings" / f"{call_id}.wav"
            wav.parent.mkdir(exist_ok=True)
            wav.write_bytes(b"RIFF....WAVE")
            add_call(conn, call_id, caller=who, start=NOW - age_days * DAY, recording=str(wav),
                     turns=[caller(f"secret words {call_id}", 1), agent("ok", 3, "ack")],
                     events=[("dtmf", 2, {"digit": "1"})])
            conn.execute("INSERT INTO surveys (call_id, caller_id, score, at) VALUES (?,?,?,?)",
                         (call_id, who, 5, NOW))
            turn_id = conn.execute("SELECT max(id) FROM turns").fetchone()[0]
            conn.execute("INSERT INTO qa_labels (call_id, turn_id, label, author, at) "
                         "VALUES (?,?,?,?,?)", (call_id, turn_id, "correct", "quinn", NOW))
        (tmp_path / "kb_additions.jsonl").write_text(
            "".join(json.dumps({"doc_id": f"qa-{c}", "call_id": c}) + "\n" for c in ("old", "new")))
    return seed


def rows(db: Path, call_id: str) -> dict[str, int]:
    conn = sqlite3.connect(db)
    out = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE call_id = ?", (call_id,)).fetchone()[0]
           for t in ("turns", "call_events", "qa_labels", "surveys")}
    out["calls"] = conn.execute("SELECT count(*) FROM calls WHERE id = ?", (call_id,)).fetchone()[0]
    out["fts"] = conn.execute("SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?",
                              (f'"{call_id}"',)).fetchone()[0]
    conn.close()
    return out


GONE = {"calls": 0, "turns": 0, "call_events": 0, "qa_labels": 0, "surveys": 0, "fts": 0}


def test_retention_sweep_deletes_only_expired_calls(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    store, audit = open_store(db), AuditLog(db)
    store.run_sync(seeder(tmp_path))
    assert rows(db, "old")["fts"] == 1
    erased = asyncio.run(purge_expired(store, audit, tmp_path, 30))
    assert sorted(e.call_id for e in erased) == ["old", "other"]
    assert rows(db, "old") == GONE and rows(db, "other") == GONE
    assert rows(db, "new")["turns"] == 2 and (tmp_path / "recordings" / "new.wav").exists()
    assert not (tmp_path / "recordings" / "old.wav").exists()
    assert [json.loads(x)["call_id"] for x in (tmp_path / "kb_additions.jsonl").read_text().splitlines()] == ["new"]
    entries = asyncio.run(audit.entries())
    assert {(e.action, e.target) for e in entries} == {("retention.delete", "old"),
                                                       ("retention.delete", "other")}
    assert all(e.detail["recording_deleted"] and e.detail["turns"] == 2 for e in entries)
    assert asyncio.run(purge_expired(store, audit, tmp_path, 0)) == []  # 0 = keep forever
    store.close()
    audit.close()


def test_erase_one_caller_from_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    store = open_store(db)
    store.run_sync(seeder(tmp_path))
    store.close()
    args: Any = type("Args", (), {"caller_id": "+1555OLD", "by": "dpo"})()
    assert cmd_erase(args, config(tmp_path)) == 0
    assert rows(db, "old") == GONE and rows(db, "new") == GONE
    assert rows(db, "other")["turns"] == 2
    audit = AuditLog(db)
    entries = asyncio.run(audit.entries())
    audit.close()
    assert {(e.actor, e.action, e.target) for e in entries} == {
        ("dpo", "privacy.erase", "old"), ("dpo", "privacy.erase", "new"),
        ("dpo", "privacy.erase_request", caller_ref("+1555OLD"))}
    assert "+1555OLD" not in repr(entries)  # the audit log names the caller by hash only


def test_admin_erasure_api(tmp_path: Path) -> None:
    with TestClient(make_qa_app(tmp_path, seeder(tmp_path))) as client:
        login(client, "quinn")
        token = {"x-csrf-token": csrf(client)}
        assert client.post("/api/privacy/erase", json={"caller_id": "+1555KEEP"},
                           headers=token).status_code == 403
        login(client, "ada")
        token = {"x-csrf-token": csrf(client)}
        assert client.post("/api/privacy/erase", json={}, headers=token).status_code == 400
        res = client.post("/api/privacy/erase", json={"caller_id": "+1555KEEP"}, headers=token)
        assert res.status_code == 200 and res.json()["erased"] == 1
        entries = client.portal.call(client.app.state.auth.audit.entries)  # type: ignore[union-attr,call-arg,attr-defined]
        assert ("ada", "privacy.erase", "other") in {(e.actor, e.action, e.target) for e in entries}
    assert rows(tmp_path / "hotline.db", "other") == GONE


def test_scheduled_sweep_runs_in_the_background(tmp_path: Path) -> None:
    from telephony.privacy.retention import retention_task

    async def scenario() -> None:
        db = tmp_path / "hotline.db"
        store, audit = open_store(db), AuditLog(db)
        store.run_sync(seeder(tmp_path))
        async with retention_task(store, audit, tmp_path, 30, every_s=0.05) as task:
            assert task is not None
            for _ in range(100):
                if rows(db, "old") == GONE:
                    break
                await asyncio.sleep(0.05)
        assert task.done() and rows(db, "old") == GONE
        store.close()
        audit.close()

    asyncio.run(scenario())


def test_erasing_a_caller_takes_their_chats_on_other_channels_with_it(tmp_path: Path) -> None:
    """The cross-channel link (meta.customer_id of a verified conversation) is erased too:
    the web chat of the same customer under a visitor id goes with the caller's calls; a chat
    of another customer stays."""
    db = tmp_path / "hotline.db"
    store = open_store(db)
    linked = {"customer_id": "C1002", "identity_verified": True}

    def seed(conn: sqlite3.Connection) -> None:
        add_call(conn, "phone", caller="+15550100002", start=NOW - DAY, meta=linked,
                 turns=[caller("where is my order", 1)])
        add_call(conn, "chat", caller="visitor:abc12345", start=NOW - 2 * DAY, meta=linked,
                 transport="webchat", turns=[caller("order 10251 please", 1)])
        add_call(conn, "stranger", caller="visitor:zzz99999", start=NOW - DAY, transport="webchat",
                 meta={"customer_id": "C1003", "identity_verified": True}, turns=[caller("hi", 1)])

    store.run_sync(seed)
    store.close()
    args: Any = type("Args", (), {"caller_id": "+15550100002", "by": "dpo"})()
    assert cmd_erase(args, config(tmp_path)) == 0
    assert rows(db, "phone")["calls"] == rows(db, "chat")["calls"] == 0
    assert rows(db, "chat")["turns"] == 0
    assert rows(db, "stranger")["calls"] == 1
