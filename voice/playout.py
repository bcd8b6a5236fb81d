"""A virtual loudspeaker: the output of a call with no network (file calls, benchmarks).

It keeps the timeline a caller's phone would and honours the output contract
(voice/transport.py): BotStarted/StoppedSpeaking upstream from what has played, each
TTSStoppedFrame forwarded once its utterance has played, everything unplayed dropped on
an interruption. It also keeps what was played, and tells a scripted caller what the
call is doing (`utterances`, `idle`, `caller_mid_turn`, `turns_ended`; `changed` is set on
every change).
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection

from voice.media.audio import resample
from voice.transport import TransportOutput


class VirtualSpeaker(TransportOutput):
    def __init__(self, out_rate_hz: int = 16000) -> None:
        super().__init__(name="speaker")
        self.out_rate_hz = out_rate_hz
        self.segments: list[tuple[float, np.ndarray]] = []  # (monotonic start, int16 audio)
        self.first_audio_times: list[float] = []  # monotonic: audio starting after quiet
        # monotonic: when each agent utterance began to be heard (one per TTSStartedFrame
        # that played; a gap between its sentences is not a new one)
        self.utterance_times: list[float] = []
        self.cut_times: list[float] = []  # monotonic times playout was cut by barge-in
        self.utterances = 0  # agent utterances started (TTSStartedFrame)
        self.idle = asyncio.Event()  # set while nothing plays and no utterance is open
        self.idle.set()
        self.caller_mid_turn = False  # between UserStarted- and UserStoppedSpeakingFrame
        self.turns_ended = 0  # caller turns decided (UserStoppedSpeakingFrame)
        self.changed = asyncio.Event()  # set on every change above (a scripted caller waits)
        self._play_until = 0.0
        self._tts_open = False
        self._unheard_start = False  # an utterance opened, none of its audio played yet
        self._held: list[tuple[float, Frame]] = []  # TTSStoppedFrames waiting to be played
        self._watch: asyncio.Task[None] | None = None
        self._closed = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            await self._play(frame)
            return
        if isinstance(frame, TTSStartedFrame):
            self._tts_open = self._unheard_start = True
            self.utterances += 1
            self.idle.clear()
            self.changed.set()
        elif isinstance(frame, TTSStoppedFrame) and direction is FrameDirection.DOWNSTREAM:
            self._tts_open = False
            self._held.append((self._play_until, frame))
            self._arm()
            return
        elif isinstance(frame, InterruptionFrame):
            self._truncate()
            self._held.clear()
            self._tts_open = self._unheard_start = False
            await self._settle()
        elif isinstance(frame, UserStartedSpeakingFrame | UserStoppedSpeakingFrame):
            self.caller_mid_turn = isinstance(frame, UserStartedSpeakingFrame)
            self.turns_ended += not self.caller_mid_turn
            self.changed.set()
        elif isinstance(frame, EndFrame | CancelFrame):
            self.changed.set()
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
        if self._unheard_start:
            self._unheard_start = False
            self.utterance_times.append(start)
        self.segments.append((start, audio))
        self._play_until = start + len(audio) / self.out_rate_hz
        self.idle.clear()
        self.changed.set()
        await self.set_speaking(True)
        self._arm()

    def _arm(self) -> None:
        if self._closed:
            return  # the call is ending: nothing is left to report as played
        if self._watch is None or self._watch.done():
            self._watch = self.create_task(self._until_played(), name="speaker-watch")

    async def _until_played(self) -> None:
        """Sleep to the next moment something finishes playing (the deadlines move as
        audio is queued or cut), and report it."""
        while True:
            await self._settle()
            deadlines = [due for due, _ in self._held]
            if time.monotonic() < self._play_until:
                deadlines.append(self._play_until)
            if not deadlines:
                return
            await asyncio.sleep(max(0.005, min(deadlines) - time.monotonic()))

    async def _settle(self) -> None:
        """Forward the utterance ends that have played; stop speaking once all has."""
        now = time.monotonic()
        while self._held and self._held[0][0] <= now:
            _, frame = self._held.pop(0)
            await self.push_frame(frame)
        if now >= self._play_until and not self._tts_open and not self._held:
            await self.set_speaking(False)
            self.idle.set()
            self.changed.set()

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

    async def cleanup(self) -> None:
        self._closed = True
        if self._watch is not None and not self._watch.done():
            await self.cancel_task(self._watch)
        await super().cleanup()
