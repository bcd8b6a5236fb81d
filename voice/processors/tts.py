"""Agent text in, speech out: Piper sentence by sentence, cached, interruptible; each
agent turn recorded with what the caller heard of it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
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

HEARD_SLACK_S = 0.06  # a few output frames: the output's clock and ours are not the same clock


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


@dataclass
class _Said:
    """An utterance handed to the output: recorded once it is known how much was heard."""

    say: AgentSayFrame
    started_wall: float
    pieces: list[tuple[str, float]] = field(default_factory=list)  # (text, seconds of audio)
    first_pushed: float | None = None  # monotonic: its first audio handed to the output
    done: bool = False  # all of it synthesized and handed over

    @property
    def audio_s(self) -> float:
        return sum(s for _, s in self.pieces)


class TTSProcessor(FrameProcessor):
    """Each AgentSayFrame becomes speech, sentence by sentence. Its turn record says what
    the caller *heard*, from what the output reports (voice/transport.py): heard in full
    once the output says the agent stopped speaking; cut when the caller barged in
    (InterruptionFrame) or the call ended first, with the part played before the cut
    (`heard_s`, `heard_text`: the pieces played to their end) estimated on the output's
    clock from when it started playing."""

    def __init__(self, ctx: CallContext, cache: SpeechCache) -> None:
        super().__init__(name=f"tts[{ctx.call_id[:8]}]")
        self._ctx = ctx
        self._cache = cache
        self._rate = ctx.services.models.tts.sample_rate_hz
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[AgentSayFrame] = asyncio.Queue()
        self._said: list[_Said] = []  # handed to the output (the last may be mid-synthesis)
        self._playing_since: float | None = None  # BotStartedSpeakingFrame, until stopped

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, AgentSayFrame):
            if self._task is None or self._task.done():
                self._task = self.create_task(self._speak_loop(), name="tts-loop")
            self._queue.put_nowait(frame)
            return
        if isinstance(frame, InterruptionFrame):
            await self._stop()
            cut_at = time.monotonic()
            await self.push_frame(frame, direction)  # the output stops first, the record after
            await self._settle(cut_by="caller", now=cut_at)
            return
        if isinstance(frame, BotStartedSpeakingFrame):
            self._playing_since = time.monotonic()
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._playing_since = None
            await self.push_frame(frame, direction)
            await self._settle(cut_by=None)  # all handed over has played (no utterance open)
            return
        await self.push_frame(frame, direction)

    async def _stop(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        self._task = None

    async def cleanup(self) -> None:
        await self._stop()
        await self._settle(cut_by="call_end")
        await super().cleanup()

    async def _speak_loop(self) -> None:
        while True:
            say = await self._queue.get()
            await self._speak(say)

    async def _speak(self, say: AgentSayFrame) -> None:
        said = _Said(say, started_wall=time.time())
        self._said.append(said)
        started = time.monotonic()
        await self._ctx.event("agent_speaking", text=say.text)
        pieces = split_for_tts(say.text)
        await self.push_frame(TTSStartedFrame())
        for i, piece in enumerate(pieces):
            audio = await self._cache.get(piece)
            if i == 0:
                said.first_pushed = time.monotonic()
                if say.timing is not None:
                    say.timing.tts_first_s = said.first_pushed - started
                    say.timing.first_audio = said.first_pushed
            said.pieces.append((piece, len(audio) / self._rate))
            await self.push_frame(TTSAudioRawFrame(audio=audio.tobytes(), sample_rate=self._rate,
                                                   num_channels=1))
        said.done = True
        await self.push_frame(ReplySpokenFrame(reply=say.reply))

    async def _settle(self, cut_by: str | None, now: float | None = None) -> None:
        """Record the utterances handed over. `cut_by` None: the output played all it was
        given (one still being synthesized waits); else playing stopped now, and each was
        heard as far as the output's clock got: from when it reported starting to play,
        one after the other, none before it was handed over."""
        settled = [s for s in self._said if cut_by is not None or s.done]
        self._said = [s for s in self._said if s not in settled]
        now = time.monotonic() if now is None else now
        clock = self._playing_since
        for item in settled:
            heard_s = item.audio_s if cut_by is None else 0.0
            if clock is not None and item.first_pushed is not None:
                play_start = max(clock, item.first_pushed)
                clock = play_start + item.audio_s
                if cut_by is not None:
                    heard_s = max(0.0, min(item.audio_s, now - play_start))
            await self._record(item, cut_by, heard_s)

    async def _record(self, said: _Said, cut_by: str | None, heard_s: float) -> None:
        self._ctx.agent_turns += 1
        say = said.say
        latency = say.timing.as_dict() if say.timing is not None else {}
        reply = say.reply
        synthesized = " ".join(text for text, _ in said.pieces)
        interrupted = cut_by is not None and (not said.done or heard_s < said.audio_s - HEARD_SLACK_S)
        meta: dict[str, object] = {"audio_s": round(said.audio_s, 3), "interrupted": interrupted}
        if interrupted:
            heard, at = [], 0.0
            for text, seconds in said.pieces:
                at += seconds
                if at > heard_s + HEARD_SLACK_S:
                    break
                heard.append(text)
            meta.update({"cut_by": cut_by, "heard_s": round(heard_s, 3),
                         "heard_text": " ".join(heard), "synthesized_text": synthesized})
        if reply is not None:
            meta.update({"intent": reply.intent, "confidence": reply.confidence,
                         "escalate": reply.escalate,
                         "escalation_reason": reply.escalation_reason,
                         "tool_calls": reply.tool_calls,
                         "citations": [c.doc_id for c in reply.citations]})
        await self._ctx.observer.on_turn(TurnRecord(
            call_id=self._ctx.call_id, speaker="agent", text=say.text, started_at=said.started_wall,
            ended_at=said.started_wall + (heard_s if interrupted else said.audio_s),
            latency=latency, meta=meta,
        ))
