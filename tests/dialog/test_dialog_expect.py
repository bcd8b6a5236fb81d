"""The brain reads the caller's words as the detail it just asked for (nlu.expect)."""

from __future__ import annotations

from dialog.types import DialogEngine, Session
from nlu.expect import Expect


def _verified(call_id: str) -> Session:
    # +15550100002 (Priya Shah) owns order 10251
    return Session(call_id=call_id, caller_id="+15550100002", caller_verified=True)


async def test_a_bare_cardinal_after_the_order_number_question_is_the_order(engine: DialogEngine) -> None:
    session = _verified("expect-order")
    asked = await engine.respond(session, "What's the status of order 55512?")
    assert asked.expect is Expect.ORDER_ID, asked
    reply = await engine.respond(session, "ten two fifty one")
    assert "10251" in reply.text, reply


async def test_the_same_words_unasked_are_not_an_order_number(engine: DialogEngine) -> None:
    reply = await engine.respond(_verified("expect-none"), "ten two fifty one")
    assert "10251" not in reply.text, reply


async def test_a_reply_that_asks_nothing_expects_nothing(engine: DialogEngine) -> None:
    reply = await engine.respond(_verified("expect-answer"), "What's the status of order 10251?")
    assert "10251" in reply.text
    assert reply.expect is None
