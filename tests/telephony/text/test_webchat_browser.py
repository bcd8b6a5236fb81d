"""The web chat widget in Chromium, embedded in a shop page served from ANOTHER origin (a
second port on 127.0.0.1): order status for a demo order, a reload that keeps the chat and
its history, a handoff answered in text from the agent desktop (a second browser context
signed in as an agent), and a CSAT score at the end, stored with the calls' surveys."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from telephony.auth.types import Role
from telephony.core.config import WebChatConfig
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium")]
SHOP = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme Apparel</h1><p>Our shop.</p>
<script src="{hotline}/webchat.js" data-title="Chat with Acme" defer></script></body></html>"""
WIDGET = "#hotline-webchat"


def shop_app(hotline: str) -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(SHOP.format(hotline=hotline))

    return Starlette(routes=[Route("/", page)])


async def _agent_turns(page: Any, after: int, timeout_ms: int = 60_000) -> list[dict[str, Any]]:
    await page.wait_for_function(
        f"window.hotlineChat.turns.filter(t => t.speaker === 'agent').length > {after} && !window.hotlineChat.typing",
        timeout=timeout_ms)
    return list(await page.evaluate("window.hotlineChat.turns"))


async def _say(page: Any, text: str) -> None:
    await page.fill(f"{WIDGET} #input", text)
    await page.press(f"{WIDGET} #input", "Enter")


async def test_widget_on_another_origin_chats_reloads_is_handed_to_an_agent_and_rated(
        hotline_config: Any, services: Any) -> None:
    from playwright.async_api import async_playwright

    from telephony.server.app import create_app

    shop_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    shop_socket.bind(("127.0.0.1", 0))
    shop_port = shop_socket.getsockname()[1]
    shop_origin = f"http://127.0.0.1:{shop_port}"
    cfg = dataclasses.replace(hotline_config, webchat=WebChatConfig(allowed_origins=(shop_origin,)))
    app = create_app(cfg, services=services)
    async with serving(app) as port, async_playwright() as pw:
        hotline = f"http://127.0.0.1:{port}"
        shop = uvicorn.Server(uvicorn.Config(shop_app(hotline), log_level="warning", lifespan="off"))
        shop_task = asyncio.create_task(shop.serve(sockets=[shop_socket]))
        users = app.state.auth.users
        if await users.user("wc-agent") is None:
            await users.add_user("wc-agent", Role.AGENT, "webchat-password", ("general",))
        sid, _ = await users.create_session(await users.user("wc-agent"))
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            while not shop.started:
                assert not shop_task.done(), "the shop's server stopped before it started"
                await asyncio.sleep(0.05)
            customer = await (await browser.new_context(bypass_csp=True)).new_page()
            await customer.goto(shop_origin + "/")
            await customer.click(f"{WIDGET} #toggle")
            await customer.wait_for_function("window.hotlineChat.state === 'open'", timeout=15_000)
            turns = await _agent_turns(customer, 0)  # the greeting
            await _say(customer, "What's the status of order 10251?")
            turns = await _agent_turns(customer, 1)
            assert await customer.evaluate("window.hotlineChat.typingSeen") is True
            assert "zip code" in turns[-1]["text"], turns  # a second fact before anything is said
            # the email, not the zip: 5 digits after an order number read as card dictation to
            # the PCI guard, which stores "<CARD_DIGITS>" (telephony/privacy/pci.py)
            await _say(customer, "It's priya.shah@example.com")
            turns = await _agent_turns(customer, 2)
            assert "10251" in turns[-1]["text"] and "UPS" in turns[-1]["text"], turns[-1]
            before = [(t["speaker"], t["text"]) for t in turns]

            await customer.reload()  # the chat and its history come back
            await customer.wait_for_function("window.hotlineChat.state === 'open'", timeout=15_000)
            await customer.wait_for_function(f"window.hotlineChat.turns.length >= {len(before)}", timeout=10_000)
            after = [(t["speaker"], t["text"]) for t in await customer.evaluate("window.hotlineChat.turns")]
            assert after == before
            shown = await customer.locator(f"{WIDGET} #log li").count()
            assert shown == len(before)
            await _say(customer, "I want to talk to a human")
            await _agent_turns(customer, 3)

            desk_context = await browser.new_context(bypass_csp=True)
            await desk_context.add_cookies([{"name": "hotline_session", "value": sid, "url": hotline}])
            desk = await desk_context.new_page()
            await desk.goto(hotline + "/agent")
            await desk.wait_for_function("window.desk.me === 'wc-agent'", timeout=10_000)
            answer = desk.locator("#waiting button.answer").first
            await answer.wait_for(timeout=20_000)
            waiting = await desk.locator("#waiting li").first.inner_text()
            assert "webchat" in waiting
            await answer.click()
            await desk.wait_for_function("window.desk.state === 'connected' && window.desk.text", timeout=10_000)
            await desk.wait_for_function(  # the history, on the desk
                "window.desk.turns.some(t => t.speaker === 'caller' && t.text.includes('order 10251'))",
                timeout=10_000)
            await desk.fill("#reply-text", "Hi, this is Ann from Acme. I can help with that order.")
            await desk.click("#reply-send")
            await customer.wait_for_function(
                "window.hotlineChat.turns.some(t => t.speaker === 'human')", timeout=10_000)
            human = await customer.locator(f"{WIDGET} #log li[data-speaker=human]").inner_text()
            assert "Ann from Acme" in human
            await _say(customer, "Can it be delivered on Saturday?")
            await desk.wait_for_function(
                "window.desk.turns.some(t => t.speaker === 'caller' && t.text.includes('Saturday'))", timeout=10_000)
            await asyncio.sleep(1.0)  # the brain would have answered by now; it must not
            last = (await customer.evaluate("window.hotlineChat.turns"))[-1]
            assert (last["speaker"], last["text"]) == ("caller", "Can it be delivered on Saturday?")

            await desk.click("#hangup")  # "End chat"
            await customer.wait_for_function("window.hotlineChat.ended === 'agent_hangup'", timeout=10_000)
            await customer.click(f"{WIDGET} #csat-4")
            await customer.wait_for_function("window.hotlineChat.rated === 4", timeout=10_000)
        finally:
            await browser.close()
            shop.should_exit = True
            await asyncio.wait_for(shop_task, 10)
    rows = services.store.run_sync(lambda c: c.execute(
        "SELECT s.score, s.channel, c.transport FROM surveys s JOIN calls c ON c.id = s.call_id "
        "WHERE s.at > ?", (time.time() - 600,)).fetchall())
    assert (4, "chat", "webchat") in [tuple(r) for r in rows]
