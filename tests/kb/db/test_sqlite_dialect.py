"""What differs per backend, on SQLite: scripts, upsert, catalogue, full-text search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.db import Database, Schema, SqliteBackend, TextIndex, dialect_of
from kb.db.sqlite import SQLITE, statements

NOTES = TextIndex(name="notes_fts", table="notes", column="text")
SCHEMA = Schema("notes", {"sqlite": (
    "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, who TEXT);"
    "CREATE TABLE tally (name TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, at REAL)",
    lambda conn, dialect: dialect.create_text_index(conn, NOTES))})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(SqliteBackend(tmp_path / "d.db"), (SCHEMA,))
    yield d
    d.close()


def test_scripts_split_on_statements_not_on_every_semicolon() -> None:
    script = """CREATE TABLE a (x TEXT DEFAULT ';');
-- a comment; with a semicolon
CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;
INSERT INTO a VALUES ('last, no semicolon')"""
    got = [s.strip() for s in statements(script)]
    assert len(got) == 3 and got[1].startswith("-- a comment") and got[1].endswith("END;")
    assert got[2] == "INSERT INTO a VALUES ('last, no semicolon')"


def test_every_sqlite_connection_speaks_the_sqlite_dialect(db: Database) -> None:
    assert db.run_sync(dialect_of) is SQLITE and db.dialect is SQLITE
    with pytest.raises(TypeError):
        dialect_of(object())


def test_upsert_inserts_then_updates_the_other_columns(db: Database) -> None:
    sql = SQLITE.upsert("tally", ("name", "n", "at"), ("name",))
    assert sql.endswith("ON CONFLICT (name) DO UPDATE SET n = excluded.n, at = excluded.at")
    db.run_sync(lambda c: c.execute(sql, ("calls", 1, 1.0)))
    db.run_sync(lambda c: c.execute(sql, ("calls", 2, 2.0)))
    assert db.run_sync(lambda c: [tuple(r) for r in c.execute("SELECT * FROM tally")]) == [
        ("calls", 2, 2.0)]
    keep = SQLITE.upsert("tally", ("name",), ("name",))
    assert keep.endswith("DO NOTHING")
    db.run_sync(lambda c: c.execute(keep, ("calls",)))  # there already: left alone
    assert db.run_sync(lambda c: c.execute("SELECT n FROM tally").fetchone()[0]) == 2


def test_catalogue(db: Database) -> None:
    assert {"notes", "tally", "notes_fts"} <= set(db.run_sync(SQLITE.tables))
    assert db.run_sync(lambda c: SQLITE.columns(c, "notes")) == ["id", "text", "who"]
    assert db.run_sync(lambda c: SQLITE.columns(c, "missing")) == []


def test_text_index_follows_its_table_and_matches_all_words(db: Database) -> None:
    def add(c: sqlite3.Connection) -> None:
        for text, who in (("I want a refund for my order", "a"), ("Refunds take five days", "b"),
                          ("Where is my order", "c")):
            c.execute("INSERT INTO notes (text, who) VALUES (?, ?)", (text, who))

    db.run_sync(add)
    search = SQLITE.text_search(NOTES, ("who",))

    def find(words: str) -> list[tuple[str, str]]:
        query = SQLITE.text_query(words)
        return db.run_sync(lambda c: [(r["who"], r["snip"]) for r in c.execute(search, (query,))])

    assert SQLITE.text_query('refun* "my" order; DROP') == '"refun"* "my" "order" "DROP"'
    assert [w for w, _ in find("refun*")] == ["a", "b"]
    assert find("my order") == [("a", "I want a refund for [my] [order]"),
                                ("c", "Where is [my] [order]")]
    db.run_sync(lambda c: c.execute("DELETE FROM notes WHERE who = 'a'"))
    db.run_sync(lambda c: c.execute("UPDATE notes SET text = 'Where is my parcel' WHERE who = 'c'"))
    assert [w for w, _ in find("order")] == []
    assert [w for w, _ in find("parcel")] == ["c"]


def test_a_text_index_created_late_indexes_the_rows_already_there(tmp_path: Path) -> None:
    plain = Schema("notes", {"sqlite": ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",)})
    db = Database(SqliteBackend(tmp_path / "late.db"), (plain,))
    try:
        db.run_sync(lambda c: c.execute("INSERT INTO notes (text) VALUES ('an old refund')"))
        db.run_sync(lambda c: SQLITE.create_text_index(c, NOTES))
        rows = db.run_sync(lambda c: c.execute(SQLITE.text_search(NOTES, ("id",)),
                                               (SQLITE.text_query("refund"),)).fetchall())
        assert len(rows) == 1
    finally:
        db.close()
