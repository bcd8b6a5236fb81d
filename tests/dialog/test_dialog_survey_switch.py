"""[dialog].csat_survey = false: goodbye ends the call at once, without the survey question."""

from __future__ import annotations

from pathlib import Path

from dialog.factory import build_engine
from dialog.types import Session
from tests.helpers import EMBED_CACHE, TESTDATA


async def test_goodbye_without_survey_when_switched_off(tmp_path: Path) -> None:
    engine = build_engine(data_dir=tmp_path, guidelines_path=TESTDATA / "domain/abcd/guidelines.json",
                          cache_dir=EMBED_CACHE, csat_survey=False)
    session = Session(call_id="no-survey")
    await engine.greet(session)
    reply = await engine.respond(session, "That's all, thanks. Goodbye!")
    assert reply.end_call
    assert reply.intent != "goodbye_survey"
    assert not any(c.get("tool") == "csat" for c in reply.tool_calls)
