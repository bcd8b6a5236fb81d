"""Websocket helpers shared by the softphone's event feed and the staff consoles."""

from __future__ import annotations

from starlette.websockets import WebSocket


async def client_gone(ws: WebSocket) -> None:
    """Return when the client leaves (it sends nothing we need; read only to notice that)."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass
