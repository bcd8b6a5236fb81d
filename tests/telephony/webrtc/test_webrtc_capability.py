"""The browser caller's credential is a separate capability, not the call id (issue 15,
finding 13): the id alone neither hangs up nor reads the transcript (live or after), the
capability of one call opens no other, it expires when the call ends, and it is never
written to any log, uvicorn's access log included. A real server on 127.0.0.1 and a real
aiortc offer."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest

from tests.telephony.webrtc.test_webrtc_lifecycle import offer_only
from tests.telephony.webrtc.test_webrtc_signaling import create, running

pytestmark = pytest.mark.slow


async def _ws_status(http: aiohttp.ClientSession, url: str, **headers: str) -> int:
    try:
        async with http.ws_connect(url, headers=headers):
            return 101  # accepted (nothing is said before the caller's media connects)
    except aiohttp.WSServerHandshakeError as e:
        return e.status


async def test_the_call_id_alone_is_no_credential(services: Any, hotline_config: Any,
                                                  caplog: pytest.LogCaptureFixture,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    app = create(hotline_config, services)
    async with running(app) as host, aiohttp.ClientSession() as http:
        for name in ("uvicorn.error", "uvicorn.access"):  # they do not reach the root
            logging.getLogger(name).setLevel(logging.DEBUG)
            logging.getLogger(name).addHandler(caplog.handler)
        pc, answer = await offer_only(http, host)
        other_pc, other = await offer_only(http, host)
        try:
            call_id, capability = answer["call_id"], answer["call_capability"]
            assert len(capability) >= 40 and call_id not in capability
            events = f"ws://{host}/ws/calls/{call_id}/events"
            assert await _ws_status(http, events) == 403
            assert await _ws_status(http, events, **{"x-call-capability": other["call_capability"]}) == 403
            assert await _ws_status(http, events, **{"x-call-capability": capability}) == 101
            assert await _ws_status(http, events, cookie=f"hotline_call_{call_id}={capability}") == 101
            hangup = f"http://{host}/api/webrtc/{call_id}/hangup"
            async with http.post(hangup) as res:
                assert res.status == 401
            assert call_id in app.state.calls.active
            async with http.post(hangup, headers={"x-call-capability": capability}) as res:
                assert res.status == 200
            # the call is over: its capability with it, and nobody anonymous reads the transcript
            assert await _ws_status(http, events, **{"x-call-capability": capability}) == 403
            async with http.post(hangup, headers={"x-call-capability": capability}) as res:
                assert res.status == 401
        finally:
            await pc.close()
            await other_pc.close()
            for name in ("uvicorn.error", "uvicorn.access"):
                logging.getLogger(name).removeHandler(caplog.handler)
    logged = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(capfd.readouterr())
    assert f"/api/webrtc/{call_id}/hangup" in logged, "the access log was not captured"
    assert f"/ws/calls/{call_id}/events" in logged, "the websocket lines were not captured"
    for secret in (capability, other["call_capability"]):
        assert secret not in logged
