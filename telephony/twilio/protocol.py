"""Twilio Media Streams wire format: parse what Twilio sends, build what we send.

Pure and synchronous (no socket here). Field quirks worth knowing: sequenceNumber,
chunk and timestamp are JSON strings; `dtmf.track` is "inbound_track"; `connected`
has no streamSid. Reference: twilio.com/docs/voice/media-streams/websocket-messages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from telephony.twilio.errors import FrameError

MULAW_8K = ("audio/x-mulaw", 8000, 1)
DTMF_DIGITS = frozenset("0123456789*#")
MAX_MESSAGE_CHARS = 64 * 1024  # a 20 ms frame is ~300 characters


@dataclass(frozen=True)
class Connected:
    protocol: str


@dataclass(frozen=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str
    media_format: tuple[str, int, int]  # (encoding, sample rate, channels)
    custom_parameters: dict[str, str] = field(default_factory=dict)
    tracks: tuple[str, ...] = ("inbound",)


@dataclass(frozen=True)
class Media:
    payload: bytes  # mu-law
    timestamp_ms: int | None  # presentation time from stream start
    track: str = "inbound"


@dataclass(frozen=True)
class Dtmf:
    digit: str


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class Stop:
    call_sid: str


@dataclass(frozen=True)
class Unknown:
    event: str


Frame = Connected | Start | Media | Dtmf | Mark | Stop | Unknown


def parse(message: str | bytes) -> Frame:
    """One websocket message -> a typed frame. Raises FrameError for anything unusable."""
    if isinstance(message, bytes):
        raise FrameError("binary", f"binary message of {len(message)} bytes (expected JSON text)")
    if len(message) > MAX_MESSAGE_CHARS:
        raise FrameError("too_large", f"message of {len(message)} characters")
    try:
        data = json.loads(message)
    except (json.JSONDecodeError, RecursionError) as e:
        raise FrameError("bad_json", f"not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise FrameError("no_event", "not a JSON object with a string 'event'")
    event = data["event"]
    raw_body = data.get(event)
    if event != "connected" and not isinstance(raw_body, dict):
        raise FrameError("no_body", f"'{event}' frame without its '{event}' object")
    body: dict[str, Any] = raw_body if isinstance(raw_body, dict) else {}
    match event:
        case "connected":
            return Connected(protocol=_str(data.get("protocol")))
        case "start":
            return _start(body, data)
        case "media":
            return _media(body)
        case "dtmf":
            digit = _str(body.get("digit"))
            if digit not in DTMF_DIGITS or len(digit) != 1:
                raise FrameError("bad_dtmf", f"not a DTMF digit: {digit[:8]!r}")
            return Dtmf(digit=digit)
        case "mark":
            return Mark(name=_str(body.get("name")))
        case "stop":
            return Stop(call_sid=_str(body.get("callSid")))
    return Unknown(event=event[:40])


def _start(body: dict[str, Any], data: dict[str, Any]) -> Start:
    fmt = body.get("mediaFormat")
    if not isinstance(fmt, dict):
        raise FrameError("bad_start", "start without mediaFormat")
    params = body.get("customParameters") or {}
    if not isinstance(params, dict):
        raise FrameError("bad_start", "customParameters is not an object")
    stream_sid = _str(body.get("streamSid")) or _str(data.get("streamSid"))
    if not stream_sid:
        raise FrameError("bad_start", "start without streamSid")
    tracks = body.get("tracks")
    return Start(
        stream_sid=stream_sid, call_sid=_str(body.get("callSid")),
        account_sid=_str(body.get("accountSid")),
        media_format=(_str(fmt.get("encoding")), _int(fmt.get("sampleRate")), _int(fmt.get("channels"))),
        custom_parameters={str(k): str(v) for k, v in params.items()},
        tracks=tuple(str(t) for t in tracks) if isinstance(tracks, list) else ("inbound",),
    )


def _media(body: dict[str, Any]) -> Media:
    payload = body.get("payload")
    if not isinstance(payload, str):
        raise FrameError("bad_media", "media without a string payload")
    try:
        audio = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError("bad_base64", "media payload is not base64") from None
    stamp = body.get("timestamp")
    return Media(payload=audio, timestamp_ms=_int(stamp) if stamp is not None else None,
                 track=_str(body.get("track")) or "inbound")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        return int(value)
    return 0


# --- what we send ---
def media_message(stream_sid: str, ulaw: bytes) -> str:
    payload = base64.b64encode(ulaw).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})
