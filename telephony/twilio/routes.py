"""Routes the Twilio adapter adds to the app (paths from TwilioConfig)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from telephony.twilio.config import TwilioConfig
from telephony.twilio.stream import media_socket
from telephony.twilio.webhooks import status, voice


def routes(config: TwilioConfig | None = None) -> list[BaseRoute]:
    cfg = config or TwilioConfig()
    return [
        Route(cfg.voice_path, voice, methods=["POST"]),
        Route(cfg.status_path, status, methods=["POST"]),
        WebSocketRoute(cfg.media_path, media_socket),
    ]
