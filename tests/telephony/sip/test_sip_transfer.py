"""SIP transfer and hold against real signalling: sipp accepts the server's REFER; re-INVITE hold.

(a) The real app with `routing.external_transfer` set and no agent available: sipp calls in,
the call escalates, the server REFERs sipp to the configured target, sipp answers 202 and
NOTIFYs `SIP/2.0 100 Trying` then `SIP/2.0 200 OK`, the server hangs up with BYE and the
call record ends `transferred`. (b) A raw UDP caller puts the call on hold (a=sendonly) and
takes it off (a=sendrecv): each re-INVITE is answered 200 with the mirrored direction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from dialog.types import Reply  # noqa: E402
from telephony.server.app import create_app  # noqa: E402
from telephony.sip import SipCall  # noqa: E402
from tests.telephony.sip_helpers import (  # noqa: E402
    header,
    invite,
    need,
    running,
    sipp_scenario,
    status_of,
    udp_peer,
)

TARGET = "sip:desk@127.0.0.1:5099"
WAIT_S = 20.0
_rtp_base = [26400]

SCENARIO = sipp_scenario("caller that accepts a blind transfer", """\
  <recv request="REFER" timeout="30000"/>
  <send><![CDATA[
SIP/2.0 202 Accepted
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: sip:sipp@[local_ip]:[local_port]
Content-Length: 0
]]></send>
  <send retrans="500"><![CDATA[
NOTIFY sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 NOTIFY
Contact: sip:sipp@[local_ip]:[local_port]
Event: refer
Subscription-State: active;expires=60
Max-Forwards: 70
Content-Type: message/sipfrag;version=2.0
Content-Length: [len]

SIP/2.0 100 Trying
]]></send>
  <recv response="200"/>
  <send retrans="500"><![CDATA[
NOTIFY sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 NOTIFY
Contact: sip:sipp@[local_ip]:[local_port]
Event: refer
Subscription-State: terminated;reason=noresource
Max-Forwards: 70
Content-Type: message/sipfrag;version=2.0
Content-Length: [len]

SIP/2.0 200 OK
]]></send>
  <recv response="200"/>
  <recv request="BYE" timeout="15000"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
