"""The call pipeline's last stage on a Twilio stream: agent speech out, paced.

TTS audio (22.05 kHz) is resampled to 8 kHz, mu-law encoded and cut into 160-byte
frames, queued with a mark after each TTS piece. One owned task sends them on the
absolute 20 ms clock of `PlayoutClock`, announces BotStarted/StoppedSpeaking
upstream from what is actually being played, forwards each utterance's
TTSStoppedFrame downstream once its audio has played at the caller (the output
contract, voice/transport.py), and on an InterruptionFrame drops the unsent audio
and sends `clear` so Twilio drops what it buffered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from pipecat.frames.frames import (
    Frame,
    InterruptionFrame,
    OutputAudioRawFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection

from telephony.twilio import mulaw
from telephony.twilio.heard import HeardTracker, Utterance
from voice.media.audio import resample
from voice.media.pacing import FRAME_BYTES, FRAME_S, PlayoutClock, SendStats
from voice.transport import TransportOutput

log = logging.getLogger(__name__)
TWILIO_RATE_HZ = 8000


class Sender(Protocol):
    """Writes Media Streams messages; never raises once the socket is gone."""

    async def media(self, ulaw: bytes) -> None: ...

    async def mark(self, name: str) -> None: ...

    async def clear(self) -> None: ...


@dataclass(frozen=True)
class _Audio:
    ulaw: bytes
    utterance: Utterance | None  # None: not speech (hold chime)


@dataclass(frozen=True)
class _Mark:
    name: str


@dataclass(frozen=True)
class _Done:
    frame: Frame  # the utterance's TTSStoppedFrame, forwarded once its audio has played


def to_ulaw_frames(pcm: bytes, rate_hz: int) -> list[bytes]:
    """int16 PCM at any rate -> 160-byte mu-law frames (the last padded with silence)."""
    audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768
    audio8k = resample(audio, rate_hz, TWILIO_RATE_HZ)
    ulaw = mulaw.encode((np.clip(audio8k, -1, 1) * 32767).astype(np.int16))
    pad = -len(ulaw) % FRAME_BYTES
    ulaw += bytes([mulaw.SILENCE_BYTE]) * pad
    return [ulaw[i:i + FRAME_BYTES] for i in range(0, len(ulaw), FRAME_BYTES)]


class TwilioOutput(TransportOutput):
    def __init__(self, call_id: str, send: Sender, heard: HeardTracker, lead_ms: int) -> None:
        super().__init__(name=f"twilio-out[{call_id[:8]}]")
        self._call_id = call_id
        self._send = send
        self.heard = heard
        self.clock = PlayoutClock(lead_ms)
        self.stats = SendStats()
        self.clears = 0
        self._queue: deque[_Audio | _Mark | _Done] = deque()
        self._played: deque[tuple[float, Frame]] = deque()  # (play end, TTSStoppedFrame)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._tts_active = False
        self._generation = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            await self._enqueue(frame)
            return
        if isinstance(frame, OutputAudioRawFrame):  # not speech: the hold chime, paced upstream
            await self._enqueue_plain(frame)
            return
        if isinstance(frame, TTSStartedFrame):
            self._tts_active = True
            self.heard.started()
        elif isinstance(frame, TTSStoppedFrame) and direction is FrameDirection.DOWNSTREAM:
            self._tts_active = False
            self.heard.finished()
            self._queue.append(_Done(frame))
            self._start()
            return
        elif isinstance(frame, InterruptionFrame):
            await self._interrupt()
        await self.push_frame(frame, direction)

    async def _enqueue(self, frame: TTSAudioRawFrame) -> None:
        generation = self._generation
        # resampling a whole sentence takes ~10 ms: off the loop, which paces the audio
        chunks = await asyncio.to_thread(to_ulaw_frames, frame.audio, frame.sample_rate)
        if generation != self._generation:
            return  # barge-in while converting: this audio is not to be played
        utt = self.heard.active()
        for chunk in chunks:
            self._queue.append(_Audio(chunk, utt))
        self._queue.append(_Mark(self.heard.piece_queued()))
        self._start()

    async def _enqueue_plain(self, frame: OutputAudioRawFrame) -> None:
        """Audio that is no agent utterance: played in order, no marks, nothing 'heard'."""
        chunks = to_ulaw_frames(frame.audio, frame.sample_rate)  # 20 ms: cheap enough inline
        self._queue.extend(_Audio(chunk, None) for chunk in chunks)
        self._start()

    @property
    def queued_s(self) -> float:
        """Audio queued here, not yet sent (Twilio's own buffer, `lead_ms`, comes on top)."""
        return sum(isinstance(item, _Audio) for item in self._queue) * FRAME_S

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = self.create_task(self._play(), name="twilio-playout")
        self._wake.set()

    async def _interrupt(self) -> None:
        """Barge-in: drop unsent audio, tell Twilio to drop its buffer, note the cut."""
        busy = self.speaking or any(isinstance(i, _Audio) for i in self._queue)
        self._generation += 1
        self._queue.clear()
        self._played.clear()
        self._tts_active = False
        if busy:
            self.clears += 1
            await self._send.clear()
            await self.heard.cleared(self.clock.lead_ms / 1000)
        await self.set_speaking(False)
        self._wake.set()

    async def set_speaking(self, speaking: bool) -> None:
        if speaking == self.speaking:
            return
        if not speaking:
            self.clock.reset()
            self.stats.spurt_ended()
        await super().set_speaking(speaking)

    async def _play(self) -> None:
        while True:
            self._wake.clear()
            await self._forward_played()
            if not self._queue:
                await self._idle()
                continue
            item = self._queue[0]
            if isinstance(item, _Mark):
                self._queue.popleft()
                await self._send.mark(item.name)
                continue
            if isinstance(item, _Done):
                self._queue.popleft()
                self._played.append((self.clock.play_end, item.frame))
                continue
            generation = self._generation
            due = self.clock.due(time.monotonic())
            paced = not self.clock.in_lead
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if generation != self._generation or not self._queue or self._queue[0] is not item:
                continue  # interrupted while waiting: this frame must not go out
            self._queue.popleft()
            await self.set_speaking(True)
            self.stats.record(due, time.monotonic(), paced)
            self.clock.sent()
            if item.utterance is not None:
                item.utterance.played_s += FRAME_S
            await self._send.media(item.ulaw)

    async def _forward_played(self) -> None:
        """Utterances whose audio has played at the caller: their TTSStoppedFrame goes on."""
        now = time.monotonic()
        while self._played and self._played[0][0] <= now:
            await self.push_frame(self._played.popleft()[1])

    async def _idle(self) -> None:
        """Nothing queued: announce the end of speech once the last frame has played."""
        deadlines = [self._played[0][0]] if self._played else []
        if self.speaking and not self._tts_active:
            if self.clock.play_end <= time.monotonic() and not self._played:
                await self.set_speaking(False)
                return
            deadlines.append(self.clock.play_end)
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def cleanup(self) -> None:
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        self._task = None
        await super().cleanup()
