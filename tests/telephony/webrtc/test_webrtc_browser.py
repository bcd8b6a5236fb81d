"""A real browser calls the real server over WebRTC and talks to the agent.

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens the
softphone page, its fake microphone plays a real recording, and the server runs
the full voice loop (VAD, turn end, Whisper, dialog, Piper) over aiortc. The test
checks the caller's words in the stored transcript (WER), that the agent's audio
reached the page (WebAudio RMS and RTP stats), the hang-up, and that nothing leaks.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS

CLIP = "speech/speechbrain/spk1_snt1.wav"
REFERENCE = "the child almost hurt the small dog"
MIC_RATE_HZ = 48000
LEAD_SILENCE_S = 3.0  # the greeting plays first
TAIL_SILENCE_S = 15.0  # Chromium loops the file: keep the repeat well after the reply
MAX_WER = 0.25

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")]


REPLIED = """() => {
  const t = window.hotline.turns, i = t.findIndex((x) => x.speaker === "caller");
  return window.hotline.state === "ended" || (i >= 0 && t.slice(i + 1).some((x) => x.speaker === "agent"));
}"""

def fake_mic(testdata: Path, out: Path) -> Path:
    """The recording as 16-bit PCM at 48 kHz mono, with silence before and after."""
    from voice.media.audio import resample

    audio, rate = sf.read(testdata / CLIP, dtype="float32", always_2d=True)
    speech = resample(audio.mean(axis=1), rate, MIC_RATE_HZ)
    lead, tail = (np.zeros(int(s * MIC_RATE_HZ), dtype=np.float32) for s in (LEAD_SILENCE_S, TAIL_SILENCE_S))
    sf.write(out, np.concatenate([lead, speech, tail]), MIC_RATE_HZ, subtype="PCM_16")
    return out


async def test_browser_calls_the_agent(services: Any, hotline_config: Any, testdata: Path,
                                       tmp_path: Path) -> None:
    import uvicorn
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app
    from telephony.server.wer import wer

    mic = fake_mic(testdata, tmp_path / "mic.wav")
    app = create_app(hotline_config, services=services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    tasks_before = asyncio.all_tasks()
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    started = time.monotonic()
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.05)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])
            try:
                page = await browser.new_page(bypass_csp=True)
                await page.goto(f"http://127.0.0.1:{port}/?raw=1")
                await page.click("#call")
                await page.wait_for_function("window.hotline.state === 'connected'", timeout=15_000)
                connected_s = time.monotonic() - started
                await page.wait_for_function(REPLIED, timeout=60_000, polling=100)
                await asyncio.sleep(1.0)  # let the reply's first second play
                heard: dict[str, Any] = await page.evaluate("window.hotline")
                rtp: dict[str, float] = await page.evaluate("window.hotlineInboundAudio()")
                call_id = heard["callId"]
                await page.click("#hangup")
                await page.wait_for_function("window.hotline.state === 'ended'", timeout=5_000)
            finally:
                await browser.close()
        for _ in range(100):  # the hang-up request returns once the call is closed
            if not app.state.calls.active:
                break
            await asyncio.sleep(0.05)
        assert not app.state.calls.active, "the call is still live after hang-up"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 15)
    call_s = time.monotonic() - started

    record = await services.store.call(call_id)
    turns = await services.store.turns(call_id)
    caller = [t["text"] for t in turns if t["speaker"] == "caller"]
    agent = [t for t in turns if t["speaker"] == "agent"]
    error_rate = wer(REFERENCE, caller[0]) if caller else 1.0
    print(f"\nWebRTC call {call_id[:8]}: connected {connected_s:.1f} s, whole test {call_s:.1f} s; "
          f"caller said {caller!r}, WER {error_rate:.2f}; agent turns {len(agent)}; "
          f"browser heard RMS max {heard['agentRmsMax']:.3f} ({heard['agentLoudFrames']} loud 50 ms reads), "
          f"RTP {rtp}")
    print(f"recording {record['recording']}")

    assert record is not None and record["transport"] == "webrtc"
    assert record["ended_at"] is not None and record["end_reason"] == "caller_hangup"
    assert caller, f"no caller turn stored: {turns}"
    assert error_rate <= MAX_WER, f"caller transcript {caller[0]!r} vs {REFERENCE!r}: WER {error_rate:.2f}"
    assert len(agent) >= 2, "expected the greeting and a reply to the caller"
    assert [t["speaker"] for t in heard["turns"]][:1] == ["agent"], "the live transcript should start with the greeting"
    assert any(t["speaker"] == "caller" for t in heard["turns"]), "the caller's turn never reached the page"
    assert heard["agentRmsMax"] > 0.02 and heard["agentLoudFrames"] >= 10, "no agent audio reached the page"
    assert rtp["packetsReceived"] > 100 and rtp["totalAudioEnergy"] > 0.01, f"no agent audio over RTP: {rtp}"
    recording, _ = sf.read(record["recording"], dtype="float32", always_2d=True)
    caller_rms, agent_rms = np.sqrt(np.mean(recording**2, axis=0))
    assert caller_rms > 0.005 and agent_rms > 0.005, f"recording is silent: {caller_rms=} {agent_rms=}"
    leaked = {t for t in asyncio.all_tasks() - tasks_before if t is not asyncio.current_task() and not t.done()}
    assert not leaked, f"tasks left running after shutdown: {leaked}"
