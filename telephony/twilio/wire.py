"""The socket edge: send Media Streams messages, turn inbound mu-law into PCM frames."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import numpy as np
from starlette.websockets import WebSocket

from telephony.twilio import mulaw, protocol
from telephony.twilio.protocol import Media

log = logging.getLogger(__name__)
RATE_HZ = 8000
MAX_GAP_MS = 1000  # lost inbound audio longer than this is not filled in


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
