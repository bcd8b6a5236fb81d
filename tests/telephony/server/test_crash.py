"""kill -9 mid-call: the transcript up to the crash and a playable recording survive."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from telephony.server.audiofile import read_mono
from telephony.server.services import open_store
from tests.helpers import cli_env
from voice.media.audio import resample

ROOT = Path(__file__).resolve().parents[3]
SENTENCES = ["speechbrain/spk1_snt1.wav", "speechbrain/spk1_snt3.wav", "speechbrain/spk2_snt1.wav",
             "speechbrain/spk2_snt4.wav", "speechbrain/spk1_snt5.wav", "speechbrain/spk2_snt5.wav"]


def _long_call(testdata: Path, out: Path) -> None:
    parts = []
    for rel in SENTENCES:
        audio, rate = read_mono(testdata / "speech" / rel)
        parts += [resample(audio, rate, 16000), np.zeros(16000 * 4, dtype=np.float32)]
    sf.write(out, np.concatenate(parts), 16000, subtype="PCM_16")


def _caller_turns(db: Path) -> list[str]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return [r[0] for r in conn.execute("SELECT text FROM turns WHERE speaker='caller' ORDER BY id")]
    except sqlite3.Error:
        return []


@pytest.mark.slow
def test_kill_9_mid_call_keeps_transcript_and_recording(testdata: Path, tmp_path: Path) -> None:
    wav = tmp_path / "long_call.wav"
    _long_call(testdata, wav)
    data = tmp_path / "data"
    env = cli_env(data)
    proc = subprocess.Popen([sys.executable, "-m", "telephony.server.cli", "call", str(wav)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = data / "hotline.db"
    try:
        deadline = time.monotonic() + 240
        while len(_caller_turns(db)) < 2:
            assert proc.poll() is None, "the call ended before the crash could happen"
            assert time.monotonic() < deadline, "no caller turns stored in time"
            time.sleep(0.2)
        time.sleep(1.0)  # mid-call: between turns
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    before = _caller_turns(db)
    with sqlite3.connect(db) as conn:
        call_id, recording, ended = conn.execute("SELECT id, recording, ended_at FROM calls").fetchone()
    assert ended is None, "a killed call cannot have closed its record"
    assert len(before) >= 2 and "dog" in before[0].lower()

    # start-up recovery (what `hotline serve` and `hotline call` do first)
    store = open_store(db)
    try:
        import asyncio
        assert asyncio.run(store.finalize_dangling()) == 1
        row = store.run_sync(lambda c: c.execute("SELECT ended_at, end_reason FROM calls").fetchone())
    finally:
        store.close()
    assert row["ended_at"] is not None and row["end_reason"] == "server_restart"
    # it ended at its last activity, not later (issue 15, finding 14: was 1.7 s after the kill),
    # and not before anything the call was seen doing. How far before the kill depends on how
    # far the recording had got (behind real time on a loaded machine): printed, not asserted
    with sqlite3.connect(db) as conn:
        seen = conn.execute("SELECT MAX(t) FROM (SELECT MAX(started_at) AS t FROM turns "
                            "UNION SELECT MAX(at) FROM call_events)").fetchone()[0]
    print(f"\ncrash-closed call ends {row['ended_at'] - killed_at:+.2f} s from the kill "
          f"(last stored activity {seen - killed_at:+.2f} s)")
    assert seen <= row["ended_at"] <= killed_at + 0.1, (row["ended_at"] - killed_at, seen - killed_at)
    assert _caller_turns(db) == before

    audio, rate = sf.read(recording, dtype="float32")
    assert rate == 16000 and audio.shape[1] == 2
    seconds = len(audio) / rate
    print(f"call {call_id}: recording playable after kill -9: {seconds:.1f} s, {len(before)} caller turns")
    caller, agent = audio[:, 0], audio[:, 1]
    assert seconds > 5
    assert np.sqrt(np.mean(caller ** 2)) > 0.005  # the caller's speech is there
    assert np.abs(agent).max() > 0.05  # and so is the agent's
