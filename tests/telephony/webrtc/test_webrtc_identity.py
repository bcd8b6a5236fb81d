"""Who a WebRTC caller is (docs/webrtc.md, "Caller identity"), against the real app with
aiortc as the caller: a "Calling as" number is ignored by default, honoured only as a
*named* caller when [webrtc].accept_caller_id is on, and verified only by a signed
identity token. Each case asks the live call's own session what the agent discloses."""

from __future__ import annotations

import dataclasses
from typing import Any

import aiohttp
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

from telephony.auth.identity_token import issue
from tests.telephony.webrtc.test_webrtc_signaling import create, next_message, running

pytestmark = pytest.mark.slow
PRIYA = "+15550100002"  # order 10251, late (a storm), zip 78701
SECRET = "test-identity-secret"
SIGNED = "<signed when the test runs>"  # a token issued at collection would expire before its test


async def _offer(http: aiohttp.ClientSession, host: str, **extra: str) -> tuple[int, dict[str, Any], RTCPeerConnection]:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    body = {"sdp": pc.localDescription.sdp, "type": "offer", **extra}
    async with http.post(f"http://{host}/api/webrtc/offer", json=body) as res:
        answer = await res.json()
        if res.status == 200:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        return res.status, answer, pc


async def _discloses(app: Any, call_id: str, services: Any) -> str:
    """What the agent answers this call's caller to "where is my order?"."""
    live = app.state.calls.active[call_id]
    reply = await services.engine.respond(live.session, "where is my order?")
    return str(reply.text)


@pytest.mark.parametrize(("accept", "extra", "caller", "verified", "told"), [
    (False, {"caller_id": PRIYA}, None, False, False),  # default: the page's number ignored
    (True, {"caller_id": PRIYA}, PRIYA, False, False),  # honoured, but only names the account
    (False, {"identity_token": SIGNED}, PRIYA, True, True),  # signed: verified
])
async def test_a_web_callers_number_is_trusted_only_with_a_signed_token(
        services: Any, hotline_config: Any, accept: bool, extra: dict[str, str],
        caller: str | None, verified: bool, told: bool) -> None:
    webrtc = dataclasses.replace(hotline_config.webrtc, accept_caller_id=accept,
                                 identity_secret=SECRET)
    app = create(dataclasses.replace(hotline_config, webrtc=webrtc), services)
    extra = {k: issue(SECRET, PRIYA) if v == SIGNED else v for k, v in extra.items()}
    async with running(app) as host, aiohttp.ClientSession() as http:
        status, answer, pc = await _offer(http, host, **extra)
        assert status == 200, answer
        async with http.ws_connect(f"ws://{host}/ws/calls/{answer['call_id']}/events",
                                   headers={"x-call-capability": answer["call_capability"]}) as ws:
            await next_message(ws, "turn", 30)  # connected: the agent greeted
            live = app.state.calls.active[answer["call_id"]]
            assert live.caller_id == caller  # no number: no caller id (never the IP address)
            assert live.session.caller_verified is verified
            text = await _discloses(app, answer["call_id"], services)
            assert ("storm" in text) is told, text
            assert told or "zip code" in text or "order number" in text, text
            await pc.close()
            await next_message(ws, "call_ended", 15)


async def test_a_bad_or_expired_token_is_refused(services: Any, hotline_config: Any) -> None:
    webrtc = dataclasses.replace(hotline_config.webrtc, identity_secret=SECRET)
    app = create(dataclasses.replace(hotline_config, webrtc=webrtc), services)
    async with running(app) as host, aiohttp.ClientSession() as http:
        for token in (issue("another-secret", PRIYA), issue(SECRET, PRIYA, ttl_s=-1), "x.y.z"):
            status, answer, pc = await _offer(http, host, identity_token=token)
            await pc.close()
            assert status == 401 and "identity token" in answer["error"], answer
        assert not app.state.calls.active
