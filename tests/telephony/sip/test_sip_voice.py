"""Phone calls over SIP reach the AI agent: real peers, real models, the real app and registry.

baresip speaks a recording and records what the agent said (transcribed and checked);
sipp streams a recording as PCMU (the caller's words reach the stored transcript); twenty
sipp calls at 2/s run the full voice pipeline and leave nothing behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from telephony.server.app import create_app  # noqa: E402
from telephony.server.audiofile import read_mono  # noqa: E402
from telephony.server.wer import normalize, wer  # noqa: E402
from tests.telephony.sip_helpers import PEERS, TESTDATA, need  # noqa: E402
from voice.media.audio import resample  # noqa: E402

UTTERANCE = TESTDATA / "speech" / "speechbrain" / "spk1_snt1.wav"
UTTERANCE_TEXT = "the child almost hurt the small dog"
_rtp_base = [24000]


@asynccontextmanager
async def hotline(hotline_config: Any, services: Any) -> AsyncIterator[Any]:
    """The real app's lifespan (registry + SIP server on a free port), shared loaded models."""
    low = _rtp_base[0]
    _rtp_base[0] += 400
    sip = dataclasses.replace(hotline_config.sip, enabled=True, bind_port=0,
                              rtp_port_min=low, rtp_port_max=low + 399)
    app = create_app(dataclasses.replace(hotline_config, sip=sip), services=services)
    async with app.router.lifespan_context(app):
        yield app


