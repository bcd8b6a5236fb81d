"""Caller audio in, finished turns out: VAD, end-of-turn decision, STT, barge-in."""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InputAudioRawFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.context import CallContext
from voice.endpoint import Verdict, judge
from voice.events import TurnRecord
from voice.frames import GreetFrame, NothingToSayFrame, UserTurnFrame
from voice.media.audio import pcm16_to_float
from voice.processors.normalize import pipeline_pcm
from voice.stt_hints import prompt_for
from voice.timing import TurnTiming
from voice.turns import WINDOW_SAMPLES, TurnEvent, TurnTaker

log = logging.getLogger(__name__)


class TurnProcessor(FrameProcessor):
    """Consumes InputAudioRawFrame (16 kHz mono: the input normalizer's output), emits
    UserTurnFrame downstream.

    Barge-in needs to know whether the agent is talking or about to: both are read from
    frames, never from shared flags. Speaking: BotStarted/StoppedSpeakingFrame (upstream,
    from the transport output, from what is actually played). A reply pending: from the
    turn this processor hands on (or a GreetFrame passing through) until the output reports
    that reply played (BotStoppedSpeaking), the dialog says it has nothing to say
    (NothingToSayFrame), or a barge-in cancels it.
    """

    def __init__(self, ctx: CallContext) -> None:
        super().__init__(name=f"turn[{ctx.call_id[:8]}]")
        self._ctx = ctx
        self._models = ctx.services.models
        self._cfg = ctx.services.config
        self._vad = self._models.vad.new_stream()
        self._turns = TurnTaker(self._cfg)
        self._bot_speaking = False
        self._reply_pending = False
        self._pending = np.zeros(0, dtype=np.float32)
        self._decision: asyncio.Task[None] | None = None
        self._timing = TurnTiming()
        self._draft: tuple[int, str, float] | None = None  # (last_voice_sample, text, stt_s)
        self._verdict: tuple[int, Verdict] | None = None  # (last_voice_sample, verdict)
        self._said = ""  # the words of the last turn handed on
        self._continues = ""  # the current turn reopened that one (its reply was cut)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            await self._on_audio(frame)
            return
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = self._reply_pending = False
        elif isinstance(frame, NothingToSayFrame):
            self._reply_pending = False
            return  # it was for us
        elif isinstance(frame, GreetFrame):
            self._reply_pending = True
        await self.push_frame(frame, direction)

    async def _on_audio(self, frame: InputAudioRawFrame) -> None:
        audio = pcm16_to_float(pipeline_pcm(frame))
        self._pending = np.concatenate([self._pending, audio]) if len(self._pending) else audio
        while len(self._pending) >= WINDOW_SAMPLES:
            window, self._pending = self._pending[:WINDOW_SAMPLES], self._pending[WINDOW_SAMPLES:]
            prob = self._vad.probability(window)
            event = self._turns.push(window, prob, quick_start=self._reply_unheard_yet())
            if prob >= self._cfg.vad_threshold:
                self._timing.speech_end = time.monotonic()
            if event is not None:
                await self._on_event(event)

    async def _on_event(self, event: TurnEvent) -> None:
        if event is TurnEvent.SPEECH_STARTED:
            started = self._timing.speech_start
            self._timing = TurnTiming(speech_start=time.monotonic(), speech_end=time.monotonic())
            self._draft = None
            await self.push_frame(UserStartedSpeakingFrame())
            if self._cfg.barge_in and (self._bot_speaking or self._reply_pending):
                log.info("call %s: barge-in, stopping agent playout", self._ctx.call_id)
                self._reply_pending = False
                await self.broadcast_interruption()
                await self._ctx.event("barge_in")
                if self._turns.reopen(self._cfg.resume_secs) is not None:
                    await self._resume(started)
        elif event is TurnEvent.SPEECH_RESUMED:
            self._verdict = None
            await self._cancel_decision()
        elif event is TurnEvent.PAUSE:
            await self._cancel_decision()
            self._verdict = None
            self._decision = self.create_task(self._decide(), name="turn-decision")
        elif event is TurnEvent.STOP_REACHED:
            utt = self._turns.utterance
            if self._verdict is not None and utt is not None and self._verdict[0] == utt.last_voice_sample:
                await self._commit(self._verdict[1].reason)
        elif event is TurnEvent.FORCED_END:
            await self._cancel_decision()
            await self._commit(self._turns.forced_reason)

    async def cleanup(self) -> None:
        """The call is ending (hang-up or cancel): keep what the caller said last."""
        await self._cancel_decision()
        await self._salvage_last_turn()
        await super().cleanup()

    async def _salvage_last_turn(self) -> None:
        """A caller who hangs up mid-turn still said it: transcribe and store it directly
        (the pipeline is going away, so nothing downstream will answer it)."""
        utt = self._turns.finish()
        if utt is None or utt.last_voice_sample <= utt.start_sample:
            return
        try:
            text, stt_s = await self._transcribe(utt.audio(), utt.last_voice_sample)
        except Exception:  # the models are fine; a failure here must not block hang-up
            log.exception("call %s: could not transcribe the caller's last words", self._ctx.call_id)
            return
        if not text.strip():
            return
        now = time.time()
        t = self._timing
        started = now - (time.monotonic() - t.speech_start) if t.speech_start else now
        ended = now - (time.monotonic() - t.speech_end) if t.speech_end else now
        await self._ctx.observer.on_turn(TurnRecord(
            call_id=self._ctx.call_id, speaker="caller", text=text.strip(), started_at=started,
            ended_at=ended, latency={"stt_ms": round(stt_s * 1000, 1), "end_reason": "hangup"},
            meta={"unanswered": True},
        ))

    async def _cancel_decision(self) -> None:
        if self._decision is not None and not self._decision.done():
            await self.cancel_task(self._decision)
        self._decision = None

    async def _transcribe(self, audio: np.ndarray, last_voice: int) -> tuple[str, float]:
        if self._draft is not None and self._draft[0] == last_voice:
            return self._draft[1], self._draft[2]
        prompt = prompt_for(self._ctx.expect)  # primed for the detail the agent asked for
        result = await asyncio.to_thread(self._models.stt.transcribe, audio, prompt)
        self._draft = (last_voice, result.text, result.decode_s)
        return result.text, result.decode_s

    async def _decide(self) -> None:
        utt = self._turns.utterance
        if utt is None:
            return
        audio = utt.audio()
        turn_task = asyncio.to_thread(self._models.turn.completion_probability, audio)
        last_voice = utt.last_voice_sample
        (text, _), prob = await asyncio.gather(self._transcribe(audio, last_voice), turn_task)
        self._timing.smart_turn_p = prob
        verdict = judge(text, prob, self._turns.spoken_s, self._cfg)
        log.debug("call %s: pause after %r (p=%.2f): over after %.2f s of silence (%s)",
                  self._ctx.call_id, text, prob, verdict.wait_s, verdict.reason)
        if verdict.ended_by(self._turns.silence_s):
            await self._commit(verdict.reason)
        else:  # the verdict waits for its silence (STOP_REACHED), or speech resumes first
            self._verdict = (last_voice, verdict)
            self._turns.end_after(verdict.wait_s)

    def _reply_unheard_yet(self) -> bool:
        """A reply to the caller is on its way but not yet audible: the first voiced window
        is enough to stop it (the caller was not done), before they hear any of it."""
        return self._reply_pending and not self._bot_speaking

    async def _resume(self, started: float) -> None:
        """The caller went on right after their turn was taken, over its reply: the turn is
        reopened (voice/turns.py) and answered whole once they finish."""
        log.info("call %s: caller went on after %r: one turn", self._ctx.call_id, self._said)
        self._continues = self._said
        self._timing.speech_start = started or self._timing.speech_start
        await self._ctx.event("turn_resumed", said=self._said)

    async def _commit(self, reason: str) -> None:
        self._verdict = None
        utt = self._turns.finish()
        if utt is None:
            return
        text, stt_s = await self._transcribe(utt.audio(), utt.last_voice_sample)
        self._draft = None
        # this turn's timing is settled: voiced windows from now on belong to the next turn
        # (a shared object let them move speech_end past the commit: negative endpoint_ms)
        timing, self._timing = self._timing, TurnTiming()
        timing.stt_s, timing.end_reason, timing.committed = stt_s, reason, time.monotonic()
        await self.push_frame(UserStoppedSpeakingFrame())
        text = text.strip()
        if not text:
            log.info("call %s: discarded a turn with no words (noise?)", self._ctx.call_id)
            return
        self._said, continues, self._continues = text, self._continues, ""
        self._reply_pending = True
        await self.push_frame(UserTurnFrame(text=text, timing=timing, continues=continues))
