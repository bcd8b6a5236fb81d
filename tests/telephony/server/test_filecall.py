"""A call from a real recording through the whole voice loop, stored in real SQLite."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from telephony.server.audiofile import read_mono
from telephony.server.wer import wer
from tests.helpers import cli_env
from voice.filecall import run_file_call
from voice.media.audio import resample

HARVARD = ["speechbrain/spk1_snt1.wav", "speechbrain/spk1_snt3.wav", "speechbrain/spk2_snt1.wav",
           "speechbrain/spk2_snt4.wav"]


def reference(testdata: Path, rel: str) -> str:
    with (testdata / "speech/manifest.tsv").open() as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["path"] == rel:
                return row["reference_text"]
    raise KeyError(rel)


@pytest.mark.slow
async def test_file_calls_on_harvard_sentences_transcribe_and_answer(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    store = services.store
    wers = []
    for rel in HARVARD:
        audio, rate = read_mono(testdata / "speech" / rel)
        call_id = f"test-{Path(rel).stem}"
        await store.call_started(call_id, "file", None)
        result = await run_file_call(services.voice, services.speech_cache, audio, rate,
                                     observer=store, call_id=call_id, speed=2.0, greet=False)
        await store.call_ended(call_id, "completed")
        stored = await store.turns(call_id)
        caller = [t["text"] for t in stored if t["speaker"] == "caller"]
        agent = [t for t in stored if t["speaker"] == "agent"]
        assert caller, f"{rel}: no caller turn stored"
        err = wer(reference(testdata, rel), " ".join(caller))
        wers.append(err)
        print(f"{rel}: WER {err:.2f} heard {caller!r}")
        # an answer to the caller's turn, with audio the caller heard
        assert len(agent) >= 1
        assert result.reply_audio.size > rate * 0.5
        assert np.abs(result.reply_audio).max() > 1000
        answer = agent[-1]
        assert answer["latency"].get("stt_ms", 0) > 0
    mean = sum(wers) / len(wers)
    print(f"mean WER over {len(wers)} Harvard sentences: {mean:.3f}")
    assert mean <= 0.15


@pytest.mark.slow
async def test_agent_reply_audio_says_the_stored_text(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    audio, rate = read_mono(testdata / "speech/speechbrain/spk2_snt4.wav")
    result = await run_file_call(services.voice, services.speech_cache, audio, rate, greet=True)
    agent = [t.text for t in result.turns if t.speaker == "agent"]
    assert len(agent) >= 2, "expected the greeting and an answer"
    heard = services.models.stt.transcribe(
        resample(result.reply_audio.astype(np.float32) / 32768, result.out_rate_hz, 16000)).text
    said = " ".join(agent)
    err = wer(said, heard)
    print(f"agent said {said!r}\ncaller heard {heard!r}\nWER {err:.2f}")
    # What the caller heard is what the agent said (greeting, then the answer), in order.
    assert err <= 0.35


def test_cli_call_prints_turns_as_json(testdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "reply.wav"
    wav = testdata / "speech/speechbrain/spk1_snt5.wav"
    proc = subprocess.run([sys.executable, "-m", "telephony.server.cli", "call", str(wav), "--json",
                           "--out", str(out), "--speed", "2"],
                          capture_output=True, text=True, timeout=240, env=cli_env(tmp_path / "data"),
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    caller = [t for t in doc["turns"] if t["speaker"] == "caller"]
    assert caller and wer("sunday is the best part of the week", caller[0]["text"]) <= 0.2
    # it ends with the outcome QA would give it and a summary; no latency is negative
    assert list(doc)[-2:] == ["outcome", "summary"]
    assert doc["outcome"]["outcome"] in ("resolved", "unresolved", "escalated", "abandoned")
    assert isinstance(doc["outcome"]["resolved"], bool) and "tools_offered" in doc["outcome"]
    assert doc["summary"]["caller_turns"] == len(caller) and doc["summary"]["agent_turns"] >= 1
    figures = [(k, v) for t in doc["turns"] for k, v in t["latency"].items()
               if k.endswith("_ms") and isinstance(v, int | float)]
    assert figures and all(v >= 0 for _, v in figures), figures
    assert set(doc["summary"]["reply_ms"]) == {"p50", "p95", "n"}
    assert out.is_file() and out.stat().st_size > 16000
    assert (tmp_path / "data" / "hotline.db").is_file()


def test_cli_call_rejects_garbage_audio_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    proc = subprocess.run([sys.executable, "-m", "telephony.server.cli", "call", str(bad)],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 2
    assert "cannot read audio file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_reports_bad_config_before_starting(tmp_path: Path) -> None:
    import os
    proc = subprocess.run([sys.executable, "-m", "telephony.server.cli", "serve"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "HOTLINE_SERVER_PORT": "http"},
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 2
    assert "server.port" in proc.stderr and "integer" in proc.stderr
