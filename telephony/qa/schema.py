"""Tables for QA review, surveys and the transcript search index (same database as the calls).

`TURNS_TEXT` is a full-text index over `turns.text` that the backend keeps in step with the
table (SQLite: external-content FTS5 and triggers), so erasing a call's turns also erases them
from the index. It indexes the turns already there when first created.
"""

from __future__ import annotations

from kb.db import Connection, Dialect, Schema, TextIndex

TURNS_TEXT = TextIndex(name="turns_fts", table="turns", column="text")

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
"""


def _v1(conn: Connection, dialect: Dialect) -> None:
    """The QA tables and the transcript index (after the calls/turns tables exist)."""
    dialect.create_text_index(conn, TURNS_TEXT)
    dialect.execute_script(conn, SCHEMA)


QA = Schema("qa", {"sqlite": (_v1,)})
