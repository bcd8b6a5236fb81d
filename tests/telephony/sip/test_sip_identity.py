"""Caller identity over SIP (docs/sip.md, "Caller identity"), with sipp on 127.0.0.1 calling
the real app as a demo customer's number: the From is trusted only from
[sip].trusted_sources; from anywhere else it names the account and the agent asks for a
second fact. Each case asks the live call's own session what the agent discloses."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from telephony.core.config import SipSection
from telephony.server.app import create_app
from telephony.sip.bridge import trusted_from
from tests.telephony.sip_helpers import need, sipp_scenario

PRIYA = "+15550100002"  # order 10251, late because of a storm
SCENARIO = sipp_scenario("a customer's number calls, stays a moment, hangs up", f"""\
  <pause milliseconds="6000"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{PRIYA}@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="200" optional="true"/>
""", caller=PRIYA)


@pytest.mark.parametrize(("trusted", "verified"), [((), False), (("127.0.0.0/8",), True)])
async def test_a_sip_from_is_trusted_only_from_a_trusted_source(
        tmp_path: Path, hotline_config: Any, services: Any,
        trusted: tuple[str, ...], verified: bool) -> None:
    sipp = need("sipp")
    (tmp_path / "call.xml").write_text(SCENARIO)
    sip = dataclasses.replace(hotline_config.sip, enabled=True, bind_port=0, trusted_sources=trusted,
                              rtp_port_min=27600, rtp_port_max=27699)
    app = create_app(dataclasses.replace(hotline_config, sip=sip), services=services)
    async with app.router.lifespan_context(app):
        proc = await asyncio.create_subprocess_exec(
            sipp, "-sf", "call.xml", f"127.0.0.1:{app.state.sip.port}", "-i", "127.0.0.1",
            "-p", "15095", "-mp", "27900", "-m", "1", "-timeout", "30", "-nostdin",
            cwd=str(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            for _ in range(300):  # the INVITE is answered, the call opens
                if app.state.calls.active:
                    break
                await asyncio.sleep(0.05)
            live = next(iter(app.state.calls.active.values()))
            assert live.caller_id == PRIYA and live.session.caller_verified is verified
            reply = await services.engine.respond(live.session, "where is my order?")
            assert ("storm" in reply.text) is verified, reply.text
            assert verified or "zip code" in reply.text, reply.text
        finally:
            out, _ = await asyncio.wait_for(proc.communicate(), 40)
        assert proc.returncode == 0, out.decode(errors="replace")[-2000:]


def test_trusted_from_reads_sources_and_authentication() -> None:
    section = SipSection(trusted_sources=("10.1.0.0/16", "192.0.2.7"))
    assert trusted_from(section, "10.1.2.3") and trusted_from(section, "192.0.2.7")
    assert not trusted_from(section, "10.2.0.1") and not trusted_from(section, "not-an-ip")
    assert not trusted_from(SipSection(trust_authenticated=True), "10.2.0.1")  # no auth configured
    assert trusted_from(SipSection(auth_users=("pbx:pw",), trust_authenticated=True), "10.2.0.1")
