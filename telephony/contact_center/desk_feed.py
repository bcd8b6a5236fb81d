"""The agent desktop's live feed (WS /ws/desk): pushed changes and the presence heartbeat.

On connect: {"type": "snapshot", "me", "presence": {agent, status, since}, "waiting": [...],
"callbacks": [...], "heartbeat_s", "now"}; the desktop counts as open (an offline agent
becomes available). Then, from the registry's floor feed, only what this agent may see:
`queued` (a call of my queues, with its handoff package), `dequeued`, `answered`, `ended`,
`presence` (mine), `callback` (a callback booked in my queues), `callback_done`; after a
`resync` (it fell behind) a fresh snapshot. The desktop sends {"type": "heartbeat"} every
`heartbeat_s`; when heartbeats stop for `consoles.presence_timeout_s` the agent goes offline
(telephony/contact_center/presence.py), also when the socket just closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from telephony.auth.types import User
from telephony.contact_center.access import mine, queues_of
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.feed import Message

log = logging.getLogger(__name__)
FORWARD = {"queued", "dequeued", "answered", "ended", "presence", "callback", "callback_done"}


async def snapshot(handoff: HandoffService, user: User) -> dict[str, Any]:
    visible = queues_of(user)
    return {"type": "snapshot", "me": user.name, "now": time.time(),
            "presence": handoff.presence.of(user.name).as_dict(),
            "heartbeat_s": handoff.consoles.presence_heartbeat_s,
            "waiting": [e.as_dict() for e in await handoff.queues.waiting(visible)],
            "callbacks": [c.as_dict() for c in await handoff.callbacks.open(visible)]}


def wanted(message: Message, user: User) -> bool:
    kind = message.get("type")
    if kind not in FORWARD:
        return False
    if kind == "queued":
        return mine(user, message["entry"]["queue"])
    if kind == "callback":
        return mine(user, message["callback"]["queue"])
    if kind == "presence":
        return bool(message.get("agent") == user.name)
    return True


async def desk_feed(ws: WebSocket) -> None:
    handoff: HandoffService = ws.app.state.handoff
    user: User = ws.state.user
    await ws.accept()
    floor = handoff.subscribe()
    handoff.presence.desk_opened(user.name)
    reader = asyncio.create_task(_heartbeats(ws, handoff, user.name), name="desk-heartbeats")
    try:
        await ws.send_json(await snapshot(handoff, user))
        while True:
            getter = asyncio.create_task(floor.get(), name="desk-floor")
            await asyncio.wait([getter, reader], return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                return
            message = getter.result()
            if message.get("type") == "resync":
                await ws.send_json(await snapshot(handoff, user))
            elif wanted(message, user):
                await ws.send_json(message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:
        log.exception("desk feed for %s failed; the page will reconnect", user.name)
    finally:
        handoff.unsubscribe(floor)
        handoff.presence.desk_closed(user.name)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


async def _heartbeats(ws: WebSocket, handoff: HandoffService, agent: str) -> None:
    """Read the desktop's messages until it leaves: each one is a sign of life."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        handoff.presence.heartbeat(agent)
