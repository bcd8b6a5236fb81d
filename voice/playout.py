"""A virtual loudspeaker: the end of a pipeline that plays agent audio in real time.

Used where no network transport exists (file calls, benchmarks): it keeps the
timeline a caller's phone would, announces BotStarted/StoppedSpeaking upstream
(so barge-in works), clears on interruption, and keeps what was played.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InterruptionFrame,
    TTSAudioRawFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.media.audio import resample


class VirtualSpeaker(FrameProcessor):
    def __init__(self, out_rate_hz: int = 16000) -> None:
        super().__init__(name="speaker")
        self.out_rate_hz = out_rate_hz
        self.segments: list[tuple[float, np.ndarray]] = []  # (monotonic start, int16 audio)
        self.first_audio_times: list[float] = []
        self.cut_times: list[float] = []  # monotonic times playout was cut by barge-in
        self._play_until = 0.0
        self._speaking = False
        self._watch: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            await self._play(frame)
            return
        if isinstance(frame, InterruptionFrame):
            self._truncate()
        await self.push_frame(frame, direction)

    async def _play(self, frame: TTSAudioRawFrame) -> None:
        now = time.monotonic()
        audio = np.frombuffer(frame.audio, dtype=np.int16)
        if frame.sample_rate != self.out_rate_hz:
            audio = (resample(audio.astype(np.float32) / 32768, frame.sample_rate, self.out_rate_hz)
                     * 32767).astype(np.int16)
        start = max(now, self._play_until)
        if start == now:
            self.first_audio_times.append(now)
        self.segments.append((start, audio))
        self._play_until = start + len(audio) / self.out_rate_hz
        if not self._speaking:
            self._speaking = True
            await self.push_frame(BotStartedSpeakingFrame(), FrameDirection.UPSTREAM)
        if self._watch is None or self._watch.done():
            self._watch = self.create_task(self._stop_when_done(), name="speaker-watch")

    async def _stop_when_done(self) -> None:
        # the deadline moves as audio is queued or cut, so poll it rather than wait on an event
        while time.monotonic() < self._play_until:  # noqa: ASYNC110
            await asyncio.sleep(max(0.005, self._play_until - time.monotonic()))
        self._speaking = False
        await self.push_frame(BotStoppedSpeakingFrame(), FrameDirection.UPSTREAM)

    def _truncate(self) -> None:
        """Barge-in: cut everything not yet played."""
        now = time.monotonic()
        if now < self._play_until:
            self.cut_times.append(now)
        kept: list[tuple[float, np.ndarray]] = []
        for start, audio in self.segments:
            if start >= now:
                continue
            played = int((now - start) * self.out_rate_hz)
            kept.append((start, audio[:played]))
        self.segments = kept
        self._play_until = min(self._play_until, now)

    def render(self) -> np.ndarray:
        """Everything the caller heard, on one timeline starting at the first audio."""
        if not self.segments:
            return np.zeros(0, dtype=np.int16)
        t0 = self.segments[0][0]
        end = max(s + len(a) / self.out_rate_hz for s, a in self.segments)
        out = np.zeros(int((end - t0) * self.out_rate_hz) + 1, dtype=np.int16)
        for start, audio in self.segments:
            i = int((start - t0) * self.out_rate_hz)
            out[i:i + len(audio)] = audio[: len(out) - i]
        return out
