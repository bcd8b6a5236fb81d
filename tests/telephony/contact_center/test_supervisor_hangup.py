"""A supervisor hangs up a live SIP call of their queue (issue 15, finding 11): sipp calls
the real server on 127.0.0.1; the supervisor's desk hang-up ends it as supervisor_hangup,
audited as supervisor.hangup (the WebRTC hang-up route only knows browser calls)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from telephony.auth.types import Role
from tests.telephony.sip_helpers import free_udp_port, need
from tests.telephony.webrtc.test_webrtc_signaling import create, running

pytestmark = pytest.mark.slow


async def test_supervisor_hangs_up_a_live_sip_call(services: Any, hotline_config: Any, tmp_path: Path) -> None:
    sipp = need("sipp")
    app = create(hotline_config, services)
    async with running(app) as host:
        await app.state.auth.users.add_user("sup-hang", Role.SUPERVISOR, "a long enough password", ("*",))
        token = await app.state.auth.users.mint_token("sup-hang")
        before = set(app.state.calls.active)
        caller = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
            [sipp, "-sn", "uac", f"127.0.0.1:{app.state.sip.port}", "-i", "127.0.0.1",
             "-p", str(free_udp_port()), "-m", "1", "-d", "60000", "-nostdin", "-timeout", "90"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not set(app.state.calls.active) - before:  # noqa: ASYNC110
                assert time.monotonic() < deadline, "the SIP call never came up"
                await asyncio.sleep(0.2)
            (call_id,) = set(app.state.calls.active) - before
            async with aiohttp.ClientSession(headers={"authorization": f"Bearer {token}"}) as http, \
                    http.post(f"http://{host}/api/desk/calls/{call_id}/hangup") as res:
                assert res.status == 200, await res.text()
            assert call_id not in app.state.calls.active
            record = await services.store.call(call_id)
            assert record is not None and record["transport"] == "sip"
            assert record["end_reason"] == "supervisor_hangup"
            entries = await app.state.auth.audit.entries(target=call_id, actor="sup-hang", limit=10)
            assert "supervisor.hangup" in {e.action for e in entries}
        finally:
            caller.kill()
            caller.wait(10)
