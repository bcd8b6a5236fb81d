"""`DialogEngine` implementation: async shell around the synchronous `Brain`."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from dialog import replies
from dialog.brain import Brain
from dialog.flows.csat import DTMF_TURN_KEY
from dialog.types import Reply, Session

log = logging.getLogger(__name__)

MAX_TRACKED_CALLS = 10_000


class HotlineEngine:
    """Every call's turns run one at a time, off the event loop."""

    def __init__(self, brain: Brain) -> None:
        self.brain = brain
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()

    def _lock(self, session: Session) -> asyncio.Lock:
        """One turn at a time per call (a barge-in turn waits for the one in flight)."""
        lock = self._locks.pop(session.call_id, None) or asyncio.Lock()
        self._locks[session.call_id] = lock
        while len(self._locks) > MAX_TRACKED_CALLS:
            self._locks.popitem(last=False)
        return lock

    async def greet(self, session: Session) -> Reply:
        return self.brain.greet(session)

    async def respond(self, session: Session, text: str) -> Reply:
        try:
            async with self._lock(session):
                return await asyncio.to_thread(self.brain.respond, session, text)
        except Exception:
            log.exception("dialog turn failed (call %s)", session.call_id)
            return Reply(
                text=replies.UNAVAILABLE,
                intent="error",
                escalate=True,
                escalation_reason="internal error in the dialog engine",
            )

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        """Keypad input: 0 asks for a human; other digits are read as spoken text."""
        digits = digits.strip().strip("#*")
        if not digits:
            return None
        if digits == "0":
            return await asyncio.to_thread(
                self.brain.escalate, session, "caller pressed 0 for an operator"
            )
        session.state[DTMF_TURN_KEY] = True  # e.g. a keypad answer to the CSAT survey
        return await self.respond(session, digits)
