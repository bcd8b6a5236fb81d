"""A cancelled turn keeps the call's lock until the brain's thread is done with the session."""

from __future__ import annotations

import asyncio
import threading
import time

from dialog.engine import HotlineEngine
from dialog.types import Reply, Session


class _SlowBrain:
    """Stands in for the brain at the engine's seam: records overlapping turns per session."""

    def __init__(self) -> None:
        self.active = 0
        self.overlaps = 0
        self.guard = threading.Lock()

    def respond(self, session: Session, text: str, *, dtmf: bool = False) -> Reply:
        with self.guard:
            self.active += 1
            self.overlaps += self.active > 1
        time.sleep(0.2)
        with self.guard:
            self.active -= 1
        return Reply(text=f"ok {text}")


async def test_a_cancelled_turn_blocks_the_next_until_its_thread_finishes() -> None:
    brain = _SlowBrain()
    engine = HotlineEngine(brain)  # type: ignore[arg-type]
    session = Session(call_id="c1")
    first = asyncio.create_task(engine.respond(session, "one"))
    await asyncio.sleep(0.05)  # the first turn's thread is running
    first.cancel()  # a barge-in cancels the reply task
    reply = await engine.respond(session, "two")
    assert reply.text == "ok two"
    assert brain.overlaps == 0  # the second turn never ran beside the first one's thread
    assert first.cancelled()
