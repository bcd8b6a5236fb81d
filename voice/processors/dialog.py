"""Bridge from finished caller turns to the dialog brain and back to speech."""

from __future__ import annotations

import asyncio
import logging
import time

from pipecat.frames.frames import Frame, InputDTMFFrame, InterruptionFrame
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
            await self._cancel()
            self._task = self.create_task(self._respond(frame.text, frame.timing), name="dialog-reply")
            return
        if isinstance(frame, InputDTMFFrame):
            await self._on_dtmf(str(frame.button.value))
        if isinstance(frame, InterruptionFrame):
            await self._cancel()
        await self.push_frame(frame, direction)

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
        await self._ctx.observer.on_turn(TurnRecord(
            call_id=self._ctx.call_id, speaker="caller", text=frame.text,
            started_at=started, ended_at=ended,
            latency={"stt_ms": round(t.stt_s * 1000, 1), "end_reason": t.end_reason},
        ))

    async def _respond(self, text: str, timing: TurnTiming) -> None:
        assert self._ctx.session is not None
        started = time.monotonic()
        try:
            reply = await self._engine.respond(self._ctx.session, text)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s: dialog engine failed on %r", self._ctx.call_id, text)
            reply = Reply(text=APOLOGY)
        timing.dialog_s = time.monotonic() - started
        await self._say(reply, timing)

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
        await self.push_frame(AgentSayFrame(text=reply.text, timing=timing, reply=reply))
