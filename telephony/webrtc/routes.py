"""HTTP and websocket routes of the WebRTC softphone.

GET  /api/webrtc/config            {ice_servers} for the browser's RTCPeerConnection
POST /api/webrtc/offer            {sdp, type, caller_id?, identity_token?, browser_id?} -> {sdp, type,
                                  pc_id, call_id, call_capability}; the capability, the caller's
                                  credential for the two routes below, is also set as an HttpOnly
                                  cookie (telephony/web/capability.py); it is never logged
                                  browser_id: the page's anonymous id (localStorage), kept as
                                  the call's `meta.browser_id`: one web caller per browser for QA
                                  and the KPIs; the caller's IP address is never their identity
POST /api/webrtc/{call_id}/hangup -> {ok}          the caller (capability) or a supervisor
WS   /ws/calls/{call_id}/events   live transcript and call end (see events.py); the caller
                                  (capability, until the call ends) or staff
GET  /static/...                  the softphone's script and style (the page itself is "/")
"""

from __future__ import annotations

import json
import logging
import re

from aiortc.exceptions import InvalidAccessError, InvalidStateError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from telephony.auth import identity_token
from telephony.contact_center.handoff_meta import update_call_meta
from telephony.conversations.registry import CallRegistry
from telephony.core.config import HotlineConfig
from telephony.web.assets import STATIC
from telephony.web.capability import MAX_AGE_S, CallCapabilities, cookie_name
from telephony.webrtc.events import call_events
from telephony.webrtc.peer import start_call

log = logging.getLogger(__name__)
MAX_OFFER_BYTES = 64 * 1024
BROWSER_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _error(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def client_config(request: Request) -> Response:
    cfg: HotlineConfig = request.app.state.config
    return JSONResponse({"ice_servers": [{"urls": url} for url in cfg.webrtc.stun_urls]})


async def offer(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_OFFER_BYTES:
        return _error("offer too large", 413)
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return _error("body must be JSON {sdp, type}", 400)
    if not isinstance(data, dict) or not isinstance(data.get("sdp"), str) or data.get("type") != "offer":
        return _error("body must be JSON {sdp: string, type: 'offer'}", 400)
    cfg: HotlineConfig = request.app.state.config
    caller_id = data.get("caller_id") or None
    if caller_id is not None and not isinstance(caller_id, str):
        return _error("caller_id must be a string", 400)
    if caller_id is not None and not cfg.webrtc.accept_caller_id:
        caller_id = None  # a browser cannot prove a phone number: ignored unless configured
    browser_id = data.get("browser_id")
    if browser_id is not None and not (isinstance(browser_id, str) and BROWSER_ID.match(browser_id)):
        return _error("browser_id must be 8 to 64 letters, digits or dashes", 400)
    token = data.get("identity_token") or None
    verified = False
    if token is not None:  # a signed identity: the caller id it vouches for, verified
        try:
            caller_id = identity_token.verify(cfg.webrtc.identity_secret, str(token))
        except identity_token.IdentityTokenError as e:
            log.warning("rejected WebRTC offer: identity token %s", e)
            return _error(f"identity token not accepted: {e}", 401)
        verified = True
    calls: CallRegistry = request.app.state.calls
    try:
        answer = await start_call(calls, cfg.webrtc, data["sdp"], "offer", caller_id,
                                  caller_verified=verified)
    except (ValueError, InvalidAccessError, InvalidStateError) as e:  # aiortc on a bad SDP
        log.warning("rejected WebRTC offer: %s", e)
        return _error(f"cannot answer this offer: {e}", 400)
    if browser_id:
        await update_call_meta(calls.services.store, answer.call_id, {"browser_id": browser_id})
    capabilities: CallCapabilities = request.app.state.call_capabilities
    capability = capabilities.issue(answer.call_id)
    if answer.call_id not in calls.active:  # ended already (e.g. while the meta was stored)
        capabilities.revoke(answer.call_id)
    response = JSONResponse({"sdp": answer.sdp, "type": answer.type, "pc_id": answer.pc_id,
                             "call_id": answer.call_id, "call_capability": capability})
    response.set_cookie(cookie_name(answer.call_id), capability, max_age=MAX_AGE_S, path="/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


async def hangup(request: Request) -> Response:
    calls: CallRegistry = request.app.state.calls
    call_id = request.path_params["call_id"]
    live = calls.active.get(call_id)
    if live is None or live.transport != "webrtc":
        return _error("no such active WebRTC call", 404)
    await calls.hang_up(call_id, "caller_hangup")
    return JSONResponse({"ok": True, "call_id": call_id})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/webrtc/config", client_config),
        Route("/api/webrtc/offer", offer, methods=["POST"]),
        Route("/api/webrtc/{call_id}/hangup", hangup, methods=["POST"]),
        WebSocketRoute("/ws/calls/{call_id}/events", call_events),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
