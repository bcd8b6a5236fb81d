"""A WebRTC offer that never connects: the call must end, with a reason, on its own
(connect timeout), by hang-up, and at shutdown, and none of them may hang (issue 15,
finding 1). The caller is a real aiortc peer that sends its offer and then never
applies the answer, as a browser whose ICE fails does."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from tests.telephony.webrtc.test_webrtc_signaling import create, running

pytestmark = pytest.mark.slow


async def offer_only(http: aiohttp.ClientSession, host: str) -> tuple[RTCPeerConnection, dict[str, Any]]:
    """Send an offer and drop the answer: the server's side never connects."""
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    async with http.post(f"http://{host}/api/webrtc/offer",
                         json={"sdp": pc.localDescription.sdp, "type": "offer"}) as res:
        assert res.status == 200, await res.text()
        answer: dict[str, Any] = await res.json()
    return pc, answer


async def test_unconnected_offer_ends_at_the_connect_timeout(services: Any, hotline_config: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from telephony.webrtc import peer

    monkeypatch.setattr(peer, "CONNECT_TIMEOUT_S", 2)
    app = create(hotline_config, services)
    async with running(app) as host, aiohttp.ClientSession() as http:
        pc, answer = await offer_only(http, host)
        try:
            call_id = answer["call_id"]
            deadline = time.monotonic() + 15
            while call_id in app.state.calls.active and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            assert call_id not in app.state.calls.active, "the unconnected call is still active"
            record = await services.store.call(call_id)
            assert record is not None and record["end_reason"] == "connect_timeout", record
        finally:
            await pc.close()


async def test_hangup_and_shutdown_of_unconnected_offers_do_not_hang(services: Any,
                                                                     hotline_config: Any) -> None:
    app = create(hotline_config, services)
    pcs: list[RTCPeerConnection] = []
    started = time.monotonic()
    try:
        async with running(app) as host, aiohttp.ClientSession() as http:
            first = await offer_only(http, host)
            rest = [await offer_only(http, host) for _ in range(3)]
            pcs = [first[0], *(pc for pc, _ in rest)]
            await asyncio.sleep(1.0)
            async with asyncio.timeout(5):
                async with http.post(f"http://{host}/api/webrtc/{first[1]['call_id']}/hangup",
                                     headers={"x-call-capability": first[1].get("call_capability", "")}) as res:
                    assert res.status == 200
            record = await services.store.call(first[1]["call_id"])
            assert record is not None and record["end_reason"] == "caller_hangup"
            started = time.monotonic()
        assert time.monotonic() - started < 5, "shutdown waited on unconnected calls"
        for _, answer in rest:
            record = await services.store.call(answer["call_id"])
            assert record is not None and record["end_reason"] == "server_shutdown", record
        assert not app.state.calls.active
    finally:
        for pc in pcs:
            await pc.close()
