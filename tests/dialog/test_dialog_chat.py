"""`python -m dialog.chat`: the brain alone in a terminal, the lines `hotline chat` speaks too."""

from __future__ import annotations

import io
import json

from dialog.chat import run
from dialog.types import DialogEngine, Session


async def test_json_lines_in_replies_out_until_goodbye(engine: DialogEngine) -> None:
    stdout = io.StringIO()
    said = 'where is my order\n{"text": "that\'s all, goodbye"}\n{oops\n\n5\nnot read\n'
    await run(engine, Session(call_id="chat-json", channel="chat"), True, io.StringIO(said), stdout)
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [r.get("intent") for r in out] == ["greeting", "order_status", "goodbye_survey", None,
                                              "goodbye"]
    assert out[3] == {"error": "expected a JSON object with a 'text' field"}
    assert out[-1]["end_call"] is True
    assert out[-1]["tool_calls"] == [{"tool": "csat", "score": 5, "channel": "chat"}]


async def test_interactive_prompts_and_stops_at_end_of_input(engine: DialogEngine) -> None:
    stdout = io.StringIO()
    await run(engine, Session(call_id="chat-text", channel="chat"), False,
              io.StringIO("where is my order\n"), stdout)
    lines = stdout.getvalue().split("\n")
    assert lines[0] == "agent> Thanks for calling Acme Apparel. How can I help you today?"
    assert lines[1].startswith("you> agent> ") and lines[2:] == ["you> "]
