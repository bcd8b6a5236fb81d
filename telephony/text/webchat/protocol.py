"""The web chat's wire: what the widget sends, what it is sent, and who may embed it.

Widget -> server (JSON text frames):
  {"type": "hello", "visitor": id, "conversation": capability|null, "identity_token"?: str}
  {"type": "message", "id": client message id, "text": str}
  {"type": "csat", "score": 1..5}          after `ended` with "csat": true
  {"type": "leave"}                        the customer ends the chat
Server -> widget:
  {"type": "ready", "conversation"?: capability (a new chat only), "resumed": bool,
   "history": [turn...], "identified": bool}
  {"type": "turn", "speaker": "caller"|"agent"|"human", "text", "at", "id"?: client id}
  {"type": "ack", "id"}  {"type": "typing", "on": bool}
  {"type": "ended", "reason", "csat": bool}  {"type": "rated", "score"}
  {"type": "error", "error": str}
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 2000  # characters in one customer message
MAX_ID = 64
VISITOR = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SPEAKERS = ("caller", "agent", "human")


class BadMessage(ValueError):
    """A frame the widget should never send."""


def origin_allowed(origin: str | None, allowed: tuple[str, ...], own: str) -> bool:
    """Only pages of the listed origins (and Hotline's own) may chat: the Origin header a
    browser sends with the websocket handshake, exactly (scheme, host and port)."""
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    return origin == own.lower() or origin in {a.rstrip("/").lower() for a in allowed}


def text_of(message: dict[str, Any]) -> tuple[str, str]:
    """(client id, text) of a `message` frame."""
    client_id, text = message.get("id"), message.get("text")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise BadMessage("a message needs an id (letters, digits, - and _; at most 64)")
    if not isinstance(text, str) or not text.strip():
        raise BadMessage("a message needs some text")
    if len(text) > MAX_TEXT:
        raise BadMessage(f"a message is at most {MAX_TEXT} characters")
    return client_id, text.strip()


def turn_out(turn: dict[str, Any]) -> dict[str, Any] | None:
    """A stored or live turn as the widget shows it (None: not for the customer's eyes)."""
    speaker = turn.get("speaker")
    if speaker not in SPEAKERS or not turn.get("text"):
        return None
    out: dict[str, Any] = {"type": "turn", "speaker": speaker, "text": turn["text"],
                           "at": turn.get("started_at")}
    client_id = (turn.get("meta") or {}).get("client_id")
    if speaker == "caller" and isinstance(client_id, str):
        out["id"] = client_id
    return out
