"""A dialog `csat` tool call on an agent turn reaches the surveys table via QA's registry sink."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from telephony.qa.csat import SurveyRecorder
from telephony.server.services import open_store
from voice.events import TurnRecord


def _turn(call_id: str, speaker: str, tool_calls: list[dict[str, Any]]) -> TurnRecord:
    now = time.time()
    return TurnRecord(call_id=call_id, speaker=speaker, text="Thank you for your feedback.",
                      started_at=now, ended_at=now + 1, meta={"tool_calls": tool_calls})


async def test_csat_tool_call_is_stored_as_a_survey(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hotline.db")
    try:
        await store.call_started("c1", "sip", "+15550100001", None, recording="")
        observer = SurveyRecorder(store, "c1")
        await observer.on_turn(_turn("c1", "agent", [{"tool": "csat", "score": 4, "channel": "dtmf"}]))
        await observer.on_turn(_turn("c1", "agent", [{"tool": "csat", "score": 9, "channel": "voice"}]))
        await observer.on_turn(_turn("c1", "caller", [{"tool": "csat", "score": 1, "channel": "voice"}]))
        await observer.on_turn(_turn("c1", "agent", [{"tool": "lookup_order"}]))
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / "hotline.db")
    rows = conn.execute("SELECT call_id, caller_id, score, channel FROM surveys").fetchall()
    conn.close()
    assert rows == [("c1", "+15550100001", 4, "keypad")]  # bad score and caller turns ignored
