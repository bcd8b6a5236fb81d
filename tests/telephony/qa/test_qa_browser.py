"""Headless Chromium opens the QA call page as a QA user: the transcript renders from the
store, the recording (a real CallRecorder file made from a real speech clip) loads in
<audio>, clicking a turn seeks the player there and highlights that turn."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from telephony.server.audiofile import read_mono  # noqa: E402
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS
from tests.telephony.qa_helpers import PASSWORD, add_call, agent, caller, make_qa_app  # noqa: E402
from voice.recording import RATE_HZ, CallRecorder  # noqa: E402

CLIP = "speech/speechbrain/spk1_snt1.wav"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's Chromium at /usr/bin/chromium")]
T0 = 1_700_000_000.0


def record(testdata: Path, path: Path) -> float:
    """Caller channel: 1 s silence, the clip, silence up to 12 s; agent channel: a tone at 7 s."""
    audio, rate = read_mono(testdata / CLIP)
    speech = np.interp(np.arange(0, len(audio), rate / RATE_HZ), np.arange(len(audio)), audio)
    pcm = np.zeros(12 * RATE_HZ, dtype=np.int16)
    clip = (np.clip(speech, -1, 1) * 32000).astype(np.int16)[: 5 * RATE_HZ]
    pcm[RATE_HZ : RATE_HZ + len(clip)] = clip
    rec = CallRecorder(path)
    rec.agent(np.zeros(7 * RATE_HZ, dtype=np.int16))
    rec.agent((np.sin(np.arange(2 * RATE_HZ) * 0.1) * 8000).astype(np.int16))
    for i in range(0, len(pcm), 320):
        rec.caller(pcm[i : i + 320])
    rec.close()
    return rec.seconds


def test_qa_call_page_plays_and_seeks(testdata: Path, tmp_path: Path) -> None:
    wav = tmp_path / "recordings" / "c-web.wav"
    assert record(testdata, wav) == 12.0

    def seed(conn: sqlite3.Connection) -> None:
        add_call(conn, "c-web", caller="+15550009", start=T0, duration=12, recording=str(wav), turns=[
            agent("Hello, how can I help?", 0.2, "greeting"),
            caller("the child almost hurt the small dog", 1.0),
            agent("I am sorry to hear that. Is the dog all right?", 7.0, "kb:pets", citations=["pets"])])

    asyncio.run(_browse(make_qa_app(tmp_path, seed)))


async def _browse(app: Any) -> None:
    import uvicorn
    from playwright.async_api import async_playwright

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    base = f"http://127.0.0.1:{port}"
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.05)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(bypass_csp=True)
                await page.goto(f"{base}/login?next=/qa/calls/c-web")
                await page.fill("input[name=name]", "quinn")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit], input[type=submit]")
                await page.wait_for_url(f"{base}/qa/calls/c-web")
                await page.wait_for_function("window.hotlineQA && window.hotlineQA.loaded", timeout=10_000)
                texts = await page.locator(".turn .text").all_inner_texts()
                assert texts == ["Hello, how can I help?", "the child almost hurt the small dog",
                                 "I am sorry to hear that. Is the dog all right?"]
                await page.wait_for_function(
                    "document.querySelector('#player').readyState >= 1", timeout=10_000)
                assert await page.evaluate("document.querySelector('#player').duration") == 12.0
                await page.click(".turn.agent >> nth=1")  # the answer, 7 s into the recording
                await page.wait_for_function(
                    "Math.abs(document.querySelector('#player').currentTime - 7) < 0.6", timeout=5_000)
                playing = page.locator(".turn.playing .text")
                assert await playing.inner_text() == "I am sorry to hear that. Is the dog all right?"
                await page.click(".turn.caller")
                await page.wait_for_function(
                    "Math.abs(document.querySelector('#player').currentTime - 1) < 0.6", timeout=5_000)
                assert await playing.inner_text() == "the child almost hurt the small dog"
                assert await page.locator("#scorecard input[name=courtesy]").count() == 1
                assert await page.evaluate("Chart.getChart('sentiment').data.datasets[0].data.length") == 1
            finally:
                await browser.close()
    finally:
        server.should_exit = True
        await serving
