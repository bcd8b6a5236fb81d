"""`WS /ws/calls/{call_id}/events`: a call's transcript so far, then live, then its end.

Messages (JSON text frames):
  {"type": "turn", "speaker": "caller"|"agent", "text", "started_at", "ended_at", "latency", "meta"}
  {"type": "event", "kind": ..., ...}        e.g. agent_speaking, barge_in, media_connected
  {"type": "call_ended", "reason": ...}      last message; the server then closes the socket
The subscription is taken before the stored turns are read, so nothing falls between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import Services
from telephony.web.sockets import client_gone

log = logging.getLogger(__name__)
TURN_KEYS = ("speaker", "text", "started_at", "ended_at", "latency", "meta")


def _turn(row: dict[str, Any]) -> dict[str, Any]:
    return {"type": "turn", **{k: row.get(k) for k in TURN_KEYS}}


def _key(turn: dict[str, Any]) -> tuple[Any, ...]:
    return turn.get("speaker"), turn.get("text"), round(float(turn.get("started_at") or 0), 3)


async def call_events(ws: WebSocket) -> None:
    calls: CallRegistry = ws.app.state.calls
    services: Services = ws.app.state.services
    call_id = ws.path_params["call_id"]
    await ws.accept()
    queue = calls.subscribe(call_id)
    try:
        backlog = [_turn(t) for t in await services.store.turns(call_id)]
        for turn in backlog:
            await ws.send_json(turn)
        if queue is None:  # not live (ended, or unknown): say how it ended and stop
            record = await services.store.call(call_id)
            reason = record["end_reason"] if record else "no_such_call"
            await ws.send_json({"type": "call_ended", "reason": reason or "ended"})
            await ws.close()
            return
        await _forward(ws, queue, {_key(t) for t in backlog})
    except WebSocketDisconnect:
        log.debug("call %s: event subscriber left", call_id)
    finally:
        if queue is not None:
            calls.unsubscribe(call_id, queue)


async def _forward(ws: WebSocket, queue: asyncio.Queue[dict[str, Any]],
                   seen: set[tuple[Any, ...]]) -> None:
    """Copy live messages until the call ends or the client goes away."""
    watcher = asyncio.create_task(client_gone(ws), name="ws-events-watch")
    try:
        while True:
            getter = asyncio.create_task(queue.get(), name="ws-events-get")
            await asyncio.wait([getter, watcher], return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                await _cancel(getter)
                return
            message = getter.result()
            if message.get("type") == "turn":
                message = _turn(message)
                if _key(message) in seen:
                    continue
            await ws.send_json(message)
            if message.get("type") == "call_ended":
                await ws.close()
                return
    finally:
        await _cancel(watcher)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
