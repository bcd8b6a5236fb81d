"""Multi-step tasks completed by voice through the whole loop (VAD, turns, STT, brain, TTS).

No recording in ../shared/testdata asks a retailer about an order, so the caller's
lines are spoken by espeak-ng (a different synthesizer from the agent's Piper voice).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kb.demo import reset
from telephony.server.audiofile import read_mono
from voice.filecall import run_file_call


def say(text: str, tmp: Path, name: str) -> np.ndarray:
    out = tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(out), text], check=True,
                   timeout=30)
    audio, rate = read_mono(out)
    from voice.media.audio import resample

    return resample(audio, rate, 16000)


@pytest.fixture
def espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (make test installs it)")


def _agent(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text for t in result.turns if t.speaker == "agent"]


@pytest.mark.slow
@pytest.mark.usefixtures("espeak")
async def test_cancellation_by_voice_reads_back_then_cancels_on_yes(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir = services.config.data_path
    reset(data_dir)
    try:
        lines = [say("I'd like to cancel my order.", tmp_path, "cancel"), say("Yes.", tmp_path, "yes")]
        result = await run_file_call(services.voice, services.speech_cache, lines, 16000,
                                     caller_id="+15550100001", caller_verified=True)
        agent = _agent(result)
        print("caller:", [t.text for t in result.turns if t.speaker == "caller"], "\nagent:", agent)
        readback = next(t for t in agent if "yes or no" in t.lower())
        assert "10288" in readback
        assert any("cancelled" in t.lower() for t in agent[agent.index(readback) + 1:])
        with sqlite3.connect(data_dir / "demo.sqlite3") as conn:
            status = conn.execute("SELECT status FROM orders WHERE order_id='10288'").fetchone()[0]
            audited = conn.execute("SELECT COUNT(*) FROM audit_log WHERE action='tool.cancel_order' "
                                   "AND target=? AND json_extract(detail, '$.confirmed')",
                                   (result.call_id,)).fetchone()[0]
        assert status == "cancelled"
        assert audited == 1
    finally:
        reset(data_dir)


@pytest.mark.slow
@pytest.mark.usefixtures("espeak")
async def test_order_status_by_voice_gives_reason_and_new_estimate(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reset(services.config.data_path)
    result = await run_file_call(services.voice, services.speech_cache,
                                 [say("Where is my order?", tmp_path, "where")], 16000,
                                 caller_id="+15550100002", caller_verified=True)
    agent = _agent(result)
    print("agent:", agent)
    answer = " ".join(agent[1:])
    assert "10251" in answer
    assert "UPS" in answer and "late" in answer.lower() and "May 8" in answer
