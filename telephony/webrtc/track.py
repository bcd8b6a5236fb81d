"""The caller's outbound audio track: pipecat's output writes into it, aiortc reads it.

pipecat's own `RawAudioTrack` lets its writer (the output transport's audio task) run only
one write (40 ms) ahead: the writer waits until that write's last 10 ms has been taken, then
must wake and write again within the next 10 ms. On a busy event loop it often cannot, so the
track plays silence in that slot, and every such slot delays all the audio behind it for
good: the bridged human agent is pushed on the wall clock (voice/processors/bridge.py), the
output transport's queue is unbounded, so the caller heard the agent and a barging supervisor
seconds late (measured: 2.3 s after 15 s of a loaded call, and growing).

`CushionedAudioTrack` keeps a small cushion instead: a write returns as soon as no more than
`cushion_s` of audio is queued ahead of its end, so a late writer has that long to come back
before the caller hears a gap. It sends 20 ms frames (half the per-frame work of 10 ms
ones) on an absolute clock that bursts to catch up after a short stall and restarts after a
long one (`STALL_RESTART_S`), like the staff's `MixerTrack`. Only `add_audio_bytes` is
pipecat's interface; "played" in pipecat's sense (a TTSStoppedFrame forwarded) now means
"at most `cushion_s` from playing".
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections import deque

import numpy as np
from aiortc.mediastreams import AudioStreamTrack
from av import AudioFrame

FRAME_S = 0.02
CUSHION_S = 0.12  # how long the writer may be late before the caller hears a gap
STALL_RESTART_S = 1.0  # further behind than this: restart the clock rather than burst


class CushionedAudioTrack(AudioStreamTrack):
    def __init__(self, sample_rate: int, cushion_s: float = CUSHION_S) -> None:
        super().__init__()
        self.sample_rate = sample_rate
        self._frame_bytes = int(sample_rate * FRAME_S) * 2
        self._cushion_bytes = int(sample_rate * cushion_s) * 2
        self._buffer = bytearray()
        self._taken = 0  # bytes taken from the buffer since the start
        self._added = 0  # bytes added since the start
        self._writes: deque[tuple[int, asyncio.Future[bool]]] = deque()  # (end offset, future)
        self._t0: float | None = None
        self._pts = 0
        self.silent_frames = 0  # frames sent as silence (nothing queued): gaps and idle time

    @property
    def queued_s(self) -> float:
        return len(self._buffer) / 2 / self.sample_rate

    def add_audio_bytes(self, audio_bytes: bytes) -> asyncio.Future[bool]:
        """Queue 16-bit mono PCM; the future resolves once at most the cushion is ahead of it."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._buffer += audio_bytes
        self._added += len(audio_bytes)
        self._writes.append((self._added, future))
        self._release()
        return future

    def _release(self) -> None:
        while self._writes and self._writes[0][0] - self._taken <= self._cushion_bytes:
            _, future = self._writes.popleft()
            if not future.done():
                future.set_result(True)

    async def recv(self) -> AudioFrame:
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        else:
            self._pts += self._frame_bytes // 2
            wait = self._t0 + self._pts / self.sample_rate - now
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -STALL_RESTART_S:
                self._t0, self._pts = now, 0
        chunk = bytes(self._buffer[:self._frame_bytes])
        del self._buffer[:self._frame_bytes]
        self._taken += len(chunk)
        self._release()
        if not chunk:
            self.silent_frames += 1
        chunk = chunk.ljust(self._frame_bytes, b"\0")
        frame = AudioFrame.from_ndarray(np.frombuffer(chunk, dtype=np.int16)[None, :], layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        return frame

    def stop(self) -> None:
        for _, future in self._writes:
            if not future.done():
                future.set_result(False)  # the writer must not hang on a closed track
        self._writes.clear()
        super().stop()
