"""Bridge from finished caller turns to the dialog brain and back to speech.

A reply the caller did not hear in full (barge-in cut it, or it was still being prepared
when they spoke again) is reported to the brain (`Session.reply_unheard`), so nothing it
asked (a read-back awaiting yes) is answered by words meant for something else. Heard in
full means the transport's output reported the agent stopped speaking
(BotStoppedSpeakingFrame: sent only once the utterance is closed and all of it has played,
voice/transport.py) with no interruption before.
"""

from __future__ import annotations

import asyncio
import logging
import time

from pipecat.frames.frames import BotStoppedSpeakingFrame, Frame, InputDTMFFrame, InterruptionFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from dialog.types import Reply
from voice.context import CallContext
from voice.events import TurnRecord
from voice.frames import AgentSayFrame, GreetFrame, NothingToSayFrame, UserTurnFrame
from voice.timing import TurnTiming

log = logging.getLogger(__name__)

APOLOGY = "Sorry, I ran into a problem on my side. Could you say that again?"


class DialogProcessor(FrameProcessor):
    def __init__(self, ctx: CallContext) -> None:
        super().__init__(name=f"dialog[{ctx.call_id[:8]}]")
        self._ctx = ctx
        self._engine = ctx.services.engine
        self._task: asyncio.Task[None] | None = None
        self._turn_no = 0  # bumped by every caller turn and barge-in: older replies are void
        self._unheard: Reply | None = None  # handed to speech, not yet heard to its end

    async def greet(self) -> None:
        """Speak the greeting (on a GreetFrame: the Greeter sends one once the caller is
        connected, voice/processors/callflow.py)."""
        assert self._ctx.session is not None
        reply = await self._engine.greet(self._ctx.session)
        await self._say(reply, None)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, GreetFrame):
            await self.greet()
            return
        if isinstance(frame, UserTurnFrame):
            await self._record_caller(frame)
            self._void_replies()
            self._task = self.create_task(self._respond(frame, self._task, self._turn_no),
                                          name="dialog-reply")
            return
        if isinstance(frame, InputDTMFFrame):
            await self._on_dtmf(str(frame.button.value))
        if isinstance(frame, InterruptionFrame):
            self._void_replies()
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._unheard = None  # played to its end: the output reports stopped only once
            # no utterance is open and all of it has played (voice/transport.py)
        await self.push_frame(frame, direction)

    def _void_replies(self) -> None:
        """The caller spoke: a reply still being prepared will not be said, and one being
        spoken is cut. The brain is told of both (a reply being prepared, once it comes)."""
        self._turn_no += 1
        if self._unheard is not None and self._ctx.session is not None:
            self._ctx.session.reply_unheard(self._unheard)
        self._unheard = None

    async def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        self._task = None

    async def cleanup(self) -> None:
        """The call is ending: a reply still being prepared has no one to hear it."""
        await self._cancel()
        await super().cleanup()

    async def _record_caller(self, frame: UserTurnFrame) -> None:
        self._ctx.caller_turns += 1
        t = frame.timing
        now_wall = time.time()
        started = now_wall - (time.monotonic() - t.speech_start) if t.speech_start else now_wall
        ended = now_wall - (time.monotonic() - t.speech_end) if t.speech_end else now_wall
        # a turn that goes on from the previous one holds both parts: linked, answered once
        meta = {"continues": frame.continues} if frame.continues else {}
        await self._ctx.observer.on_turn(TurnRecord(
            call_id=self._ctx.call_id, speaker="caller", text=frame.text,
            started_at=started, ended_at=ended,
            latency={"stt_ms": round(t.stt_s * 1000, 1), "end_reason": t.end_reason}, meta=meta,
        ))

    async def _respond(self, turn: UserTurnFrame, before: asyncio.Task[None] | None,
                       turn_no: int) -> None:
        """Answer `turn` (caller turn number `turn_no`), once the reply to the turn `before`
        it has settled (a voided one reports itself unheard first)."""
        assert self._ctx.session is not None
        if before is not None and not before.done():
            await asyncio.wait([before])
        started = time.monotonic()
        try:
            reply = await self._engine.respond(self._ctx.session, turn.text)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s: dialog engine failed on %r", self._ctx.call_id, turn.text)
            reply = Reply(text=APOLOGY)
        if turn_no != self._turn_no:  # the caller spoke again while it was prepared
            log.info("call %s: reply to %r voided before it was said", self._ctx.call_id, turn.text)
            self._ctx.session.reply_unheard(reply)
            return
        turn.timing.dialog_s = time.monotonic() - started
        await self._say(reply, turn.timing)

    async def _on_dtmf(self, digit: str) -> None:
        assert self._ctx.session is not None
        await self._ctx.event("dtmf", digit=digit)
        reply = await self._engine.on_dtmf(self._ctx.session, digit)
        if reply is not None:
            await self._say(reply, None)

    async def _say(self, reply: Reply, timing: TurnTiming | None) -> None:
        self._ctx.expect = reply.expect  # primes the recognizer for the caller's answer
        if not reply.text.strip():
            await self.push_frame(NothingToSayFrame(), FrameDirection.UPSTREAM)
            return
        self._unheard = reply
        await self.push_frame(AgentSayFrame(text=reply.text, timing=timing, reply=reply))