async def _run(args: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=str(cwd), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
        return -1, out.decode(errors="replace")
    return proc.returncode or 0, out.decode(errors="replace")


async def _sox(*args: str) -> None:
    need("sox")
    await asyncio.to_thread(subprocess.run, ["sox", *args], check=True, timeout=30)


async def _sip_calls(services: Any, since: float) -> list[dict[str, Any]]:
    calls = await services.store.recent_calls(200)
    return [c for c in calls if c["transport"] == "sip" and c["started_at"] >= since]


async def _wait_idle(app: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    # two registries (calls, SIP sessions) have no common "empty" event: poll both
    while (app.state.calls.active or app.state.sip.active_calls) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)


def _words_found(expected: str, heard: str) -> float:
    want, got = normalize(expected), set(normalize(heard))
    return sum(w in got for w in want) / max(1, len(want))


async def test_baresip_hears_the_greeting_and_the_agents_answer(
        tmp_path: Path, hotline_config: Any, services: Any) -> None:
    need("baresip")
    mic = tmp_path / "mic.wav"  # silence while the greeting plays, the question, room for the answer
    await _sox(str(UTTERANCE), "-r", "8000", "-c", "1", "-b", "16", str(mic), "pad", "5", "7")
    conf, rec = tmp_path / "conf", tmp_path / "rec"
    conf.mkdir()
    rec.mkdir()
    template = (PEERS / "baresip" / "config.template").read_text()
    (conf / "config").write_text(template.replace("@MIC_WAV@", str(mic))
                                 .replace("@REC_DIR@", str(rec)).replace("127.0.0.1:5062", "127.0.0.1:15071"))
    (conf / "accounts").write_text((PEERS / "baresip" / "accounts").read_text())
    since = time.time()
    async with hotline(hotline_config, services) as app:
        dial = f"/dial sip:service@127.0.0.1:{app.state.sip.port}"
        rc, out = await _run(["baresip", "-f", str(conf), "-e", dial, "-t", "17"], tmp_path, 40)
        await _wait_idle(app)
        assert not app.state.calls.active, "call left in the registry"
    [call] = await _sip_calls(services, since)
    turns = await services.store.turns(call["id"])
    agent = [t["text"] for t in turns if t["speaker"] == "agent"]
    caller = " ".join(t["text"] for t in turns if t["speaker"] == "caller")
    assert len(agent) >= 2, f"expected the greeting and an answer, got {turns}\n{out[-1500:]}"
    caller_wer = wer(UTTERANCE_TEXT, caller)
    assert caller_wer <= 0.5, f"caller turn {caller!r} (WER {caller_wer:.2f})"
    decoded = sorted(rec.glob("*-dec.wav"))
    assert decoded, f"baresip recorded nothing: {list(rec.iterdir())}"
    audio, rate = read_mono(decoded[-1])
    heard = (await asyncio.to_thread(services.models.stt.transcribe, resample(audio, rate, 16000))).text
    expected = " ".join(agent[:2])
    agent_wer = wer(expected, heard)
    print(f"\nbaresip heard: {heard!r}\nagent said: {expected!r}\nWER {agent_wer:.2f}; "
          f"caller heard as {caller!r} (WER {caller_wer:.2f}); end reason {call['end_reason']}")
    for text in agent[:2]:
        assert _words_found(text, heard) >= 0.7, f"{text!r} not in what baresip heard: {heard!r}"
    assert agent_wer <= 0.35, f"WER {agent_wer:.2f}: heard {heard!r}, said {expected!r}"
    assert call["ended_at"] is not None and call["end_reason"]


def _scenario(tmp: Path, wav_name: str) -> Path:
    text = (PEERS / "sipp" / "uac_pcmu_wav.xml").read_text()
    out = tmp / "uac_pcmu_wav.xml"
    text = text.replace('rtp_stream="utt_ulaw.wav,1,0"', f'rtp_stream="{wav_name},1,0"')
    # stay on the line 2.5 s longer than the stock 7.5 s, so the answer is heard even under load
    out.write_text(text.replace('<pause milliseconds="7500"/>', '<pause milliseconds="10000"/>'))
    return out


async def _sipp_wav(tmp: Path, port: int, local_port: int, extra: list[str], timeout: float) -> tuple[int, str]:
    wav = tmp / "caller_ulaw.wav"  # the greeting plays first, then the caller asks
    await _sox(str(UTTERANCE), "-r", "8000", "-c", "1", "-e", "u-law", str(wav), "pad", "3.5", "0")
    args = [need("sipp"), "-sf", str(_scenario(tmp, wav.name)), f"127.0.0.1:{port}", "-i", "127.0.0.1",
            "-p", str(local_port), "-nostdin", *extra]
    return await _run(args, tmp, timeout)


async def test_sipp_recording_reaches_the_transcript(tmp_path: Path, hotline_config: Any,
                                                     services: Any) -> None:
    since = time.time()
    async with hotline(hotline_config, services) as app:
        rc, out = await _sipp_wav(tmp_path, app.state.sip.port, 15073, ["-m", "1", "-timeout", "25", "-mp", "25600"], 35)
        assert rc == 0, out[-2000:]
        await _wait_idle(app)
        assert not app.state.calls.active and not app.state.sip.rtp_ports_in_use
    [call] = await _sip_calls(services, since)
    assert call["transport"] == "sip" and call["caller_id"] == "sipp"
    assert call["ended_at"] is not None and call["end_reason"] == "caller_hangup"
    turns = await services.store.turns(call["id"])
    caller = " ".join(t["text"] for t in turns if t["speaker"] == "caller")
    score = wer(UTTERANCE_TEXT, caller)
    latency = [t["latency"] for t in turns if t["speaker"] == "agent" and t["latency"]]
    print(f"\nsipp caller heard as {caller!r}: WER {score:.2f}; agent latency {json.dumps(latency)}")
    assert score <= 0.5, f"caller turn {caller!r} (WER {score:.2f})"
    assert any(t["speaker"] == "agent" for t in turns), "the agent never spoke"


async def _many_calls(tmp_path: Path, hotline_config: Any, services: Any, total: int,
                      rate_per_s: float) -> None:
    """`total` sipp calls at `rate_per_s` through the full voice pipeline: all complete,
    all greeted, caller turns kept (>= 90%), nothing leaked. Bounded by sipp's timeout."""
    since = time.time()
    limit_s = int(total / rate_per_s + 40)
    async with hotline(hotline_config, services) as app:
        extra = ["-r", str(rate_per_s), "-m", str(total), "-l", str(total), "-timeout", str(limit_s),
                 "-mp", "26000"]
        rc, out = await _sipp_wav(tmp_path, app.state.sip.port, 15075, extra, limit_s + 10)
        assert rc == 0, out[-3000:]
        await _wait_idle(app)
        assert not app.state.calls.active, f"{len(app.state.calls.active)} calls leaked"
        assert app.state.sip.active_calls == 0 and not app.state.sip.rtp_ports_in_use
    calls = await _sip_calls(services, since)
    assert len(calls) == total
    assert all(c["ended_at"] is not None and c["end_reason"] == "caller_hangup" for c in calls), calls
    greeted, wers, latencies = 0, [], []
    for c in calls:
        turns = await services.store.turns(c["id"])
        greeted += any(t["speaker"] == "agent" for t in turns)
        caller = " ".join(t["text"] for t in turns if t["speaker"] == "caller")
        wers.append(wer(UTTERANCE_TEXT, caller))
        latencies += [t["latency"]["speech_end_to_first_audio_ms"] for t in turns
                      if "speech_end_to_first_audio_ms" in t["latency"]]
    lat = sorted(latencies)
    pct = {p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] for p in (50, 95)} if lat else {}
    print(f"\n{total} sipp calls at {rate_per_s}/s: all finalized, {greeted} greeted; caller WER per "
          f"call {wers}; {len(lat)} answers, speech end -> first agent audio ms {pct} (all {lat})")
    assert greeted == total
    assert sum(w <= 0.5 for w in wers) >= 0.9 * total, f"caller turns mostly lost under load: {wers}"


async def test_sipp_twenty_calls_through_the_voice_pipeline(tmp_path: Path, hotline_config: Any,
                                                            services: Any) -> None:
    await _many_calls(tmp_path, hotline_config, services, total=20, rate_per_s=2)


@pytest.mark.load
async def test_sipp_load_hundred_calls_through_the_voice_pipeline(tmp_path: Path, hotline_config: Any,
                                                                  services: Any) -> None:
    """`make test-load`: 100 calls at 3/s (bounded: ~75 s of calls); reports latency under load."""
    await _many_calls(tmp_path, hotline_config, services, total=100, rate_per_s=3)
