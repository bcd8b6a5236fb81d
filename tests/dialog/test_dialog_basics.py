"""Greeting, grounded answers, clarify and escalation through the public engine."""

from __future__ import annotations

import re

from dialog import replies
from dialog.types import DialogEngine, Session

_UI_JARGON = re.compile(r"\[|\]|\bclick\b|\btoggle\b|\bbutton\b|\boracle\b|[*#`]", re.I)


def _session() -> Session:
    return Session(call_id="test-call")


async def test_greeting_is_short_and_names_company(engine: DialogEngine) -> None:
    reply = await engine.greet(_session())
    assert reply.text == "Thanks for calling Acme Apparel. How can I help you today?"
    assert not reply.escalate


async def test_policy_question_is_answered_with_citation(engine: DialogEngine) -> None:
    reply = await engine.respond(
        _session(), "How long do silver members have to send something back?"
    )
    assert "6 months" in reply.text
    assert reply.citations, "a policy answer must cite its passage"
    assert any("membership" in c.doc_id or "return" in c.doc_id for c in reply.citations)
    assert not _UI_JARGON.search(reply.text)
    first = re.split(r"(?<=[.!?])\s", reply.text)[0]
    assert len(first.split()) <= 12


async def test_out_of_scope_question_gets_no_answer(engine: DialogEngine) -> None:
    reply = await engine.respond(_session(), "What's the capital of Mongolia?")
    assert reply.intent == "no_answer" and reply.text == replies.NO_ANSWER
    assert not reply.citations
    assert not reply.escalate


async def test_a_fragment_gets_clarify(engine: DialogEngine) -> None:
    reply = await engine.respond(_session(), "the the blue um on the")
    assert reply.intent == "clarify" and reply.text == replies.CLARIFY
    assert not reply.citations


async def test_repeated_failures_offer_a_human(engine: DialogEngine) -> None:
    session = _session()
    texts = ["Set an alarm for seven", "Play some jazz music", "How tall is Mount Everest?"]
    outcomes = [await engine.respond(session, t) for t in texts]
    assert not outcomes[0].escalate and not outcomes[1].escalate
    assert outcomes[2].escalate and outcomes[2].escalation_reason


async def test_explicit_human_request_escalates_with_handoff(engine: DialogEngine) -> None:
    session = _session()
    await engine.respond(session, "My promo code isn't working")
    reply = await engine.respond(session, "I want to talk to a real person")
    assert reply.escalate
    handoff = [c for c in reply.tool_calls if c.get("tool") == "handoff"]
    assert handoff and "promo code" in " ".join(handoff[0]["caller_turns"]).lower()


async def test_dtmf_zero_reaches_operator(engine: DialogEngine) -> None:
    reply = await engine.on_dtmf(_session(), "0")
    assert reply is not None and reply.escalate
