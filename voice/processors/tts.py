"""Agent text in, speech out: Piper sentence by sentence, cached, interruptible."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

import numpy as np
from pipecat.frames.frames import (
    Frame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.context import CallContext
from voice.events import TurnRecord
from voice.frames import AgentSayFrame, ReplySpokenFrame
from voice.sentences import split_for_tts
from voice.speech_models import TextToSpeech

log = logging.getLogger(__name__)


class SpeechCache:
    """Synthesized sentences shared by all calls: fixed prompts pinned, the rest LRU."""

    def __init__(self, tts: TextToSpeech, size: int) -> None:
        self._tts = tts
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pinned: dict[str, np.ndarray] = {}

    def pin(self, texts: list[str]) -> int:
        """Pre-synthesize fixed prompts (synchronous: call at start-up, off the event loop).
        Texts are split the way the TTS processor splits them, so every piece is a hit."""
        count = 0
        for text in texts:
            for piece in split_for_tts(text):
                if piece not in self._pinned:
                    self._pinned[piece] = self._tts.synthesize(piece)
                    count += 1
        return count

    async def get(self, text: str) -> np.ndarray:
        pinned = self._pinned.get(text)
        if pinned is not None:
            return pinned
        hit = self._items.get(text)
        if hit is not None:
            self._items.move_to_end(text)
            return hit
        audio: np.ndarray = await asyncio.to_thread(self._tts.synthesize, text)
        if self._size > 0:
            self._items[text] = audio
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return audio


class TTSProcessor(FrameProcessor):
    def __init__(self, ctx: CallContext, cache: SpeechCache) -> None:
        super().__init__(name=f"tts[{ctx.call_id[:8]}]")
        self._ctx = ctx
        self._cache = cache
        self._rate = ctx.services.models.tts.sample_rate_hz
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[AgentSayFrame] = asyncio.Queue()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, AgentSayFrame):
            if self._task is None or self._task.done():
                self._task = self.create_task(self._speak_loop(), name="tts-loop")
            self._queue.put_nowait(frame)
            return
        if isinstance(frame, InterruptionFrame):
            await self._stop()
        await self.push_frame(frame, direction)

    async def _stop(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        self._task = None

    async def cleanup(self) -> None:
        await self._stop()
        await super().cleanup()

    async def _speak_loop(self) -> None:
        while True:
            say = await self._queue.get()
            await self._speak(say)

    async def _speak(self, say: AgentSayFrame) -> None:
        started_wall = time.time()
        started = time.monotonic()
        await self._ctx.event("agent_speaking", text=say.text)
        pieces = split_for_tts(say.text)
        await self.push_frame(TTSStartedFrame())
        audio_s = 0.0
        spoken: list[str] = []
        interrupted = False
        try:
            for i, piece in enumerate(pieces):
                audio = await self._cache.get(piece)
                if i == 0 and say.timing is not None:
                    say.timing.tts_first_s = time.monotonic() - started
                    say.timing.first_audio = time.monotonic()
                audio_s += len(audio) / self._rate
                spoken.append(piece)
                await self.push_frame(TTSAudioRawFrame(audio=audio.tobytes(), sample_rate=self._rate,
                                                       num_channels=1))
        except asyncio.CancelledError:
            interrupted = True
            raise
        finally:
            await self._record(say, started_wall, audio_s, spoken, interrupted)
        await self.push_frame(ReplySpokenFrame(reply=say.reply))

    async def _record(self, say: AgentSayFrame, started_wall: float, audio_s: float,
                      spoken: list[str], interrupted: bool) -> None:
        self._ctx.agent_turns += 1
        latency = say.timing.as_dict() if say.timing is not None else {}
        reply = say.reply
        meta: dict[str, object] = {"audio_s": round(audio_s, 3), "interrupted": interrupted}
        if interrupted:
            meta["synthesized_text"] = " ".join(spoken)
        if reply is not None:
            meta.update({"intent": reply.intent, "confidence": reply.confidence,
                         "escalate": reply.escalate,
                         "escalation_reason": reply.escalation_reason,
                         "tool_calls": reply.tool_calls,
                         "citations": [c.doc_id for c in reply.citations]})
        await self._ctx.observer.on_turn(TurnRecord(
            call_id=self._ctx.call_id, speaker="agent", text=say.text, started_at=started_wall,
            ended_at=started_wall + audio_s, latency=latency, meta=meta,
        ))
