"""Scorecards and labels: a configurable rubric, an automatic first score from the
call's facts, the reviewer's overrides, labels and corrected answers on AI turns.

Rubric (JSON, `qa.rubric_path`; DEFAULT_RUBRIC otherwise):
  {"name": "...", "criteria": [{"id": "resolved", "label": "...", "weight": 3,
                                "auto": "resolved"}, ...]}
Each criterion is scored 0..1 or left unscored (null); `auto` names one of the
AUTO checks below (no `auto`: only the reviewer scores it). The total is the
weighted mean of the scored criteria, 0..100. Store-thread functions take `conn`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telephony.qa.errors import QAError
from telephony.qa.facts import CallFacts

Score = float | None
DEFAULT_RUBRIC: dict[str, Any] = {"name": "Hotline default", "criteria": [
    {"id": "resolved", "label": "Resolved (task done, no failed ending, no repeat contact)", "weight": 3, "auto": "resolved"},
    {"id": "no_clarify_loop", "label": "No clarification loops", "weight": 1,
     "auto": "no_clarify_loop"},
    {"id": "grounded", "label": "Answers grounded in the knowledge base", "weight": 2,
     "auto": "grounded"},
    {"id": "latency", "label": "Replies within the latency target", "weight": 1, "auto": "latency"},
    {"id": "sentiment", "label": "Caller not left unhappy", "weight": 1, "auto": "sentiment"},
    {"id": "courtesy", "label": "Courteous, clear and correct (reviewer)", "weight": 2},
]}
AUTO: dict[str, Callable[[CallFacts], Score]] = {
    "resolved": lambda f: None if f.outcome == "abandoned" else float(f.outcome == "resolved"),
    "no_clarify_loop": lambda f: None if not f.agent_turns else float(f.max_clarify_run < 2),
    "grounded": lambda f: (None if not f.knowledge_answers
                           else round(min(1.0, f.grounded_answers / f.knowledge_answers), 2)),
    "latency": lambda f: (None if not f.timed_turns
                          else round(1 - f.slow_turns / f.timed_turns, 2)),
    "sentiment": lambda f: None if f.sentiment is None else float(f.sentiment_label != "negative"),
}
LABELS = ("correct", "wrong_answer", "not_grounded", "should_escalate", "should_not_escalate",
          "bad_tone", "asr_error", "other")


def load_rubric(path: str) -> dict[str, Any]:
    rubric = json.loads(Path(path).expanduser().read_text()) if path else DEFAULT_RUBRIC
    ids = [c.get("id") for c in rubric.get("criteria", [])]
    if not ids or len(set(ids)) != len(ids) or any(
            c.get("auto") and c["auto"] not in AUTO for c in rubric["criteria"]):
        raise QAError(f"qa rubric {path or 'default'}: criteria need unique ids and known autos")
    return rubric


def auto_scores(rubric: dict[str, Any], facts: CallFacts) -> dict[str, Score]:
    return {c["id"]: AUTO[c["auto"]](facts) if c.get("auto") else None for c in rubric["criteria"]}


def total(rubric: dict[str, Any], scores: dict[str, Score]) -> float | None:
    weights = {c["id"]: float(c.get("weight", 1)) for c in rubric["criteria"]}
    scored = [(weights[k], v) for k, v in scores.items() if k in weights and v is not None]
    if not scored or not sum(w for w, _ in scored):
        return None
    return round(100 * sum(w * v for w, v in scored) / sum(w for w, _ in scored), 1)


def scorecard(rubric: dict[str, Any], facts: CallFacts, saved: dict[str, Any] | None) -> dict[str, Any]:
    auto = auto_scores(rubric, facts)
    review = (saved or {}).get("scores") or {}
    final = {k: review.get(k, v) for k, v in auto.items()}
    return {"rubric": rubric, "auto": auto, "review": review, "final": final,
            "auto_total": total(rubric, auto), "total": total(rubric, final),
            "reviewer": (saved or {}).get("reviewer"), "comment": (saved or {}).get("comment", ""),
            "at": (saved or {}).get("at")}


def clean_scores(rubric: dict[str, Any], raw: Any) -> dict[str, Score]:
    ids = {c["id"] for c in rubric["criteria"]}
    if not isinstance(raw, dict) or set(raw) - ids:
        raise QAError(f"scores must be an object with keys among {sorted(ids)}")
    out: dict[str, Score] = {}
    for k, v in raw.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1):
            raise QAError(f"score {k!r} must be a number in [0, 1] or null")
        out[k] = None if v is None else float(v)
    return out


def saved_score(conn: sqlite3.Connection, call_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM qa_scores WHERE call_id = ?", (call_id,)).fetchone()
    return None if row is None else {**dict(row), "scores": json.loads(row["scores"])}


def save_score(conn: sqlite3.Connection, call_id: str, scores: dict[str, Score], comment: str,
               reviewer: str) -> None:
    conn.execute("INSERT INTO qa_scores (call_id, scores, comment, reviewer, at) VALUES (?,?,?,?,?) "
                 "ON CONFLICT(call_id) DO UPDATE SET scores = excluded.scores, "
                 "comment = excluded.comment, reviewer = excluded.reviewer, at = excluded.at",
                 (call_id, json.dumps(scores), comment, reviewer, time.time()))


def add_label(conn: sqlite3.Connection, call_id: str, turn_id: int, label: str,
              corrected: str, note: str, author: str) -> int:
    turn = conn.execute("SELECT speaker FROM turns WHERE id = ? AND call_id = ?",
                        (turn_id, call_id)).fetchone()
    if turn is None:
        raise QAError("no such turn in this call", status=404)
    if turn["speaker"] != "agent":
        raise QAError("labels and corrected answers go on AI (agent) turns")
    if label not in LABELS:
        raise QAError(f"label must be one of {', '.join(LABELS)}")
    cur = conn.execute("INSERT INTO qa_labels (call_id, turn_id, label, corrected_answer, note, "
                       "author, at) VALUES (?,?,?,?,?,?,?)",
                       (call_id, turn_id, label, corrected.strip(), note.strip(), author, time.time()))
    return int(cur.lastrowid or 0)


def labels(conn: sqlite3.Connection, call_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        "SELECT * FROM qa_labels WHERE call_id = ? ORDER BY id", (call_id,))]
