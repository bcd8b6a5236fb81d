"""`hotline chat` converses as before and now records the conversation like a call
(`python -m dialog.chat`, the brain alone: tests/dialog/test_dialog_chat.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, cli_env

KNOWN_CALLER = "+15550100002"


def _hotline(data: Path, *args: str, said: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "telephony.server.cli", "chat", *args], input=said,
                          capture_output=True, text=True, timeout=240, env=cli_env(data), cwd=ROOT)


def _stored(db: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, str, str]]]:
    with sqlite3.connect(db) as conn:
        calls = conn.execute("SELECT id, transport, caller_id, end_reason, recording FROM calls "
                             "ORDER BY started_at").fetchall()
        turns = conn.execute("SELECT call_id, speaker, text FROM turns ORDER BY id").fetchall()
    return calls, turns


def test_hotline_chat_json_lines_are_answered_and_recorded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = _hotline(data, "--json", "--caller-id", KNOWN_CALLER, "--verified",
                    said='where is my order\n{"text": "that\'s all, goodbye"}\n{oops\n\n5\nnot read\n')
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["intent"] == "greeting" and "10251" in out[1]["text"]
    assert out[3] == {"error": "expected a JSON object with a 'text' field"}
    assert out[-1]["end_call"] is True and len(out) == 5  # nothing read after the goodbye

    calls, turns = _stored(data / "hotline.db")
    assert len(calls) == 1
    call_id, transport, caller_id, reason, recording = calls[0]
    assert (transport, caller_id, reason, recording) == ("chat", KNOWN_CALLER, "agent_hangup", None)
    assert [(s, t) for _, s, t in turns] == [
        ("agent", out[0]["text"]), ("caller", "where is my order"), ("agent", out[1]["text"]),
        ("caller", "that's all, goodbye"), ("agent", out[2]["text"]), ("caller", "5"),
        ("agent", out[4]["text"])]
    assert {c for c, _, _ in turns} == {call_id}


def test_hotline_chat_caller_id_without_verified_only_names_the_account(tmp_path: Path) -> None:
    proc = _hotline(tmp_path / "data", "--json", "--caller-id", KNOWN_CALLER,
                    said="where is my order\nseven eight seven oh one\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "zip code" in out[1]["text"] and "10251" not in out[1]["text"]  # named, not verified
    assert "10251" in out[2]["text"] and "storm" in out[2]["text"]  # the second fact verified


def test_hotline_chat_interactive_prompts_and_ends_with_the_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = _hotline(data, said="where is my order\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.split("\n")
    assert lines[0] == "agent> Thanks for calling Acme Apparel. How can I help you today?"
    assert lines[1].startswith("you> agent> ") and lines[2] == "you> "
    calls, turns = _stored(data / "hotline.db")
    assert [c[1:4] for c in calls] == [("chat", None, "caller_hangup")]
    assert [s for _, s, _ in turns] == ["agent", "caller", "agent"]

