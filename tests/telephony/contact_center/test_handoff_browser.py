"""Three real browsers: a caller asks for a human, an agent answers, a supervisor listens,
whispers and barges. Headless Chromium (one process per party, each with its own fake
microphone), the real server and voice loop, all on 127.0.0.1.

Microphones: the caller says "I would like to talk to a real person, please." (synthesized
with the project's Piper voice: no recording in ../shared asks for a human) followed by a real
recording; the agent's is a real recording (speechbrain); the supervisor's is a 2.5 kHz tone,
so its audio can be told apart anywhere: the test measures the tone's prominence in what each
browser receives and in the call recording's two channels.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from telephony.auth.types import Role
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium")]
MIC_RATE_HZ = 48000
TONE_HZ = 2500.0
REQUEST = "I would like to talk to a real person, please."
PHASE_S = 4.0
GUIDANCE = "Offer the free returns label"
MEASURE_JS = """(toneHz) => {
  const el = document.getElementById("remote-audio");
  const ctx = new AudioContext();
  const an = ctx.createAnalyser(); an.fftSize = 8192; an.smoothingTimeConstant = 0;
  ctx.createMediaStreamSource(el.srcObject).connect(an);
  const freq = new Float32Array(an.frequencyBinCount), time = new Float32Array(an.fftSize);
  const bin = Math.round(toneHz / (ctx.sampleRate / an.fftSize));
  window.__meas = [];
  setInterval(() => {
    an.getFloatFrequencyData(freq); an.getFloatTimeDomainData(time);
    let peak = -1e9; for (let i = bin - 2; i <= bin + 2; i++) peak = Math.max(peak, freq[i]);
    const around = [];
    for (let i = bin - 80; i <= bin + 80; i++) if (Math.abs(i - bin) >= 20) around.push(freq[i]);
    around.sort((a, b) => a - b);
    let sum = 0; for (const x of time) sum += x * x;
    window.__meas.push({ t: Date.now() / 1000, tone: peak - around[around.length >> 1],
                         rms: Math.sqrt(sum / time.length) });
  }, 100);
}"""


def _write(path: Path, audio: np.ndarray) -> Path:
    sf.write(path, np.clip(audio, -1, 1).astype(np.float32), MIC_RATE_HZ, subtype="PCM_16")
    return path


def _clip(testdata: Path, name: str) -> np.ndarray:
    from voice.media.audio import resample

    audio, rate = sf.read(testdata / "speech" / name, dtype="float32", always_2d=True)
    return resample(audio.mean(axis=1), rate, MIC_RATE_HZ)


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * MIC_RATE_HZ), dtype=np.float32)


def make_mics(services: Any, testdata: Path, tmp: Path) -> dict[str, Path]:
    from voice.media.audio import resample

    tts = services.models.tts
    request = resample(tts.synthesize(REQUEST).astype(np.float32) / 32768, tts.sample_rate_hz, MIC_RATE_HZ)
    caller = np.concatenate([_silence(4.0), request, _silence(9.0),
                             _clip(testdata, "speechbrain/spk1_snt2.wav"), _silence(1.0)])
    agent = np.concatenate([_clip(testdata, "lhotse/LJ002-0020.wav"), _silence(0.3)])
    t = np.arange(int(10 * MIC_RATE_HZ)) / MIC_RATE_HZ
    tone = 0.3 * np.sin(2 * np.pi * TONE_HZ * t)
    return {"caller": _write(tmp / "caller.wav", caller), "agent": _write(tmp / "agent.wav", agent),
            "supervisor": _write(tmp / "supervisor.wav", tone)}


AUDIBLE_RMS = 1e-4  # -80 dBFS
SILENT_RMS = 1e-5  # digital silence: the analyser reads -inf everywhere, so "tone" is inf


def _tone(m: dict[str, float]) -> float:
    return m["tone"] if m["rms"] > SILENT_RMS and np.isfinite(m["tone"]) else 0.0


def heard(meas: list[dict[str, float]], start: float, end: float, key: str) -> float:
    """Presence: the 75th percentile over the window (a silent instant counts as no tone), so
    a stream that arrives choppy on a busy machine still shows what it carries."""
    values = [_tone(m) if key == "tone" else m[key] for m in meas if start <= m["t"] <= end]
    return float(np.percentile(values, 75)) if values else float("nan")


def leaked(meas: list[dict[str, float]], start: float, end: float) -> float:
    """A leak: the tone's median prominence over the window's audible instants (silence
    leaks nothing); a tone leaking through the window shows in most of them."""
    values = [_tone(m) for m in meas if start <= m["t"] <= end and m["rms"] > SILENT_RMS]
    return float(np.median(values)) if values else 0.0


def tone_share(pcm: np.ndarray, rate: int = 16000, block_s: float = 0.5) -> float:
    """Seconds of `pcm` in which the 2.5 kHz tone stands out (Goertzel-like, per block).
    Blocks below AUDIBLE_RMS are skipped: a decoder's +-1 LSB noise in silence has a spiky
    spectrum that "stands out" anywhere, the tone is at -10 dBFS."""
    n = int(block_s * rate)
    seconds = 0.0
    for i in range(0, len(pcm) - n, n):
        if np.sqrt(np.mean(pcm[i:i + n] ** 2)) < AUDIBLE_RMS:
            continue
        block = pcm[i:i + n] * np.hanning(n)
        spectrum = np.abs(np.fft.rfft(block))
        k = round(TONE_HZ * n / rate)
        if spectrum[k - 2:k + 3].max() > 20 * (np.median(spectrum[k - 100:k + 100]) + 1e-9):
            seconds += block_s
    return seconds


async def _staff_page(pw: Any, mic: Path, base: str, sid: str, path: str) -> tuple[Any, Any]:
    browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                       args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])
    context = await browser.new_context(bypass_csp=True)
    await context.add_cookies([{"name": "hotline_session", "value": sid, "url": base}])
    page = await context.new_page()
    await page.goto(base + path)
    return browser, page


async def test_handoff_listen_whisper_barge(services: Any, hotline_config: Any, testdata: Path,
                                            tmp_path: Path) -> None:
    import uvicorn
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app

    mics = make_mics(services, testdata, tmp_path)
    # this test is about who hears whom; the human side's transcription (a background Whisper
    # decode per agent utterance) has its own test, test_handoff_card_browser.py
    cfg = dataclasses.replace(hotline_config, consoles=dataclasses.replace(
        hotline_config.consoles, transcribe_human=False))
    app = create_app(cfg, services=services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    tasks_before = asyncio.all_tasks()
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    marks: dict[str, float] = {}
    browsers: list[Any] = []
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.05)
        users = app.state.auth.users
        sids = {}
        for name, role in (("hb-agent", Role.AGENT), ("hb-sup", Role.SUPERVISOR)):
            if await users.user(name) is None:
                await users.add_user(name, role, "handoff-password", ("general",))
            sids[name], _ = await users.create_session(await users.user(name))
        async with async_playwright() as pw:
            browser, agent = await _staff_page(pw, mics["agent"], base, sids["hb-agent"], "/agent")
            browsers.append(browser)
            browser, sup = await _staff_page(pw, mics["supervisor"], base, sids["hb-sup"], "/supervisor")
            browsers.append(browser)
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
                *CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mics['caller']}"])
            browsers.append(browser)
            caller = await browser.new_page(bypass_csp=True)
            await agent.wait_for_function("window.desk.me === 'hb-agent'", timeout=10_000)
            await agent.evaluate("window.deskSetPresence('available')")
            await caller.goto(base + "/?raw=1")
            await caller.click("#call")
            await caller.wait_for_function("window.hotline.state === 'connected'", timeout=15_000)
            marks["caller_connected"] = time.time()
            await caller.evaluate(MEASURE_JS, TONE_HZ)
            call_id = await caller.evaluate("window.hotline.callId")
            # typed whisper while the AI handles the call: it goes to the dialog's guidance
            guided = await sup.evaluate(f"window.boardGuidance('{call_id}', '{GUIDANCE}')")
            # the caller asks for a person: the dialog escalates, the call is queued
            await agent.wait_for_selector(f"#answer-{call_id}", timeout=60_000)
            marks["queued"] = time.time()
            waiting = await agent.evaluate("window.desk.waiting")
            await asyncio.sleep(2.0)  # hear some hold audio
            await agent.click(f"#answer-{call_id}")
            await agent.wait_for_function("window.desk.state === 'connected'", timeout=15_000)
            await agent.evaluate(MEASURE_JS, TONE_HZ)
            marks["answered"] = time.time()
            await asyncio.sleep(PHASE_S)
            # supervisor: listen, then whisper, then barge
            await sup.wait_for_selector(f"#listen-{call_id}", timeout=5_000)
            await sup.evaluate(f"window.boardSupervise('{call_id}', 'listen')")
            await sup.wait_for_function("window.board.state === 'connected'", timeout=15_000)
            await sup.evaluate(MEASURE_JS, TONE_HZ)
            marks["listen"] = time.time()
            await asyncio.sleep(PHASE_S)
            for mode in ("whisper", "barge"):
                await sup.evaluate(f"window.boardSupervise('{call_id}', '{mode}')")
                marks[mode] = time.time()
                await asyncio.sleep(PHASE_S)
            marks["end"] = time.time()
            board = await sup.evaluate("window.board.snapshot")
            # back to listening before anything else, so the recording holds one barge
            # phase however long the hang-up below takes on a busy machine
            await sup.evaluate(f"window.boardSupervise('{call_id}', 'listen')")
            got = {name: await p.evaluate("window.__meas") for name, p in
                     (("caller", caller), ("agent", agent), ("supervisor", sup))}
            await caller.click("#hangup")
            await agent.wait_for_function("window.desk.state === 'wrapup'", timeout=10_000)
            await agent.fill("#notes", "Caller wanted a person; talked it through.")
            await agent.click("#wrapup button[type=submit]")
            await agent.wait_for_function("window.desk.wrapped === true", timeout=5_000)
            for b in browsers:
                await b.close()
        for _ in range(100):
            if not app.state.calls.active:
                break
            await asyncio.sleep(0.05)
        assert not app.state.calls.active
        audit = await app.state.auth.audit.entries(target=call_id)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 15)

    record = await services.store.call(call_id)
    rows = services.store.run_sync(lambda c: [(r["at"], r["kind"], json.loads(r["data"])) for r in c.execute(
        "SELECT at, kind, data FROM call_events WHERE call_id = ? ORDER BY id", (call_id,))])
    events = [kind for _, kind, _ in rows]
    rec, _ = sf.read(record["recording"], dtype="float32", always_2d=True)
    # The phases as the server switched them (a browser's call can take seconds to return
    # on a busy machine): every window below lies inside its own phase.
    switched = [(at, data["mode"]) for at, kind, data in rows if kind in ("supervisor_joined", "supervisor_mode")]
    assert [mode for _, mode in switched] == ["listen", "whisper", "barge", "listen"], switched
    m = {**marks, "listen": max(marks["listen"], switched[0][0]),  # joined and connected
         "whisper": switched[1][0], "barge": switched[2][0],
         "end": min(marks["end"], switched[3][0])}
    barge_s = switched[3][0] - switched[2][0]
    settle = 1.5  # a mode change takes effect within the jitter buffers
    figures = {
        "caller<-agent rms": heard(got["caller"], m["answered"] + 1, m["listen"], "rms"),
        "agent<-caller rms": max(x["rms"] for x in got["agent"]),
        "supervisor<-call rms (listen)": heard(got["supervisor"], m["listen"], m["whisper"], "rms"),
        "agent tone dB listen": leaked(got["agent"], m["listen"] + settle, m["whisper"]),
        "agent tone dB whisper": heard(got["agent"], m["whisper"] + settle, m["barge"], "tone"),
        "caller tone dB whisper": leaked(got["caller"], m["whisper"] + settle, m["barge"]),
        "caller tone dB barge": heard(got["caller"], m["barge"] + settle, m["end"], "tone"),
        "recording tone s (right)": tone_share(rec[:, 1]),
        "recording tone s (left)": tone_share(rec[:, 0]),
    }
    print(f"\nhandoff {call_id[:8]}: queued {m['queued'] - m['caller_connected']:.1f} s after connect; "
          f"barge {barge_s:.1f} s; "
          + "; ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    print(f"package {waiting[0]['package']['summary']!r} queue {waiting[0]['queue']}; events {events}")

    assert waiting and waiting[0]["call_id"] == call_id
    package = waiting[0]["package"]
    assert package["queue"] == "general" and package["transcript"], package
    assert record["meta"]["queue"] == "general" and record["meta"]["assigned_agent"] == "hb-agent"
    assert record["meta"]["disposition"] == "resolved"
    row = next(r for r in board["calls"] if r["call_id"] == call_id)
    assert row["handler"] == "hb-agent" and row["supervised"] == "barge"
    assert figures["caller<-agent rms"] > 0.01, "the agent's voice did not reach the caller"
    assert figures["agent<-caller rms"] > 0.02, "the caller's voice did not reach the agent"
    assert figures["supervisor<-call rms (listen)"] > 0.005, "the supervisor heard nothing"
    assert figures["agent tone dB whisper"] > 20, "the whisper did not reach the agent"
    assert figures["agent tone dB listen"] < 10, "the agent heard the supervisor while only listening"
    assert figures["caller tone dB whisper"] < 10, "the whisper leaked to the caller"
    assert figures["caller tone dB barge"] > 20, "barge: the caller did not hear the supervisor"
    # the barge, however long it lasted, counted in 0.5 s blocks (a partial block at each end
    # counts whole) and heard up to ~0.5 s late (mixer FIFO + output backlog bounds); a
    # whisper leak would add its whole phase (>= PHASE_S)
    assert figures["recording tone s (right)"] <= barge_s + 1.5, "the whisper leaked into the recording"
    assert figures["recording tone s (right)"] >= 1.0, "the barge is missing from the recording"
    assert figures["recording tone s (left)"] == 0
    actions = {e.action for e in audit if e.actor == "hb-sup"}
    assert {"supervisor.listen", "supervisor.whisper", "supervisor.barge"} <= actions, actions
    assert any(e.detail.get("text") == GUIDANCE for e in audit), "typed whisper not audited"
    assert guided["guidance"] == [GUIDANCE]
    assert {"handoff_queued", "agent_answered", "supervisor_guidance", "supervisor_joined",
            "supervisor_mode", "wrapup"} <= set(events), events
    left_running = {t for t in asyncio.all_tasks() - tasks_before if t is not asyncio.current_task() and not t.done()}
    assert not left_running, f"tasks left running after shutdown: {left_running}"
