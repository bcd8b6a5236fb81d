"""Supervision: the wallboard, and listen / whisper / barge on a live call.

GET  /supervisor                             the page (static/supervisor.html)
WS   /ws/wallboard                           a snapshot, then patches as the floor changes
                                             (telephony/contact_center/board.py)
POST /api/supervise/{call_id}/join           {sdp, type, mode: listen|whisper|barge}
                                             -> {sdp, type}: the supervisor's audio peer
POST /api/supervise/{call_id}/mode           {mode}: switch between listen, whisper, barge
POST /api/supervise/{call_id}/guidance       {text}: typed whisper for an AI-handled call or chat,
                                             appended to Session.guidance for the next turn
POST /api/supervise/{call_id}/leave          drops the supervisor's peer
Whisper is routed by the call's mixer to the agent only (voice/mixer.py): never to
the caller's pipeline, so never to the caller or the recording. Every action is
audited as supervisor.<action> (telephony.auth.audit.audit_supervisor_action).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from telephony.auth.audit import audit_supervisor_action
from telephony.contact_center.board import Board
from telephony.contact_center.desk import STATIC, json_body
from telephony.contact_center.desk_peer import PartyPeer
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.web.sockets import client_gone
from voice.mixer import SuperviseMode

log = logging.getLogger(__name__)
FIGURES_PERIOD_S = 15.0  # the figures' window slides: refresh them this often
MODES = {m.value: m for m in SuperviseMode if m is not SuperviseMode.OFF}
MAX_GUIDANCE = 500


def _error(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _conversation(request: Request) -> Conversation | None:
    calls: CallRegistry = request.app.state.calls
    return calls.active.get(request.path_params["call_id"])


def _live(request: Request) -> LiveCall | None:
    """The call to listen to: a voice call with its bridge (a text conversation has none)."""
    live = _conversation(request)
    return live if isinstance(live, LiveCall) and live.bridge is not None else None


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "supervisor.html")


async def wallboard(ws: WebSocket) -> None:
    handoff: HandoffService = ws.app.state.handoff
    await ws.accept()
    board = Board(ws.app.state.calls, handoff, ws.state.user)
    floor = handoff.subscribe()
    watcher = asyncio.create_task(client_gone(ws), name="wallboard-watch")
    getter: asyncio.Task[dict[str, object]] | None = None
    try:
        await ws.send_json(await board.snapshot())
        while not watcher.done():
            getter = getter or asyncio.create_task(floor.get(), name="wallboard-floor")
            await asyncio.wait([getter, watcher], timeout=FIGURES_PERIOD_S,
                               return_when=asyncio.FIRST_COMPLETED)
            if watcher.done():
                break
            if getter.done():
                patches = await board.apply(getter.result())
                getter = None
            else:
                patches = await board.tick()
            for patch in patches:
                await ws.send_json(patch)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:
        log.exception("wallboard feed failed; the page will reconnect")
    finally:
        handoff.unsubscribe(floor)
        for task in (watcher, getter):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def join(request: Request) -> Response:
    live = _live(request)
    data = await json_body(request)
    if data is None or not isinstance(data.get("sdp"), str) or data.get("type") != "offer":
        return _error("body must be JSON {sdp: string, type: 'offer', mode}", 400)
    mode = MODES.get(str(data.get("mode", "listen")))
    if mode is None:
        return _error(f"mode must be one of {', '.join(MODES)}", 400)
    if live is None or live.bridge is None:
        return _error("no such active call", 404)
    handoff: HandoffService = request.app.state.handoff
    user = request.state.user
    await handoff.drop_party(live.call_id, "supervisor")  # a second join replaces the first
    peer = PartyPeer(live.call_id, "supervisor", user.name, live.bridge.mixer)
    try:
        answer = await peer.answer(request.app.state.config.webrtc, data["sdp"], "offer")
    except Exception as e:
        await peer.close()
        return _error(f"cannot answer this offer: {e}", 400)
    await handoff.add_party(live.call_id, peer)
    live.bridge.mixer.set_mode(mode)
    await audit_supervisor_action(request, mode.value, live.call_id, via_join=True)
    await live.ctx.event("supervisor_joined", supervisor=user.name, mode=mode.value)
    handoff.publish({"type": "supervision", "call_id": live.call_id, "mode": mode.value})
    return JSONResponse({"sdp": answer.sdp, "type": answer.type, "mode": mode.value})


async def change_mode(request: Request) -> Response:
    live = _live(request)
    data = await json_body(request) or {}
    mode = MODES.get(str(data.get("mode")))
    if mode is None:
        return _error(f"mode must be one of {', '.join(MODES)}", 400)
    if live is None or live.bridge is None:
        return _error("no such active call", 404)
    if "supervisor" not in request.app.state.handoff.parties.get(live.call_id, {}):
        return _error("join the call first", 409)
    live.bridge.mixer.set_mode(mode)
    await audit_supervisor_action(request, mode.value, live.call_id)
    await live.ctx.event("supervisor_mode", supervisor=request.state.user.name, mode=mode.value)
    request.app.state.handoff.publish({"type": "supervision", "call_id": live.call_id, "mode": mode.value})
    return JSONResponse({"ok": True, "mode": mode.value})


async def guidance(request: Request) -> Response:
    live = _conversation(request)  # guidance for the AI: calls and text conversations alike
    data = await json_body(request) or {}
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error("body must be JSON {text: string}", 400)
    if live is None:
        return _error("no such active call", 404)
    text = text.strip()[:MAX_GUIDANCE]
    live.session.guidance.append(text)
    await audit_supervisor_action(request, "whisper", live.call_id, text=text, channel="text")
    await live.event("supervisor_guidance", supervisor=request.state.user.name, text=text)
    return JSONResponse({"ok": True, "guidance": list(live.session.guidance)})


async def leave(request: Request) -> Response:
    live = _live(request)
    if live is None or live.bridge is None:
        return _error("no such active call", 404)
    dropped = await request.app.state.handoff.drop_party(live.call_id, "supervisor")
    live.bridge.mixer.set_mode(SuperviseMode.OFF)
    await audit_supervisor_action(request, "leave", live.call_id)
    return JSONResponse({"ok": True, "was_joined": dropped})


def routes() -> list[BaseRoute]:
    return [
        Route("/supervisor", page),
        WebSocketRoute("/ws/wallboard", wallboard),
        Route("/api/supervise/{call_id}/join", join, methods=["POST"]),
        Route("/api/supervise/{call_id}/mode", change_mode, methods=["POST"]),
        Route("/api/supervise/{call_id}/guidance", guidance, methods=["POST"]),
        Route("/api/supervise/{call_id}/leave", leave, methods=["POST"]),
    ]
