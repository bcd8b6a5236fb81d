"""A demo customer asks for a person from the softphone (calling as Priya Shah's number) and a
human agent answers on the desktop, both in headless Chromium against the real server:

- the handoff card shows the customer by name, tier and how far the identity is verified,
  and the sentiment as a label and trend (not a raw score); the AI is labelled "AI";
- the caller's page says "on hold", then "agent joined";
- what the human agent says is transcribed (the desktop's fake microphone plays a real
  recording) and shown live on the desktop and the softphone, and stored for QA;
- after wrap-up the old call is gone from the desktop (no active Hang up);
- axe-core finds no serious or critical violation on the desktop, the softphone, the
  supervisor's wallboard and the account page.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from telephony.auth.types import Role
from tests.telephony.axe_helpers import artifacts, serious_violations, with_axe
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium")]
MIC_RATE_HZ = 48000
PRIYA = "+15550100002"  # kb/demo/seed.py: Priya Shah, silver
REQUEST = "I would like to talk to a real person, please."


def _mic(path: Path, *parts: np.ndarray) -> Path:
    sf.write(path, np.clip(np.concatenate(parts), -1, 1).astype(np.float32), MIC_RATE_HZ, subtype="PCM_16")
    return path


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * MIC_RATE_HZ), dtype=np.float32)


def _clip(testdata: Path, name: str) -> np.ndarray:
    from voice.media.audio import resample

    audio, rate = sf.read(testdata / "speech" / name, dtype="float32", always_2d=True)
    return resample(audio.mean(axis=1), rate, MIC_RATE_HZ)


async def _browser(pw: Any, mic: Path) -> Any:
    return await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])


async def test_handoff_card_human_transcript_and_wrapup(services: Any, hotline_config: Any,
                                                       testdata: Path, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app
    from voice.media.audio import resample

    tts = services.models.tts
    request = resample(tts.synthesize(REQUEST).astype(np.float32) / 32768, tts.sample_rate_hz, MIC_RATE_HZ)
    caller_mic = _mic(tmp_path / "caller.wav", _silence(4.0), request, _silence(40.0))
    agent_mic = _mic(tmp_path / "agent.wav", _silence(1.5), _clip(testdata, "speechbrain/spk1_snt2.wav"),
                     _silence(6.0))
    shots = artifacts(tmp_path)
    # the softphone's "Calling as" is honoured as a named, unverified caller (docs/webrtc.md)
    cfg = dataclasses.replace(hotline_config, webrtc=dataclasses.replace(
        hotline_config.webrtc, accept_caller_id=True))
    app = create_app(cfg, services=services)
    problems: dict[str, list[dict[str, Any]]] = {}
    async with serving(app) as port, async_playwright() as pw:
        base = f"http://127.0.0.1:{port}"
        users = app.state.auth.users
        if await users.user("hc-agent") is None:
            await users.add_user("hc-agent", Role.AGENT, "handoff-password", ("general",))
        if await users.user("hc-sup") is None:
            await users.add_user("hc-sup", Role.SUPERVISOR, "handoff-password", ("general",))
        sid, _ = await users.create_session(await users.user("hc-agent"))
        sup_sid, _ = await users.create_session(await users.user("hc-sup"))
        browsers = [await _browser(pw, agent_mic), await _browser(pw, caller_mic)]
        try:
            desk_context = await browsers[0].new_context(bypass_csp=True)
            await with_axe(desk_context)
            await desk_context.add_cookies([{"name": "hotline_session", "value": sid, "url": base}])
            desk = await desk_context.new_page()
            await desk.goto(base + "/agent")
            await desk.wait_for_function("window.desk.me === 'hc-agent'", timeout=10_000)
            await desk.evaluate("window.deskSetPresence('available')")
            problems["/agent (idle)"] = await serious_violations(desk)

            phone_context = await browsers[1].new_context(bypass_csp=True)
            await with_axe(phone_context)
            phone = await phone_context.new_page()
            await phone.goto(f"{base}/?raw=1&caller_id=%2B15550100002")
            problems["/ (softphone)"] = await serious_violations(phone)
            await phone.click("#call")
            await phone.wait_for_function("window.hotline.state === 'connected'", timeout=15_000)
            call_id = await phone.evaluate("window.hotline.callId")
            await desk.wait_for_selector(f"#answer-{call_id}", timeout=60_000)
            waiting = await desk.locator(f"li[data-call-id='{call_id}']").inner_text()
            await phone.wait_for_function("window.hotline.phase === 'on_hold'", timeout=10_000)
            assert "waiting for an agent" in await phone.locator("#phase").inner_text()

            await desk.click(f"#answer-{call_id}", timeout=10_000)
            await desk.wait_for_function("window.desk.state === 'connected'", timeout=15_000)
            card = {k: await desk.locator(f"#package dd[data-field={k}]").inner_text()
                    for k in ("customer", "tier", "verification", "sentiment")}
            await phone.wait_for_function("window.hotline.phase === 'agent'", timeout=10_000)
            phase = await phone.locator("#phase").inner_text()
            state = await phone.evaluate("[window.hotline.state, window.hotline.endReason]")
            assert phase == "Agent joined", (phase, state, [t["text"] for t in await phone.evaluate("window.hotline.turns")])
            # the agent's words, transcribed in the background, reach both pages
            await desk.wait_for_selector("#turns li.human", timeout=45_000)
            await phone.wait_for_selector("#turns li.human", timeout=10_000)
            said = await desk.locator("#turns li.human >> nth=0").inner_text()
            heard = await phone.locator("#turns li.human >> nth=0").inner_text()
            who = await desk.locator("#turns li.agent .who >> nth=0").inner_text()
            problems["/agent (in a call)"] = await serious_violations(desk)
            await desk.screenshot(path=str(shots / "agent-in-call.png"), full_page=True)
            await phone.screenshot(path=str(shots / "softphone-agent-joined.png"), full_page=True)

            ended = await phone.evaluate("[window.hotline.state, window.hotline.endReason]")
            assert ended[0] == "connected", f"the call ended before the caller hung up: {ended}"
            await phone.click("#hangup")
            await desk.wait_for_function("window.desk.state === 'wrapup'", timeout=10_000)
            await desk.fill("#notes", "Explained the figures.")
            await desk.click("#wrapup button[type=submit]")
            await desk.wait_for_function("window.desk.wrapped === true", timeout=5_000)
            assert await desk.locator("#current").is_hidden()
            assert await desk.locator("#hangup").is_disabled()
            assert "Wrap-up saved" in await desk.locator("#last-wrapup").inner_text()
            problems["/agent (after wrap-up)"] = await serious_violations(desk)

            sup_context = await browsers[0].new_context(bypass_csp=True)
            await with_axe(sup_context)
            await sup_context.add_cookies([{"name": "hotline_session", "value": sup_sid, "url": base}])
            sup = await sup_context.new_page()
            for path in ("/supervisor", "/account"):
                await sup.goto(base + path)
                await sup.wait_for_load_state("networkidle")
                problems[path] = await serious_violations(sup)
        finally:
            for b in browsers:
                await b.close()
        for _ in range(100):
            if not app.state.calls.active:
                break
            await asyncio.sleep(0.05)
    turns = await services.store.turns(call_id)
    record = await services.store.call(call_id)
    print(f"\nwaiting entry: {waiting!r}\ncard: {card}\nhuman said (desk): {said!r}; (softphone): {heard!r}")
    assert "Priya Shah" in waiting, waiting
    assert card["customer"] == "Priya Shah" and card["tier"] == "silver", card
    assert card["verification"] == "caller id on file (not verified)", card
    label, _, trend = card["sentiment"].partition(", ")
    assert label in ("negative", "neutral", "positive", "not enough said") and trend, card
    assert who == "AI"
    human = [t for t in turns if t["speaker"] == "human"]
    assert human and "figures" in human[0]["text"].lower(), human
    assert human[0]["meta"]["agent"] == "hc-agent"
    assert "figures" in said.lower() and "figures" in heard.lower()
    assert record["meta"]["customer_id"] == "C1002" and record["meta"]["identified_by"] == "caller_id"
    assert record["meta"]["disposition"] == "resolved"
    bad = {path: found for path, found in problems.items() if found}
    for path, found in bad.items():
        print(path, found)
    assert not bad, bad
