"""Tables for QA review, surveys and the transcript search index (same hotline.db).

`turns_fts` is an external-content FTS5 index over `turns.text`, kept in step by
triggers, so erasing a call's turns also erases them from the index. It is
rebuilt once when first created on a database that already holds turns.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS qa_labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    turn_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    corrected_answer TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS qa_labels_call ON qa_labels(call_id, turn_id);
CREATE TABLE IF NOT EXISTS qa_scores (
    call_id TEXT PRIMARY KEY,
    scores TEXT NOT NULL DEFAULT '{}',
    comment TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    caller_id TEXT,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    channel TEXT NOT NULL DEFAULT 'web',
    comment TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS surveys_call ON surveys(call_id);
CREATE INDEX IF NOT EXISTS calls_started ON calls(started_at);
CREATE INDEX IF NOT EXISTS calls_caller ON calls(caller_id, started_at);
CREATE TRIGGER IF NOT EXISTS turns_fts_ai AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS turns_fts_ad AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS turns_fts_au AFTER UPDATE OF text ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
END;
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the QA tables and the FTS index (after the calls/turns tables exist)."""
    existed = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'turns_fts'").fetchone()
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS turns_fts USING fts5("
                 "text, content='turns', content_rowid='id', tokenize='unicode61')")
    conn.executescript(SCHEMA)
    if not existed:
        conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('rebuild')")
