"""The database thread: confinement, WAL and pragmas, transactions, many tasks at once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.db import Connection, Database, DatabaseClosed, Schema, SqliteBackend

LOG = Schema("log", {"sqlite": (
    "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, task INTEGER NOT NULL, "
    "n INTEGER NOT NULL, thread INTEGER NOT NULL)",)})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(SqliteBackend(tmp_path / "t.db"), (LOG,), name="test-db")
    yield d
    d.close()


def _ident(_: Connection) -> tuple[int, str]:
    return threading.get_ident(), threading.current_thread().name


async def test_all_work_runs_on_one_dedicated_thread(db: Database) -> None:
    from_loop = await asyncio.gather(*(db.run(_ident) for _ in range(20)))
    from_threads = await asyncio.gather(*(asyncio.to_thread(db.run_sync, _ident)
                                          for _ in range(20)))
    idents = {i for i, _ in from_loop + from_threads}
    assert len(idents) == 1 and threading.get_ident() not in idents
    assert from_loop[0][1].startswith("test-db")


def test_the_connection_refuses_every_other_thread(db: Database) -> None:
    conn = db.run_sync(lambda c: c)  # smuggled out: sqlite itself refuses to use it here
    with pytest.raises(sqlite3.ProgrammingError, match="thread"):
        conn.execute("SELECT 1")


def test_sqlite_runs_in_wal_with_the_shared_pragmas(db: Database, tmp_path: Path) -> None:
    mode, sync, fks = db.run_sync(lambda c: (c.execute("PRAGMA journal_mode").fetchone()[0],
                                             c.execute("PRAGMA synchronous").fetchone()[0],
                                             c.execute("PRAGMA foreign_keys").fetchone()[0]))
    assert (mode, sync, fks) == ("wal", 1, 1)  # synchronous=1 is NORMAL
    db.run_sync(lambda c: c.execute("INSERT INTO log (task, n, thread) VALUES (0, 0, 0)"))
    assert (tmp_path / "t.db-wal").is_file()
    # a reader on another connection is not blocked by an open write transaction (WAL)
    writer = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO log (task, n, thread) VALUES (1, 1, 1)")
        assert db.run_sync(lambda c: c.execute("SELECT COUNT(*) FROM log").fetchone()[0]) == 1
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert db.run_sync(lambda c: c.execute("SELECT COUNT(*) FROM log").fetchone()[0]) == 2


async def test_many_tasks_write_and_read_concurrently(db: Database) -> None:
    async def task(k: int) -> list[int]:
        for n in range(5):
            await db.run(lambda c, n=n: c.execute(
                "INSERT INTO log (task, n, thread) VALUES (?, ?, ?)", (k, n, threading.get_ident())))
        return await db.run(lambda c: [r["n"] for r in c.execute(
            "SELECT n FROM log WHERE task = ? ORDER BY id", (k,))])

    results = await asyncio.gather(*(task(k) for k in range(200)))
    assert all(r == [0, 1, 2, 3, 4] for r in results)  # each task's writes, in its order
    count, threads = await db.run(lambda c: c.execute(
        "SELECT COUNT(*), COUNT(DISTINCT thread) FROM log").fetchone())
    assert (count, threads) == (1000, 1)


async def test_the_event_loop_keeps_running_while_the_disk_is_slow(db: Database) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick = asyncio.create_task(ticker())
    try:
        await db.run(lambda c: time.sleep(0.5))  # a stalled disk, on the database thread
    finally:
        tick.cancel()
    assert ticks >= 10


async def test_a_transaction_commits_whole_or_not_at_all(db: Database) -> None:
    def half_then_fail(c: Connection) -> None:
        c.execute("INSERT INTO log (task, n, thread) VALUES (1, 1, 1)")
        raise ValueError("fails halfway")

    def three(c: Connection) -> None:
        for n in range(3):
            c.execute("INSERT INTO log (task, n, thread) VALUES (2, ?, 2)", (n,))

    with pytest.raises(ValueError):
        await db.run(half_then_fail, transaction=True)
    await db.run(three, transaction=True)
    rows = await db.run(lambda c: [tuple(r) for r in c.execute(
        "SELECT task, COUNT(*) FROM log GROUP BY task")])
    assert rows == [(2, 3)]


def test_run_sync_from_inside_the_database_thread_runs_inline(db: Database) -> None:
    nested = db.run_sync(lambda c: db.run_sync(lambda c2: c2 is c))
    assert nested is True


async def test_a_closed_database_refuses_work(tmp_path: Path) -> None:
    db = Database(SqliteBackend(tmp_path / "c.db"), (LOG,))
    pending = db.run(lambda c: c.execute("INSERT INTO log (task, n, thread) VALUES (1, 1, 1)"))
    task = asyncio.ensure_future(pending)
    await asyncio.sleep(0)
    await asyncio.to_thread(db.close)
    await task  # handed in before close: done
    db.close()  # idempotent
    with pytest.raises(DatabaseClosed):
        db.run_sync(lambda c: None)
    with pytest.raises(DatabaseClosed):
        await db.run(lambda c: None)
