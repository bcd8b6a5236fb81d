"""A reply the caller did not hear in full leaves nothing behind to be answered: a read-back
talked over before its question was played is not confirmed by the caller's next "yes"
(which answers something else). The whole loop: espeak-ng caller, real models and brain,
the demo order store."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kb.demo import reset
from tests.voice.test_voice_tasks import say
from voice.filecall import run_file_call

CALLER = "+15550100001"  # a demo customer whose order 10288 can be cancelled


@pytest.mark.slow
async def test_a_yes_after_a_read_back_cut_before_its_question_confirms_nothing(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (make test installs it)")
    data_dir = services.config.data_path
    reset(data_dir)
    try:
        lines = [say("I'd like to cancel my order.", tmp_path, "cancel"), say("Yes.", tmp_path, "yes")]
        # "Yes." comes 1.6 s into the read-back: after "Just to confirm.", long before
        # "...cancel order 10288...? Please say yes or no." has been played
        result = await run_file_call(services.voice, services.speech_cache, lines, 16000,
                                     caller_id=CALLER, caller_verified=True, talk_over_reply_after_s=1.6)
        turns = [(t.speaker, t.text, t.meta.get("interrupted")) for t in result.turns]
        print("\n".join(map(str, turns)))
        readback = next(t for t in result.turns if t.speaker == "agent" and "yes or no" in t.text.lower())
        assert readback.meta["interrupted"], "the read-back was played in full: nothing to test"
        assert readback.meta["cut_by"] == "caller"
        assert "yes or no" not in readback.meta["heard_text"].lower(), readback.meta  # the question unheard
        caller = [t for t in result.turns if t.speaker == "caller"]
        assert caller[-1].text.lower().startswith("yes") and not caller[-1].meta.get("continues")
        after = [t.text for t in result.turns[result.turns.index(readback) + 1:] if t.speaker == "agent"]
        assert not any("cancelled" in text.lower() for text in after), after
        with sqlite3.connect(data_dir / "demo.sqlite3") as conn:
            status = conn.execute("SELECT status FROM orders WHERE order_id='10288'").fetchone()[0]
            audited = conn.execute("SELECT COUNT(*) FROM audit_log WHERE action='tool.cancel_order' "
                                   "AND target=?", (result.call_id,)).fetchone()[0]
        assert status != "cancelled" and audited == 0
    finally:
        reset(data_dir)
