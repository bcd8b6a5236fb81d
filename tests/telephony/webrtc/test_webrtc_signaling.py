"""WebRTC signaling against the real app, with aiortc as the caller (two real peers).

Covers what the browser test does not: ICE candidates limited to the configured
addresses, the caller vanishing without a hang-up request, the events websocket
after the call, bad offers, and a server shutdown in the middle of a call.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

pytestmark = pytest.mark.slow
CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ (\S+)", re.M)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.05)
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 15)


async def dial(http: aiohttp.ClientSession, host: str) -> tuple[RTCPeerConnection, dict[str, Any]]:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())  # silence: the agent greets and waits
    await pc.setLocalDescription(await pc.createOffer())
    async with http.post(f"http://{host}/api/webrtc/offer",
                         json={"sdp": pc.localDescription.sdp, "type": "offer"}) as res:
        assert res.status == 200, await res.text()
        answer = await res.json()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
    return pc, answer


async def next_message(ws: aiohttp.ClientWebSocketResponse, kind: str, timeout_s: float) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        async for raw in ws:
            message = json.loads(raw.data)
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]
    raise AssertionError(f"websocket closed before a {kind!r} message")


async def test_caller_vanishing_ends_the_call(services: Any, hotline_config: Any) -> None:
    app = create(hotline_config, services)
    async with running(app) as host, aiohttp.ClientSession() as http:
        pc, answer = await dial(http, host)
        candidates = CANDIDATE.findall(answer["sdp"])
        assert candidates and {addr for addr, _ in candidates} == {"127.0.0.1"}, candidates
        call_id = answer["call_id"]
        capability = {"x-call-capability": answer["call_capability"]}
        async with http.ws_connect(f"ws://{host}/ws/calls/{call_id}/events", headers=capability) as ws:
            greeting = await next_message(ws, "turn", 30)
            assert greeting["speaker"] == "agent" and greeting["text"]
            await pc.close()  # no hang-up request: the browser tab just went away
            ended = await next_message(ws, "call_ended", 15)
        assert ended["reason"] == "caller_hangup"
        assert call_id not in app.state.calls.active
        # the caller's capability ended with the call: no transcript after it (issue 15, 13)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"ws://{host}/ws/calls/{call_id}/events", headers=capability)
        assert refused.value.status == 403
        stored = await services.store.turns(call_id)
        assert stored[0]["text"] == greeting["text"]
        async with http.post(f"http://{host}/api/webrtc/offer", json={"sdp": "v=0", "type": "offer"}) as res:
            assert res.status == 400
        async with http.post(f"http://{host}/api/webrtc/offer", data=b"not json") as res:
            assert res.status == 400
        async with http.post(f"http://{host}/api/webrtc/{call_id}/hangup", headers=capability) as res:
            assert res.status == 401


async def test_shutdown_mid_call_closes_every_peer(services: Any, hotline_config: Any) -> None:
    app = create(hotline_config, services)
    before = asyncio.all_tasks()
    async with running(app) as host, aiohttp.ClientSession() as http:
        pc, answer = await dial(http, host)
        async with http.ws_connect(f"ws://{host}/ws/calls/{answer['call_id']}/events",
                                   headers={"x-call-capability": answer["call_capability"]}) as ws:
            await next_message(ws, "turn", 30)
        closed = asyncio.Event()
        pc.on("connectionstatechange", lambda: closed.set() if pc.connectionState == "closed" else None)
    # the server is down: the call was hung up and the server closed its side
    record = await services.store.call(answer["call_id"])
    assert record is not None and record["end_reason"] == "server_shutdown"
    await asyncio.wait_for(closed.wait(), 10)
    await pc.close()
    await asyncio.sleep(0.1)
    leaked = {t for t in asyncio.all_tasks() - before if t is not asyncio.current_task() and not t.done()}
    assert not leaked, f"tasks left running: {leaked}"


def create(cfg: Any, services: Any) -> Any:
    from telephony.server.app import create_app

    return create_app(cfg, services=services)