""", media_port="[media_port]")


@asynccontextmanager
async def hotline(hotline_config: Any, services: Any, **routing: Any) -> AsyncIterator[Any]:
    low = _rtp_base[0]
    _rtp_base[0] += 200
    sip = dataclasses.replace(hotline_config.sip, enabled=True, bind_port=0,
                              rtp_port_min=low, rtp_port_max=low + 199)
    cfg = dataclasses.replace(hotline_config, sip=sip,
                              routing=dataclasses.replace(hotline_config.routing, **routing))
    app = create_app(cfg, services=services)
    async with app.router.lifespan_context(app):
        yield app


async def _until(check: Any, what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def _events(services: Any, call_id: str, kind: str) -> list[dict[str, Any]]:
    rows = await services.store.run(lambda c: c.execute(
        "SELECT data FROM call_events WHERE call_id = ? AND kind = ? ORDER BY id", (call_id, kind)).fetchall())
    return [json.loads(r[0]) for r in rows]


async def test_escalated_sip_call_is_referred_to_the_external_target(
        tmp_path: Path, hotline_config: Any, services: Any) -> None:
    sipp = need("sipp")
    scenario = tmp_path / "uac_transfer.xml"
    scenario.write_text(SCENARIO)
    messages = tmp_path / "messages.log"
    async with hotline(hotline_config, services, external_transfer=TARGET,
                       external_transfer_when="no_agent") as app:
        proc = await asyncio.create_subprocess_exec(
            sipp, "-sf", str(scenario), f"127.0.0.1:{app.state.sip.port}", "-i", "127.0.0.1",
            "-p", "15091", "-m", "1", "-timeout", "45", "-nostdin", "-trace_msg",
            "-message_file", str(messages), cwd=str(tmp_path),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            await _until(lambda: any(c.transport == "sip" for c in app.state.calls.active.values()),
                         "the sipp call to reach the registry")
            [live] = [c for c in app.state.calls.active.values() if c.transport == "sip"]
            assert live.ctx.session.control is not None and live.ctx.session.control.can_transfer
            assert live.bridge is not None
            live.bridge.transfer_spoken = True  # no spoken message to wait for in this test
            reply = Reply(text="Connecting you now.", escalate=True, escalation_reason="caller asked for a person")
            entry = await asyncio.wait_for(app.state.handoff.escalate(live, reply), WAIT_S)
            assert entry is None, "the call was queued instead of transferred"
            out, _ = await asyncio.wait_for(proc.communicate(), WAIT_S)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.communicate()
        log = messages.read_text(errors="replace") if messages.exists() else ""
        assert proc.returncode == 0, f"sipp failed ({proc.returncode}):\n{out.decode(errors='replace')[-2000:]}\n{log[-3000:]}"
        await _until(lambda: live.call_id not in app.state.calls.active, "the call to close")
    refer_to = [line.split(":", 1)[1].strip() for line in log.splitlines()
                if line.lower().startswith("refer-to:")]
    assert refer_to and refer_to[0] == f"<{TARGET}>", refer_to
    record = await services.store.call(live.call_id)
    assert record is not None and record["end_reason"] == "transferred", record
    assert record["meta"].get("transferred_to") == TARGET
    assert [(e["target"], e["outcome"]) for e in await _events(services, live.call_id, "transferred")] \
        == [(TARGET, "ok")]
    assert await _events(services, live.call_id, "handoff_queued") == []


def _in_dialog(method: str, call_id: str, port: int, to_tag: str, cseq: int, body: bytes = b"",
               branch: str = "") -> bytes:
    ctype = "Content-Type: application/sdp\r\n" if body else ""
    head = (
        f"{method} sip:service@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{branch or method.lower()}{cseq}{call_id}\r\n"
        f"From: <sip:tester@127.0.0.1>;tag=from{call_id}\r\nTo: <sip:service@127.0.0.1>;tag={to_tag}\r\n"
        f"Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContact: <sip:tester@127.0.0.1:{port}>\r\n"
        f"Max-Forwards: 70\r\n{ctype}Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def _offer(rtp_port: int, direction: str, version: int) -> bytes:
    return (f"v=0\r\no=t 1 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {rtp_port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na={direction}\r\n").encode()


def _direction(response: bytes) -> str:
    body = response.split(b"\r\n\r\n", 1)[1].decode()
    found = [d for d in ("sendrecv", "sendonly", "recvonly", "inactive") if f"a={d}" in body]
    return found[0] if found else "sendrecv"  # RFC 4566: no attribute means sendrecv


async def test_reinvite_hold_and_unhold_are_answered_with_the_mirrored_direction() -> None:
    calls: list[SipCall] = []

    async def on_call(call: SipCall) -> None:
        calls.append(call)
        await call.ended.wait()

    async with running(on_call) as server, udp_peer() as peer, udp_peer() as rtp:
        call_id = "hold1"
        peer.send(invite(call_id, peer.port, rtp.port), server.port)
        ok = await peer.final()
        assert status_of(ok) == 200
        to_tag = header(ok, "To").split("tag=")[1]
        peer.send(_in_dialog("ACK", call_id, peer.port, to_tag, 1, branch="ack1"), server.port)
        await _until(lambda: bool(calls), "the call to start", 5)
        call = calls[0]
        assert call.on_hold is False
        steps = [(2, "sendonly", "recvonly", True), (3, "sendrecv", "sendrecv", False),
                 (4, "inactive", "inactive", True), (5, "sendrecv", "sendrecv", False)]
        for cseq, offered, answered, held in steps:
            peer.send(_in_dialog("INVITE", call_id, peer.port, to_tag, cseq, _offer(rtp.port, offered, cseq)),
                      server.port)
            response = await peer.final()
            assert status_of(response) == 200, response
            assert header(response, "CSeq") == f"{cseq} INVITE"
            assert _direction(response) == answered, (offered, response)
            assert call.on_hold is held
            peer.send(_in_dialog("ACK", call_id, peer.port, to_tag, cseq, branch="ack"), server.port)
        peer.send(_in_dialog("BYE", call_id, peer.port, to_tag, 6), server.port)
        assert status_of(await peer.final()) == 200
        await asyncio.wait_for(call.ended.wait(), 5)
        assert call.end_reason == "remote-bye"
