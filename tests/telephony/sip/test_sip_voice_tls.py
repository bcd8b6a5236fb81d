"""A TLS + SRTP phone call reaches the AI agent: baresip (srtp-mand over TLS) asks a question
and records what it hears; the recording, transcribed, is the agent's greeting and answer."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

from telephony.server.audiofile import read_mono  # noqa: E402
from telephony.server.wer import wer  # noqa: E402
from tests.telephony.sip.test_sip_voice import (  # noqa: E402
    UTTERANCE,
    UTTERANCE_TEXT,
    _run,
    _sip_calls,
    _sox,
    _wait_idle,
    _words_found,
    hotline,
)
from tests.telephony.sip_helpers import need  # noqa: E402
from tests.telephony.sip_tls_helpers import baresip_conf, make_certificate  # noqa: E402
from voice.media.audio import resample  # noqa: E402


async def test_baresip_over_tls_and_srtp_hears_the_agents_answer(
        tmp_path: Path, hotline_config: Any, services: Any) -> None:
    need("baresip")
    mic = tmp_path / "mic.wav"  # silence while the greeting plays, the question, room for the answer
    await _sox(str(UTTERANCE), "-r", "8000", "-c", "1", "-b", "16", str(mic), "pad", "5", "7")
    cert, key = make_certificate(tmp_path)
    conf, rec = baresip_conf(tmp_path, mic, 15097, "tls", "srtp-mand", cert)
    sip = dataclasses.replace(hotline_config.sip, tls=True, tls_port=0, tls_cert=str(cert),
                              tls_key=str(key), srtp="required")
    since = time.time()
    async with hotline(dataclasses.replace(hotline_config, sip=sip), services) as app:
        dial = f"/dial sip:service@127.0.0.1:{app.state.sip.tls_port}"
        rc, out = await _run(["baresip", "-f", str(conf), "-e", dial, "-t", "17"], tmp_path, 40)
        await _wait_idle(app)
        assert not app.state.calls.active, "call left in the registry"
    assert "SRTP is Enabled" in out, out[-1500:]
    [call] = await _sip_calls(services, since)
    turns = await services.store.turns(call["id"])
    agent = [t["text"] for t in turns if t["speaker"] == "agent"]
    caller = " ".join(t["text"] for t in turns if t["speaker"] == "caller")
    assert len(agent) >= 2, f"expected the greeting and an answer, got {turns}\n{out[-1500:]}"
    caller_wer = wer(UTTERANCE_TEXT, caller)
    assert caller_wer <= 0.5, f"caller turn {caller!r} (WER {caller_wer:.2f}) over SRTP"
    decoded = sorted(rec.glob("*-dec.wav"))
    assert decoded, f"baresip recorded nothing: {list(rec.iterdir())}"
    audio, rate = read_mono(decoded[-1])
    heard = (await asyncio.to_thread(services.models.stt.transcribe, resample(audio, rate, 16000))).text
    expected = " ".join(agent[:2])
    agent_wer = wer(expected, heard)
    print(f"\nTLS+SRTP: baresip heard {heard!r}\nagent said {expected!r}\nWER {agent_wer:.2f}; "
          f"caller heard as {caller!r} (WER {caller_wer:.2f})")
    for text in agent[:2]:
        assert _words_found(text, heard) >= 0.7, f"{text!r} not in what baresip heard: {heard!r}"
    assert agent_wer <= 0.35, f"WER {agent_wer:.2f}: heard {heard!r}, said {expected!r}"
    meta = call.get("meta") or {}
    if isinstance(meta, dict) and "srtp" in meta:
        assert meta["srtp"] is True and meta["sip_transport"] == "tls"
