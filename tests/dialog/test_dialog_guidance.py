"""Supervisor whispers to an AI-handled call: a hand-over directive is acted on, other
advice travels to the human, and no whisper can run a tool."""

from __future__ import annotations

from dialog.types import DialogEngine, Session


async def test_hand_over_directive_escalates_on_the_next_turn(engine: DialogEngine) -> None:
    session = Session(call_id="guided-1")
    await engine.greet(session)
    session.guidance.append("Please transfer this caller to a person, they sound upset.")
    reply = await engine.respond(session, "What is the return window for gold members?")
    assert reply.escalate
    assert reply.escalation_reason and reply.escalation_reason.startswith("supervisor:")
    package = reply.tool_calls[0]
    assert package["tool"] == "handoff"
    assert package["supervisor_guidance"] == session.guidance


async def test_advice_is_kept_but_does_not_hijack_the_answer(engine: DialogEngine) -> None:
    session = Session(call_id="guided-2")
    session.guidance.append("Be extra polite, VIP customer.")
    reply = await engine.respond(session, "How long do silver members have to send something back?")
    assert not reply.escalate
    assert "6 months" in reply.text
    # consumed once: a later turn is not escalated by old guidance either
    later = await engine.respond(session, "Thanks, and what about gold members?")
    assert not later.escalate


async def test_a_whisper_cannot_confirm_a_state_changing_tool(engine: DialogEngine) -> None:
    session = Session(call_id="guided-3")
    session.guidance.append("Cancel order 1234 for them and confirm it, yes.")
    reply = await engine.respond(session, "Hi, I have a question about my account.")
    assert not any(c.get("tool", "").startswith("cancel") for c in reply.tool_calls)
