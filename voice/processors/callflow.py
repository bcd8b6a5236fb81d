"""The start and end of every call, the same on every transport.

  Greeter            (head, before turn taking)  on the caller-connected signal
                                                 (pipecat's ClientConnectedFrame, pushed
                                                 once by the transport's input) asks the
                                                 dialog for its greeting (GreetFrame), once
  HangUpAfterGoodbye (tail, after the output)    a reply with `end_call` (the goodbye)
                                                 reaches it as a ReplySpokenFrame only once
                                                 the output has played it
                                                 (voice/transport.py); then it hangs up
                                                 through the call's CallControl
                                                 (`Session.control`)

A caller who talks over the goodbye interrupts it like any other reply: it is then never
played in full, so the call stays up and the dialog answers what they said.
"""

from __future__ import annotations

import asyncio
import logging

from pipecat.frames.frames import ClientConnectedFrame, Frame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.context import CallContext
from voice.frames import GreetFrame, ReplySpokenFrame

log = logging.getLogger(__name__)
# The far end still holds the last frames in its jitter buffer when the output has sent
# them: let them play before the hang-up tears the media down.
HANG_UP_GRACE_S = 0.25


class Greeter(FrameProcessor):
    def __init__(self, ctx: CallContext) -> None:
        super().__init__(name=f"greeter[{ctx.call_id[:8]}]")
        self._enabled = ctx.services.config.greeting
        self._greeted = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, ClientConnectedFrame) and self._enabled and not self._greeted:
            self._greeted = True
            await self.push_frame(GreetFrame())


class HangUpAfterGoodbye(FrameProcessor):
    def __init__(self, ctx: CallContext) -> None:
        super().__init__(name=f"goodbye[{ctx.call_id[:8]}]")
        self._ctx = ctx
        self._task: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if (isinstance(frame, ReplySpokenFrame) and getattr(frame.reply, "end_call", False)
                and self._task is None):
            self._task = self.create_task(self._hang_up(), name="hang-up-after-goodbye")
        await self.push_frame(frame, direction)

    async def _hang_up(self) -> None:
        await asyncio.sleep(HANG_UP_GRACE_S)
        session = self._ctx.session
        control = session.control if session is not None else None
        if control is None:
            log.warning("call %s: the goodbye played but the call has no control to hang up",
                        self._ctx.call_id)
            return
        log.info("call %s: the goodbye has played; hanging up", self._ctx.call_id)
        await control.hang_up("agent_hangup")

    async def cleanup(self) -> None:
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        await super().cleanup()
