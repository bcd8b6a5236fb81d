"""The socket edge: read and send Media Streams messages, turn inbound mu-law into PCM."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import numpy as np
from starlette.websockets import WebSocket

from telephony.twilio import mulaw, protocol
from telephony.twilio.errors import FrameError
from telephony.twilio.protocol import Media

log = logging.getLogger(__name__)
RATE_HZ = 8000
POLICY_VIOLATION = 1008  # websocket close code
MAX_GAP_MS = 1000  # lost inbound audio longer than this is not filled in


class MediaReader:
    """Inbound messages as typed frames; malformed ones are skipped and counted, and too
    many of them end the stream with a policy-violation close code."""

    def __init__(self, ws: WebSocket, max_bad_frames: int) -> None:
        self._ws = ws
        self._max_bad = max_bad_frames
        self.bad: Counter[str] = Counter()
        self.close_code = 1000
        self.call_id = "-"

    async def next(self) -> protocol.Frame | None:
        """The next well-formed frame; None when the socket is gone (or must be closed)."""
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                return None
            try:
                return protocol.parse(message.get("text") or message.get("bytes") or b"")
            except FrameError as e:
                self.bad[e.code] += 1
                if sum(self.bad.values()) == 1 or self.bad[e.code] == 1:
                    log.warning("call %s: skipped a bad Twilio frame (%s)", self.call_id, e)
                if sum(self.bad.values()) > self._max_bad:
                    log.warning("call %s: too many bad frames, closing", self.call_id)
                    self.close_code = POLICY_VIOLATION
                    return None


class WebSocketSender:
    """Serialized writes (the pacer and barge-in both send); silent once closed."""

    def __init__(self, ws: WebSocket, stream_sid: str, call_id: str) -> None:
        self._ws = ws
        self._sid = stream_sid
        self._call_id = call_id
        self._lock = asyncio.Lock()
        self.open = True
        self.sent: Counter[str] = Counter()

    async def _send(self, kind: str, text: str) -> None:
        if not self.open:
            return
        async with self._lock:
            try:
                await self._ws.send_text(text)
            except Exception as e:  # closed under us: the receive side ends the call
                self.open = False
                log.info("call %s: send failed, socket gone (%s)", self._call_id, type(e).__name__)
                return
        self.sent[kind] += 1

    async def media(self, ulaw: bytes) -> None:
        await self._send("media", protocol.media_message(self._sid, ulaw))

    async def mark(self, name: str) -> None:
        await self._send("mark", protocol.mark_message(self._sid, name))

    async def clear(self) -> None:
        await self._send("clear", protocol.clear_message(self._sid))


class InboundAudio:
    """Decode caller audio; fill timestamp gaps (frames Twilio never got) with silence,
    so the voice loop's notion of elapsed time stays true under packet loss."""

    def __init__(self) -> None:
        self._next_ms: int | None = None
        self.frames = 0
        self.filled_ms = 0

    def pcm(self, media: Media) -> bytes:
        audio = mulaw.decode(media.payload)
        gap_ms = 0
        stamp = media.timestamp_ms
        if stamp is not None:
            if self._next_ms is not None and stamp > self._next_ms:
                gap_ms = min(stamp - self._next_ms, MAX_GAP_MS)
            self._next_ms = max(self._next_ms or 0, stamp + len(media.payload) * 1000 // RATE_HZ)
        self.frames += 1
        if gap_ms:
            self.filled_ms += gap_ms
            audio = np.concatenate([np.zeros(gap_ms * RATE_HZ // 1000, dtype=np.int16), audio])
        return audio.astype("<i2").tobytes()
