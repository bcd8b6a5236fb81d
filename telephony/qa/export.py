"""The continuous-learning loop: labeled AI turns as JSONL, and corrected answers
turned into knowledge-base entries.

KB entries are appended to `<data_dir>/kb_additions.jsonl`, one JSON object a line:
  {"doc_id": "qa-<call>-<turn>", "title", "text", "spoken", "summary", "source": "qa",
   "call_id", "turn_id", "question", "author", "at"}
`doc_id`..`source` are the fields of `kb.passages.Passage`, so a loader can build
passages from it directly. The running engine gets the entry at once when it
exposes the seam `engine.brain.knowledge.index.upsert(passages)` (kb.index.HybridIndex);
after a restart dialog.factory loads the file again (kb.additions.load_additions).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from kb.additions import FILENAME as ADDITIONS_FILE
from kb.passages import Passage
from telephony.qa.errors import QAError

log = logging.getLogger(__name__)
KB_ADDITIONS = ADDITIONS_FILE  # read back at start-up by kb.additions.load_additions


def _question(conn: sqlite3.Connection, call_id: str, turn_id: int) -> str:
    row = conn.execute("SELECT text FROM turns WHERE call_id = ? AND id < ? AND speaker = 'caller' "
                       "ORDER BY id DESC LIMIT 1", (call_id, turn_id)).fetchone()
    return str(row["text"]) if row else ""


def labeled_turns(conn: sqlite3.Connection, since: float | None = None,
                  call_ids: set[str] | None = None) -> list[dict[str, Any]]:
    """One record per label, with the AI turn, its question and the correction."""
    rows = conn.execute(
        "SELECT l.*, t.text AS ai_answer, t.meta AS turn_meta, t.started_at AS turn_at "
        "FROM qa_labels l JOIN turns t ON t.id = l.turn_id WHERE l.at >= ? ORDER BY l.id",
        (since or 0.0,))
    out = []
    for r in rows:
        if call_ids is not None and r["call_id"] not in call_ids:
            continue
        meta = json.loads(r["turn_meta"] or "{}")
        out.append({"call_id": r["call_id"], "turn_id": r["turn_id"], "turn_at": r["turn_at"],
                    "question": _question(conn, r["call_id"], r["turn_id"]),
                    "ai_answer": r["ai_answer"], "intent": meta.get("intent"),
                    "confidence": meta.get("confidence"), "citations": meta.get("citations", []),
                    "label": r["label"], "corrected_answer": r["corrected_answer"],
                    "note": r["note"], "author": r["author"], "labeled_at": r["at"]})
    return out


def to_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def kb_entry(conn: sqlite3.Connection, call_id: str, turn_id: int, answer: str, title: str,
             author: str) -> dict[str, Any]:
    """Build the entry; `answer` defaults to the turn's latest corrected answer."""
    if not answer:
        row = conn.execute("SELECT corrected_answer FROM qa_labels WHERE call_id = ? AND turn_id = ? "
                           "AND corrected_answer != '' ORDER BY id DESC LIMIT 1",
                           (call_id, turn_id)).fetchone()
        answer = str(row["corrected_answer"]) if row else ""
    if not answer.strip():
        raise QAError("no corrected answer for this turn: label it with one first")
    turn = conn.execute("SELECT speaker FROM turns WHERE id = ? AND call_id = ?",
                        (turn_id, call_id)).fetchone()
    if turn is None or turn["speaker"] != "agent":
        raise QAError("no such AI turn in this call", status=404)
    question = _question(conn, call_id, turn_id)
    title = title.strip() or (question[:80] or f"Correction from call {call_id[:8]}")
    return {"doc_id": f"qa-{call_id[:12]}-{turn_id}", "title": title,
            "text": f"{question}\n{answer}".strip(), "spoken": answer.strip(),
            "summary": question, "source": "qa", "call_id": call_id, "turn_id": turn_id,
            "question": question, "author": author, "at": time.time()}


def append_kb_addition(data_dir: Path, entry: dict[str, Any]) -> Path:
    path = data_dir / KB_ADDITIONS
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return path


def passage_of(entry: dict[str, Any]) -> Passage:
    return Passage(doc_id=entry["doc_id"], title=entry["title"], text=entry["text"],
                   spoken=entry["spoken"], summary=entry.get("summary", ""), source="qa")


async def apply_live(engine: Any, entry: dict[str, Any]) -> bool:
    """Add the entry to the running engine's index if it offers the seam; True if it did."""
    index = getattr(getattr(getattr(engine, "brain", None), "knowledge", None), "index", None)
    upsert = getattr(index, "upsert", None)
    if upsert is None:
        log.warning("kb entry %s saved to file only: the engine has no index.upsert", entry["doc_id"])
        return False
    await asyncio.to_thread(upsert, [passage_of(entry)])  # re-indexes: seconds, off the loop
    return True
