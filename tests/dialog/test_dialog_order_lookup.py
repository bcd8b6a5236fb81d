"""Order numbers: any number routes to order status; an unknown one is never swapped for another;
by its number alone an order is only found, not described (docs/dialog.md, identity)."""

from __future__ import annotations

from dialog.types import DialogEngine, Session


async def test_status_question_with_any_order_number_reaches_the_order_flow(engine: DialogEngine) -> None:
    for order_id in ("10288", "10251"):
        reply = await engine.respond(Session(call_id=f"lookup-{order_id}"),
                                     f"What is the status of order {order_id}?")
        assert reply.intent == "order_status", reply
        assert reply.text.startswith("I found that order.") and "zip code" in reply.text
        assert order_id not in reply.text  # nothing about it until the caller is verified


async def test_an_unknown_order_number_is_not_answered_with_another_order(engine: DialogEngine) -> None:
    # +15550100001 (verified) owns 10288
    session = Session(call_id="lookup-unknown", caller_id="+15550100001", caller_verified=True)
    first = await engine.respond(session, "What is the status of order 10288?")
    assert "10288" in first.text
    reply = await engine.respond(session, "And order 55512, where is that one?")
    assert "55512" in reply.text and "couldn't find" in reply.text
    assert "10288" not in reply.text


async def test_someone_elses_order_is_not_disclosed_to_an_identified_caller(engine: DialogEngine) -> None:
    # +15550100002 owns 10251, not 10288
    session = Session(call_id="lookup-other", caller_id="+15550100002", caller_verified=True)
    reply = await engine.respond(session, "What is the status of order 10288?")
    assert "Rain Jacket" not in reply.text and "isn't on your account" in reply.text
    assert "zip code" in reply.text  # the same verification, for that account (docs/dialog.md)
