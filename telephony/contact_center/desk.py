"""The agent desktop: page, live feed, presence, answer, wrap-up, hang-up, callbacks.

GET  /agent                               the page (static/agent.html)
WS   /ws/desk                             live feed and presence heartbeat
                                          (telephony/contact_center/desk_feed.py)
POST /api/desk/presence                   {status: available|busy|away}
POST /api/desk/calls/{call_id}/answer     {sdp, type} -> {sdp, type, call_id, package}
POST /api/desk/calls/{call_id}/wrapup     {notes, disposition}
POST /api/desk/calls/{call_id}/hangup     ends the call
POST /api/desk/callbacks/{id}/done        the agent has called the caller back
Agents see only waiting calls and callbacks of their own queues (User.queues; admins: all).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from telephony.auth.audit import audit_supervisor_action
from telephony.auth.policy import call_agents
from telephony.auth.types import User
from telephony.contact_center.access import mine, queues_of
from telephony.contact_center.desk_feed import desk_feed
from telephony.contact_center.desk_peer import PartyPeer
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.registry import LiveCall
from telephony.core.config import HotlineConfig
from telephony.web.assets import STATIC

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def _error(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request: Request) -> dict[str, Any] | None:
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "agent.html")


async def presence(request: Request) -> Response:
    data = await json_body(request)
    user: User = request.state.user
    try:
        entry = request.app.state.handoff.set_presence(user.name, str((data or {}).get("status")))
    except ValueError as e:
        return _error(str(e), 400)
    return JSONResponse({"ok": True, **entry.as_dict()})


async def answer(request: Request) -> Response:
    handoff: HandoffService = request.app.state.handoff
    cfg: HotlineConfig = request.app.state.config
    user: User = request.state.user
    call_id = request.path_params["call_id"]
    data = await json_body(request)
    if data is None or not isinstance(data.get("sdp"), str) or data.get("type") != "offer":
        return _error("body must be JSON {sdp: string, type: 'offer'}", 400)
    waiting = {e.call_id: e for e in await handoff.queues.waiting(queues_of(user))}
    entry = waiting.get(call_id)
    if entry is None:
        return _error("no such call waiting in your queues", 404)

    async def make_peer(live: LiveCall) -> tuple[PartyPeer, Any]:
        assert live.bridge is not None
        peer = PartyPeer(call_id, "agent", user.name, live.bridge.mixer)
        try:
            return peer, await peer.answer(cfg.webrtc, data["sdp"], "offer")
        except BaseException:
            await peer.close()
            raise

    try:
        sdp = await handoff.answer(call_id, user.name, make_peer)
    except LookupError as e:
        return _error(str(e), 409)
    except ValueError as e:
        return _error(f"cannot answer this offer: {e}", 400)
    return JSONResponse({"sdp": sdp.sdp, "type": sdp.type, "call_id": call_id,
                         "package": entry.package})


async def wrapup(request: Request) -> Response:
    data = await json_body(request)
    if data is None or not isinstance(data.get("disposition"), str) or not data["disposition"]:
        return _error("body must be JSON {disposition: string, notes?: string}", 400)
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        return _error("notes must be a string", 400)
    call_id = request.path_params["call_id"]
    if await request.app.state.services.store.call(call_id) is None:
        return _error("no such call", 404)
    await request.app.state.handoff.wrap_up(call_id, request.state.user.name, notes[:4000],
                                            data["disposition"][:64])
    return JSONResponse({"ok": True})


async def hangup(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    if call_id not in request.app.state.calls.active:
        return _error("no such active call", 404)
    user: User = request.state.user
    call = await request.app.state.services.store.call(call_id)
    if call is not None and user.name.lower() in {a.lower() for a in call_agents(call)}:
        await request.app.state.calls.hang_up(call_id, "agent_hangup")
    else:  # a supervisor (or admin) ending a call of their queues, whatever its transport
        await audit_supervisor_action(request, "hangup", call_id)
        await request.app.state.calls.hang_up(call_id, "supervisor_hangup")
    return JSONResponse({"ok": True})


async def callback_done(request: Request) -> Response:
    handoff: HandoffService = request.app.state.handoff
    user: User = request.state.user
    try:
        callback_id = int(request.path_params["callback_id"])
    except ValueError:
        return _error("no such callback", 404)
    callback = await handoff.callbacks.get(callback_id)
    if callback is None or not mine(user, callback.queue):
        return _error("no such callback in your queues", 404)
    if not await handoff.callbacks.done(callback_id, user.name):
        return _error("this callback was already done", 409)
    handoff.publish({"type": "callback_done", "id": callback_id, "by": user.name})
    return JSONResponse({"ok": True, "id": callback_id})


def routes() -> list[BaseRoute]:
    return [
        Route("/agent", page),
        WebSocketRoute("/ws/desk", desk_feed),
        Route("/api/desk/presence", presence, methods=["POST"]),
        Route("/api/desk/calls/{call_id}/answer", answer, methods=["POST"]),
        Route("/api/desk/calls/{call_id}/wrapup", wrapup, methods=["POST"]),
        Route("/api/desk/calls/{call_id}/hangup", hangup, methods=["POST"]),
        Route("/api/desk/callbacks/{callback_id}/done", callback_done, methods=["POST"]),
    ]
