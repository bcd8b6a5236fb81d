"""Hang-up after goodbye over SIP, with sipp as the caller on 127.0.0.1 and the real app.

sipp calls in, streams the goodbye caller (tests/telephony/goodbye_helpers.py) as PCMU
and then waits for the server's BYE: the scenario fails unless the agent hangs up. The
stored call shows the greeting first and the hang-up no earlier than the goodbye's end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import time
from pathlib import Path
from typing import Any

from telephony.server.app import create_app
from tests.telephony.goodbye_helpers import (
    assert_greeted_then_hung_up_after_goodbye,
    goodbye_caller,
)
from tests.telephony.sip_helpers import need, sipp_scenario

SCENARIO = sipp_scenario("caller who says goodbye and waits for the agent to hang up", """\
  <nop><action><exec rtp_stream="caller_ulaw.wav,1,0"/></action></nop>
  <recv request="BYE" timeout="50000"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
""")


async def test_sip_caller_is_greeted_and_hung_up_on_after_the_goodbye(
        tmp_path: Path, hotline_config: Any, services: Any) -> None:
    sipp = need("sipp")
    pcm = goodbye_caller(tmp_path, 8000)
    need("sox")
    await asyncio.to_thread(subprocess.run, ["sox", str(pcm), "-e", "u-law", str(tmp_path / "caller_ulaw.wav")],
                            check=True, timeout=30)
    (tmp_path / "goodbye.xml").write_text(SCENARIO)
    sip = dataclasses.replace(hotline_config.sip, enabled=True, bind_port=0,
                              rtp_port_min=27400, rtp_port_max=27599)
    app = create_app(dataclasses.replace(hotline_config, sip=sip), services=services)
    since = time.time()
    async with app.router.lifespan_context(app):
        proc = await asyncio.create_subprocess_exec(
            sipp, "-sf", "goodbye.xml", f"127.0.0.1:{app.state.sip.port}", "-i", "127.0.0.1",
            "-p", "15093", "-mp", "27800", "-m", "1", "-timeout", "70", "-nostdin", cwd=str(tmp_path),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), 90)
        assert proc.returncode == 0, f"sipp got no BYE:\n{out.decode(errors='replace')[-2000:]}"
        for _ in range(100):  # BYE goes out as the call closes
            if not app.state.calls.active:
                break
            await asyncio.sleep(0.05)
    calls = [c for c in await services.store.recent_calls(20)
             if c["transport"] == "sip" and c["started_at"] >= since]
    assert len(calls) == 1
    turns = await assert_greeted_then_hung_up_after_goodbye(services, calls[0]["id"])
    print("\n".join(f"{t['speaker']}: {t['text']}" for t in turns))
