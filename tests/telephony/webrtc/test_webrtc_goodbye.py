"""Hang-up after goodbye over WebRTC: headless Chromium's softphone says goodbye and stays
on the line; the agent ends the call once its goodbye has played, and the page sees the
call end without the caller hanging up (tests/telephony/goodbye_helpers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.telephony.goodbye_helpers import (
    MAX_CALL_S,
    assert_greeted_then_hung_up_after_goodbye,
    goodbye_caller,
)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium (make test installs it)")]


async def test_browser_caller_is_greeted_and_hung_up_on_after_the_goodbye(
        services: Any, hotline_config: Any, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app

    mic = goodbye_caller(tmp_path, 48000)
    app = create_app(hotline_config, services=services)
    async with serving(app) as port, async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])
        try:
            page = await browser.new_page(bypass_csp=True)
            await page.goto(f"http://127.0.0.1:{port}/?raw=1")
            await page.click("#call")
            await page.wait_for_function("window.hotline.state === 'connected'", timeout=15_000)
            await page.wait_for_function("window.hotline.state === 'ended'",
                                         timeout=int(MAX_CALL_S * 1000), polling=200)
            heard: dict[str, Any] = await page.evaluate("window.hotline")
        finally:
            await browser.close()
        assert not app.state.calls.active
    print(f"page: ended ({heard['endReason']}), turns {[t['text'] for t in heard['turns']]}")
    assert heard["endReason"] in ("agent_hangup", "connection closed")  # not the caller's doing
    assert heard["agentRmsMax"] > 0.02, "no agent audio reached the page"
    turns = await assert_greeted_then_hung_up_after_goodbye(services, heard["callId"])
    agent_on_page = [t["text"] for t in heard["turns"] if t["speaker"] == "agent"]
    assert agent_on_page[0] == [t["text"] for t in turns if t["speaker"] == "agent"][0]
