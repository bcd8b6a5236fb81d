"""`DialogEngine` implementation: async shell around the synchronous `Brain`.

With an `AsyncCommandGenerator` (an LLM), each turn is understood on the event loop first,
inside the turn's own task: one request in flight per call (the call lock), cancelled with
the turn when the caller barges in; the brain then runs the commands in a worker thread."""

from __future__ import annotations

import asyncio
import logging

from dialog import replies
from dialog.brain import Brain
from dialog.commands import AsyncCommandGenerator
from dialog.locks import CallLocks
from dialog.types import Reply, Session

log = logging.getLogger(__name__)


class HotlineEngine:
    """Every call's turns run one at a time, off the event loop."""

    def __init__(self, brain: Brain, generator: AsyncCommandGenerator | None = None) -> None:
        self.brain = brain
        self.generator = generator  # None: the brain's own (rule) generator, in its thread
        self._lock = CallLocks()

    async def greet(self, session: Session) -> Reply:
        return self.brain.greet(session)

    async def respond(self, session: Session, text: str) -> Reply:
        return await self._turn(session, text, dtmf=False)

    async def _turn(self, session: Session, text: str, *, dtmf: bool) -> Reply:
        try:
            return await self._locked(session, text, dtmf=dtmf)
        except Exception:
            log.exception("dialog turn failed (call %s)", session.call_id)
            return Reply(
                text=replies.UNAVAILABLE,
                intent="error",
                escalate=True,
                escalation_reason="internal error in the dialog engine",
            )

    async def _locked(self, session: Session, text: str, *, dtmf: bool) -> Reply:
        """The brain's turn in a worker thread, holding the call's lock until the thread is
        done: a cancelled caller (barge-in) stops waiting, but the thread runs on, so the
        lock is released only when it finishes, never while it still writes the session."""
        lock = self._lock(session.call_id)
        await lock.acquire()
        try:
            if self.generator is not None and not dtmf:  # keypad input needs no LLM
                # on the loop, holding the lock: cancelled (barge-in) with the request
                ctx = self.brain.turn_context(session, text, dtmf=dtmf)
                commands = await self.generator.generate(ctx)
                job = asyncio.ensure_future(asyncio.to_thread(
                    self.brain.respond, session, text, dtmf=dtmf, commands=commands))
            else:
                job = asyncio.ensure_future(
                    asyncio.to_thread(self.brain.respond, session, text, dtmf=dtmf))
        except BaseException:
            lock.release()
            raise
        job.add_done_callback(lambda _: lock.release())
        return await asyncio.shield(job)

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        """Keypad input: 0 asks for a human; other digits are read as spoken text."""
        digits = digits.strip().strip("#*")
        if not digits:
            return None
        if digits == "0":
            return await asyncio.to_thread(
                self.brain.escalate, session, "caller pressed 0 for an operator"
            )
        return await self._turn(session, digits, dtmf=True)  # e.g. a CSAT survey answer
