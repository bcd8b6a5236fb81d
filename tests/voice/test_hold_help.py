"""While a caller waits for a person, the AI keeps helping — within policy: questions are
answered, but nothing that changes the account is done before the person takes over."""

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
from voice.media.audio import resample
from voice.processors.bridge import BridgeMode, CallBridge

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                                   reason="needs espeak-ng (make test installs it)")]


def say(text: str, tmp: Path, name: str) -> np.ndarray:
    out = tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(out), text], check=True, timeout=30)
    audio, rate = read_mono(out)
    return resample(audio, rate, 16000)


async def test_on_hold_the_ai_answers_questions_but_leaves_account_changes_to_the_person(
        services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir = services.config.data_path
    reset(data_dir)
    bridge = CallBridge("hold-help", hold_period_s=4.0)
    lines = [say("I want to talk to a real person, please.", tmp_path, "human"),
             say("How long do silver members have to return something?", tmp_path, "question"),
             say("I'd like to cancel my order.", tmp_path, "cancel"),
             say("Yes.", tmp_path, "yes")]
    try:
        result = await run_file_call(services.voice, services.speech_cache, lines, 16000,
                                     caller_id="+15550100001", caller_verified=True, bridge=bridge)
        agent = [t for t in result.turns if t.speaker == "agent"]
        print("\n".join(f"{t.speaker}: {t.text}" for t in result.turns))
        assert bridge.mode is BridgeMode.HOLD
        escalation = next(i for i, t in enumerate(agent) if t.meta.get("escalate"))
        after = [t.text for t in agent[escalation + 1:]]
        assert any("6 months" in t for t in after), after  # the question is answered on hold
        assert any("colleague will take care of that" in t for t in after), after
        assert not any("yes or no" in t.lower() or "cancelled" in t.lower() for t in after), after
        with sqlite3.connect(data_dir / "demo.sqlite3") as conn:
            status = conn.execute("SELECT status FROM orders WHERE order_id='10288'").fetchone()[0]
        assert status != "cancelled"
    finally:
        reset(data_dir)
