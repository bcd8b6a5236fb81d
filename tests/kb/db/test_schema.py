"""Schema registration: versioned steps per backend, applied once, atomically, newest refused."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kb.db import Connection, Database, Dialect, Schema, SchemaError, SqliteBackend
from kb.db.schema import version

V1 = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"


def _log_step(conn: Connection, dialect: Dialect) -> None:
    """Not idempotent on purpose: running twice would leave two rows."""
    dialect.execute_script(conn, "CREATE TABLE IF NOT EXISTS ran (step INTEGER);"
                                 "INSERT INTO ran VALUES (2);")


def _ran(db: Database) -> list[int]:
    return db.run_sync(lambda c: [r[0] for r in c.execute("SELECT step FROM ran")])


def _version(db: Database, name: str) -> int:
    return db.run_sync(lambda c: version(c, name))


def test_registration_is_idempotent(tmp_path: Path) -> None:
    notes = Schema("notes", {"sqlite": (V1, _log_step)})
    db = Database(SqliteBackend(tmp_path / "s.db"), (notes,))
    try:
        db.ensure(notes)
        db.ensure(notes, notes)
        assert _version(db, "notes") == 2 and _ran(db) == [2]
    finally:
        db.close()
    again = Database(SqliteBackend(tmp_path / "s.db"), (notes,))  # a restart
    try:
        assert _version(again, "notes") == 2 and _ran(again) == [2]
    finally:
        again.close()


def test_a_new_version_runs_only_its_own_step(tmp_path: Path) -> None:
    db = Database(SqliteBackend(tmp_path / "s.db"), (Schema("notes", {"sqlite": (V1,)}),))
    try:
        db.run_sync(lambda c: c.execute("INSERT INTO notes (text) VALUES ('kept')"))
        db.ensure(Schema("notes", {"sqlite": (V1, _log_step)}))
        assert _version(db, "notes") == 2 and _ran(db) == [2]
        assert db.run_sync(lambda c: c.execute("SELECT text FROM notes").fetchone()[0]) == "kept"
    finally:
        db.close()


def test_a_failed_step_leaves_the_previous_version(tmp_path: Path) -> None:
    def breaks(conn: Connection, dialect: Dialect) -> None:
        conn.execute("CREATE TABLE half (x INTEGER)")
        raise RuntimeError("disk on fire")

    db = Database(SqliteBackend(tmp_path / "s.db"), (Schema("notes", {"sqlite": (V1,)}),))
    try:
        with pytest.raises(RuntimeError):
            db.ensure(Schema("notes", {"sqlite": (V1, breaks)}))
        assert _version(db, "notes") == 1
        assert "half" not in db.run_sync(db.dialect.tables)  # the step's DDL rolled back too
    finally:
        db.close()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    Database(SqliteBackend(tmp_path / "s.db"), (Schema("notes", {"sqlite": (V1, _log_step)}),)).close()
    with pytest.raises(SchemaError, match="version 2; this code knows 1"):
        Database(SqliteBackend(tmp_path / "s.db"), (Schema("notes", {"sqlite": (V1,)}),),
                 name="refused-db")
    assert not [t for t in threading.enumerate() if t.name.startswith("refused-db")]


def test_a_schema_needs_steps_for_the_backend(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no steps for the sqlite backend"):
        Database(SqliteBackend(tmp_path / "s.db"), (Schema("pg_only", {"postgresql": (V1,)}),))


def test_connections_opening_one_database_at_once_run_each_step_once(tmp_path: Path) -> None:
    def slow_v1(conn: Connection, dialect: Dialect) -> None:
        time.sleep(0.2)  # the others read version 0 meanwhile and queue for the write lock
        dialect.execute_script(conn, V1)

    notes = Schema("notes", {"sqlite": (slow_v1, _log_step)})
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_close() -> None:
        try:
            start.wait()
            Database(SqliteBackend(tmp_path / "s.db"), (notes,)).close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_close) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = Database(SqliteBackend(tmp_path / "s.db"))
    try:
        assert _ran(db) == [2]
    finally:
        db.close()
