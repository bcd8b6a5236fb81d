"""One customer across channels: a signed-in customer chats on the web chat about their
order, then CALLS (a real SIP call: sipp on 127.0.0.1 from a trusted trunk, as the demo
customer's number) and is greeted with the chat's topic; the agent's handoff card lists the
chat. A caller who only names the account (untrusted line) hears nothing of it."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

from telephony.server.app import create_app
from tests.telephony.sip.test_sip_identity import PRIYA, SCENARIO
from tests.telephony.sip_helpers import need
from tests.telephony.text_helpers import Transcript

MENTION = "I see you chatted with us earlier today about order 10251."


async def _chat_about_the_order(app: Any) -> str:
    """The web chat, signed in as PRIYA (the widget's identity token path), asks about the order."""
    chat, _ = await app.state.webchat.start(PRIYA, verified=True, meta={"web_user": PRIYA})
    reply = await app.state.text.send(chat.call_id, "Where is my order?")
    assert reply is not None and "10251" in reply.text, reply
    await app.state.text.close(chat.call_id, "caller_hangup")
    record = await app.state.services.store.call(chat.call_id)
    assert record["meta"]["customer_id"] == "C1002" and record["meta"]["identity_verified"] is True
    return chat.call_id


async def _greeting(app: Any, call_id: str) -> str:
    for _ in range(300):
        turns = [t for t in await app.state.services.store.turns(call_id) if t["speaker"] == "agent"]
        if turns:
            return str(turns[0]["text"])
        await asyncio.sleep(0.05)
    raise AssertionError("the call was never greeted")


async def test_a_customer_who_chatted_then_calls_is_greeted_with_the_chat(
        tmp_path: Path, hotline_config: Any, services: Any) -> None:
    sipp = need("sipp")
    (tmp_path / "call.xml").write_text(SCENARIO.replace('milliseconds="6000"', 'milliseconds="9000"'))
    sip = dataclasses.replace(hotline_config.sip, enabled=True, bind_port=0,
                              trusted_sources=("127.0.0.0/8",), rtp_port_min=27700, rtp_port_max=27799)
    app = create_app(dataclasses.replace(hotline_config, sip=sip), services=services)
    async with app.router.lifespan_context(app):
        chat_id = await _chat_about_the_order(app)
        proc = await asyncio.create_subprocess_exec(
            sipp, "-sf", "call.xml", f"127.0.0.1:{app.state.sip.port}", "-i", "127.0.0.1",
            "-p", "15097", "-mp", "27990", "-m", "1", "-timeout", "30", "-nostdin",
            cwd=str(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            for _ in range(300):
                if app.state.calls.active:
                    break
                await asyncio.sleep(0.05)
            live = next(iter(app.state.calls.active.values()))
            assert (live.transport, live.caller_id, live.session.caller_verified) == ("sip", PRIYA, True)
            assert [c.call_id for c in live.session.earlier_contacts][:1] == [chat_id]
            greeting = await _greeting(app, live.call_id)
            assert MENTION in greeting, greeting
            # the desk's handoff card carries it too
            reply = await services.engine.respond(live.session, "I want to talk to a person")
            await live.on_escalate(reply)
            package = app.state.handoff.packages[live.call_id]
            assert package["earlier"][0]["channel"] == "webchat"
            assert package["earlier"][0]["topic"] == "order 10251"
        finally:
            await asyncio.wait_for(proc.communicate(), 40)

        # the same number, only named (not vouched for): nothing is said about the chat
        named = Transcript()
        conv = await app.state.text.open(named, PRIYA)
        assert conv.session.earlier_contacts == []
        assert "chatted" not in named.texts[0]
        await app.state.text.close(conv.call_id, "caller_hangup")
        # a vouched-for text entrance is told of the latest contact as the call was (the path
        # `hotline chat --verified` takes): the chat, or the call above once its record has
        # closed ("called us"): which one depends on how fast the call's record closed
        vouched = Transcript()
        conv = await app.state.text.open(vouched, PRIYA, caller_verified=True)
        assert re.search(r"I see you (chatted with|called) us earlier today about order 10251\.",
                         vouched.texts[0]), vouched.texts
        await app.state.text.close(conv.call_id, "caller_hangup")
