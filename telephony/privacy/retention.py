"""Retention and erasure: calls older than `privacy.retention_days`, or every call of
one caller on request, are deleted everywhere Hotline keeps them.

A deleted call loses its recording file, its turns (and with them its rows in the
`turns_fts` search index, through triggers), its events, QA labels and scores,
survey answers, and the knowledge-base additions made from it. Each deleted call
gets an audit entry (`retention.delete` or `privacy.erase`); an erasure gets one
more for the request itself. The audit log names the caller only by a hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

from telephony.auth.audit import AuditLog
from telephony.conversations.store import CallStore
from telephony.qa.export import KB_ADDITIONS

log = logging.getLogger(__name__)
CHILD_TABLES = ("turns", "call_events", "qa_labels", "qa_scores", "surveys", "callbacks")


@dataclass(frozen=True)
class Erased:
    call_id: str
    turns: int
    events: int
    recording_deleted: bool


def caller_ref(caller_id: str) -> str:
    """How the audit log names a caller: never the number itself."""
    return "caller:" + hashlib.sha256(caller_id.encode()).hexdigest()[:16]


def _erase(conn: sqlite3.Connection, call_ids: list[str]) -> list[Erased]:
    out = []
    for call_id in call_ids:
        row = conn.execute("SELECT recording FROM calls WHERE id = ?", (call_id,)).fetchone()
        counts = {t: conn.execute(f"DELETE FROM {t} WHERE call_id = ?", (call_id,)).rowcount
                  for t in CHILD_TABLES}
        conn.execute("DELETE FROM calls WHERE id = ?", (call_id,))
        deleted = False
        if row is not None and row["recording"]:
            path = Path(row["recording"])
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                deleted = True
        out.append(Erased(call_id, counts["turns"], counts["call_events"], deleted))
    return out


def _drop_kb_additions(data_dir: Path, call_ids: set[str]) -> int:
    path = data_dir / KB_ADDITIONS
    if not call_ids or not path.is_file():
        return 0
    lines = path.read_text().splitlines()
    kept = [ln for ln in lines if ln.strip() and json.loads(ln).get("call_id") not in call_ids]
    if len(kept) != len(lines):
        path.write_text("".join(ln + "\n" for ln in kept))
    return len(lines) - len(kept)


async def purge_expired(store: CallStore, audit: AuditLog, data_dir: Path, days: int,
                        *, now: float | None = None) -> list[Erased]:
    """Delete every call that ended more than `days` days ago (days <= 0: nothing)."""
    if days <= 0:
        return []
    cutoff = (now if now is not None else time.time()) - days * 86400

    def q(c: sqlite3.Connection) -> list[Erased]:
        ids = [r["id"] for r in c.execute(
            "SELECT id FROM calls WHERE ended_at IS NOT NULL AND ended_at < ?", (cutoff,))]
        erased = _erase(c, ids)
        _drop_kb_additions(data_dir, set(ids))
        return erased

    erased = await store.run(q)
    for e in erased:
        await audit.record("system", "system", "retention.delete", e.call_id,
                           retention_days=days, **asdict(e))
    if erased:
        log.info("retention: deleted %d call(s) older than %d days", len(erased), days)
    return erased


async def erase_caller(store: CallStore, audit: AuditLog, data_dir: Path, caller_id: str,
                       *, actor: str = "system", role: str = "system") -> list[Erased]:
    """Erase every call (and survey) of one caller; audited per call and as a whole."""
    ref = caller_ref(caller_id)

    def q(c: sqlite3.Connection) -> list[Erased]:
        ids = [r["id"] for r in c.execute("SELECT id FROM calls WHERE caller_id = ?", (caller_id,))]
        erased = _erase(c, ids)
        c.execute("DELETE FROM surveys WHERE caller_id = ?", (caller_id,))
        c.execute("DELETE FROM callbacks WHERE caller_id = ?", (caller_id,))
        _drop_kb_additions(data_dir, set(ids))
        return erased

    erased = await store.run(q)
    for e in erased:
        await audit.record(actor, role, "privacy.erase", e.call_id, caller=ref, **asdict(e))
    await audit.record(actor, role, "privacy.erase_request", ref, calls=len(erased))
    log.info("erasure: %d call(s) of %s deleted", len(erased), ref)
    return erased


@contextlib.asynccontextmanager
async def retention_task(store: CallStore, audit: AuditLog, data_dir: Path, days: int,
                         every_s: float) -> AsyncIterator[asyncio.Task[None] | None]:
    """The server's scheduled sweep: runs at start and every `every_s`, cancelled on exit."""
    if days <= 0:
        yield None
        return

    async def loop() -> None:
        while True:
            try:
                await purge_expired(store, audit, data_dir, days)
            except Exception:
                log.exception("retention sweep failed; trying again later")
            await asyncio.sleep(every_s)

    task = asyncio.create_task(loop(), name="retention")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
