"""A turn the store has acknowledged survives kill -9 of the process that wrote it.

The fast, model-free twin of tests/telephony/server/test_crash.py: a subprocess writes turns
through the real `CallStore` (kb/db, SQLite WAL, synchronous=NORMAL) as fast as it can and
prints each one once `on_turn` has returned; it is killed mid-stream, and every printed turn
must be in the database, which must be intact and recoverable.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from telephony.conversations.store import CallStore

ROOT = Path(__file__).resolve().parents[3]
WRITER = """
import asyncio, sys, time
from pathlib import Path
from telephony.conversations.store import CallStore
from voice.events import TurnRecord

async def main() -> None:
    store = CallStore(Path(sys.argv[1]))
    await store.call_started("crash-1", "test", "+15550100001")
    n = 0
    while True:
        now = time.time()
        await store.on_turn(TurnRecord("crash-1", "caller", f"turn {n}", now, now))
        print(n, flush=True)
        n += 1

asyncio.run(main())
"""


def test_acknowledged_turns_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, text=True)
    acked = -1
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            acked = int(line)
            if acked >= 300:
                break
        proc.send_signal(signal.SIGKILL)  # mid-stream: it is writing the next turn right now
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert acked >= 300 and proc.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = CallStore(db)
    try:
        texts = [t["text"] for t in asyncio.run(store.turns("crash-1"))]
        assert texts[:acked + 1] == [f"turn {n}" for n in range(acked + 1)]
        assert asyncio.run(store.finalize_dangling()) == 1
        call = asyncio.run(store.call("crash-1"))
        assert call is not None and call["end_reason"] == "server_restart"
    finally:
        store.close()
