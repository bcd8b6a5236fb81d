"""The web chat's routes: the websocket and the widget script (both public; the socket
checks the page's origin itself, telephony/text/webchat/socket.py)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from telephony.text.webchat.socket import webchat_socket

WIDGET = Path(__file__).with_name("static") / "webchat.js"


async def widget(request: Request) -> Response:
    """The widget, for `<script src=".../webchat.js">` on any site (cached for an hour)."""
    return FileResponse(WIDGET, media_type="text/javascript",
                        headers={"cache-control": "public, max-age=3600",
                                 "cross-origin-resource-policy": "cross-origin"})


def routes() -> list[BaseRoute]:
    return [Route("/webchat.js", widget), WebSocketRoute("/ws/webchat", webchat_socket)]
