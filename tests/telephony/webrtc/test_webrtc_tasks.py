"""By voice from the browser softphone: a known customer cancels an order, another
asks where their late order is.

Headless Chromium's fake microphone speaks the caller's lines (espeak-ng: no recording
in ../shared/testdata asks a retailer about an order): "I'd like to cancel my order."
and, after the agent's read-back, "Yes."; or "Where is my order?". The page calls as
the demo customer's phone number. The order must be cancelled in the demo store with
a confirmed audit entry / the delay reason and new estimate must be given, and the
agent's words must reach the page.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from kb.demo import reset
from telephony.auth.identity_token import issue
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving

RATE_HZ = 48000
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium (make test installs it)"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng (make test installs it)"),
]

def _done(pattern: str) -> str:
    return f"""() => window.hotline.state === "ended" ||
  window.hotline.turns.some((t) => t.speaker === "agent" && /{pattern}/i.test(t.text))"""


async def _browser_call(services: Any, hotline_config: Any, mic: Path, caller_id: str,
                        done: str) -> tuple[str, dict[str, Any]]:
    """One softphone call as `caller_id`; returns the call id and the page's view of it."""
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app

    app = create_app(hotline_config, services=services)
    async with serving(app) as port, async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])
        try:
            page = await browser.new_page(bypass_csp=True)
            # the site signed the caller in: its token verifies the number (docs/webrtc.md)
            token = issue(hotline_config.webrtc.identity_secret, caller_id)
            await page.goto(f"http://127.0.0.1:{port}/?raw=1&identity_token={token}")
            await page.click("#call")
            await page.wait_for_function("window.hotline.state === 'connected'", timeout=15_000)
            await page.wait_for_function(_done(done), timeout=60_000, polling=200)
            heard: dict[str, Any] = await page.evaluate("window.hotline")
            await page.click("#hangup")
        finally:
            await browser.close()
    return str(heard["callId"]), heard


def _line(text: str, tmp: Path) -> np.ndarray:
    from voice.media.audio import resample

    wav = tmp / "line.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True, timeout=30)
    audio, rate = sf.read(wav, dtype="float32")
    return resample(audio, rate, RATE_HZ)


def _mic(tmp: Path, lines: list[str]) -> Path:
    def silence(s: float) -> np.ndarray:
        return np.zeros(int(s * RATE_HZ), dtype=np.float32)

    parts = [silence(6.0)]
    for line in lines:  # room after each line for the agent's answer
        parts += [_line(line, tmp), silence(10.0)]
    parts.append(silence(20.0))
    out = tmp / "mic.wav"
    sf.write(out, np.concatenate(parts), RATE_HZ, subtype="PCM_16")
    return out


async def test_known_caller_cancels_an_order_by_voice_in_the_browser(
        services: Any, hotline_config: Any, tmp_path: Path) -> None:
    data_dir = services.config.data_path
    reset(data_dir)
    mic = _mic(tmp_path, ["I'd like to cancel my order.", "Yes."])
    try:
        call_id, heard = await _browser_call(services, hotline_config, mic, "+15550100001", "cancelled")
        record = await services.store.call(call_id)
        turns = await services.store.turns(call_id)
        print("\n".join(f"{t['speaker']}: {t['text']}" for t in turns))
        assert record["caller_id"] == "+15550100001"
        agent = [t["text"] for t in turns if t["speaker"] == "agent"]
        assert any("10288" in t and "yes or no" in t.lower() for t in agent), agent
        assert any("cancelled" in t.lower() for t in agent), agent
        assert any(t["speaker"] == "agent" and "cancelled" in t["text"].lower() for t in heard["turns"])
        assert heard["agentRmsMax"] > 0.02, "no agent audio reached the page"
        with sqlite3.connect(data_dir / "demo.sqlite3") as conn:
            status = conn.execute("SELECT status FROM orders WHERE order_id='10288'").fetchone()[0]
            confirmed = conn.execute("SELECT COUNT(*) FROM audit_log WHERE action='tool.cancel_order' "
                                     "AND target=? AND json_extract(detail, '$.confirmed')",
                                     (call_id,)).fetchone()[0]
        assert status == "cancelled" and confirmed == 1
    finally:
        reset(data_dir)


async def test_known_caller_hears_why_their_order_is_late_in_the_browser(
        services: Any, hotline_config: Any, tmp_path: Path) -> None:
    reset(services.config.data_path)
    mic = _mic(tmp_path, ["Where is my order?"])
    call_id, heard = await _browser_call(services, hotline_config, mic, "+15550100002", "estimate")
    turns = await services.store.turns(call_id)
    print("\n".join(f"{t['speaker']}: {t['text']}" for t in turns))
    answer = " ".join(t["text"] for t in turns if t["speaker"] == "agent")
    assert "10251" in answer and "UPS" in answer and "May 8" in answer
    assert any(t["speaker"] == "agent" and "estimate" in t["text"] for t in heard["turns"])
    assert heard["agentRmsMax"] > 0.02, "no agent audio reached the page"
