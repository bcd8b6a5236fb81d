"""A caller who says goodbye, for the hang-up-after-goodbye tests of every transport.

The caller waits for the greeting, says "Thank you, goodbye." (the agent asks the CSAT
survey question), answers "Five." (the agent thanks them: a reply with `end_call`) and
then stays on the line in silence: the agent, not the caller, must end the call, and only
once its goodbye has played. The lines are spoken by espeak-ng (no recording in
../shared/testdata says goodbye), a different voice from the agent's Piper.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from voice.media.audio import resample

GREETING_S = 5.0  # silence while the greeting plays
SURVEY_S = 10.0  # silence while the survey question plays
LINES = ((GREETING_S, "Thank you, goodbye."), (SURVEY_S, "Five."))
STAY_S = 30.0  # the caller never hangs up first: the line stays open this long
MAX_CALL_S = GREETING_S + SURVEY_S + 6.0 + 12.0  # the lines, the goodbye, and room for load


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (make test installs it)")


def goodbye_caller(tmp: Path, rate_hz: int, *, subtype: str = "PCM_16",
                   stay_s: float = STAY_S) -> Path:
    """The caller's side as one mono WAV at `rate_hz`."""
    need_espeak()
    parts: list[np.ndarray] = []
    for i, (pause_s, text) in enumerate(LINES):
        wav = tmp / f"line{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text],
                       check=True, timeout=30)
        audio, rate = sf.read(wav, dtype="float32")
        parts += [np.zeros(int(pause_s * rate_hz), dtype=np.float32), resample(audio, rate, rate_hz)]
    parts.append(np.zeros(int(stay_s * rate_hz), dtype=np.float32))
    out = tmp / "goodbye_caller.wav"
    sf.write(out, np.clip(np.concatenate(parts), -1, 1), rate_hz, subtype=subtype)
    return out


async def assert_greeted_then_hung_up_after_goodbye(services: Any, call_id: str) -> list[dict[str, Any]]:
    """The stored call: greeted first, ended by the agent, and only after the goodbye's audio
    had played in full (the record closes no earlier than the goodbye's audio would end,
    counted from when its synthesis started, which is before it began to play)."""
    record = await services.store.call(call_id)
    turns = await services.store.turns(call_id)
    agent = [t for t in turns if t["speaker"] == "agent"]
    story = "\n".join(f"{t['speaker']}: {t['text']}" for t in turns)
    assert record is not None and record["end_reason"] == "agent_hangup", f"{record}\n{story}"
    assert agent and "Thanks for calling" in agent[0]["text"], story  # the greeting came first
    goodbye = agent[-1]
    assert goodbye["meta"].get("intent") == "goodbye" and not goodbye["meta"].get("interrupted"), story
    assert record["ended_at"] >= goodbye["ended_at"], (
        f"hung up {goodbye['ended_at'] - record['ended_at']:.2f} s before the goodbye finished")
    assert record["ended_at"] - record["started_at"] < MAX_CALL_S
    print(f"goodbye of {goodbye['meta'].get('audio_s')} s; hung up "
          f"{record['ended_at'] - goodbye['ended_at']:.2f} s after its synthesis start + length")
    return turns
