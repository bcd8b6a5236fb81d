"""EscalationWatch, frames in and out: the dialog's escalating reply puts the call on hold
and tells telephony once; in human mode the AI's speech goes nowhere."""

from __future__ import annotations

from pipecat.tests.utils import SleepFrame

from dialog.types import Reply, Session
from tests.voice.processors.harness import frames_through, kinds
from voice.frames import AgentSayFrame
from voice.processors.bridge import BridgeMode, CallBridge, EscalationWatch

HANDOFF = Reply(text="Let me get a colleague for you.", intent="human", escalate=True,
                escalation_reason="caller asked for a person")
ANSWER = Reply(text="Returns are free within 30 days.", intent="returns")


def watched(name: str) -> tuple[EscalationWatch, CallBridge, list[Reply]]:
    bridge = CallBridge(name)
    escalated: list[Reply] = []

    async def on_escalate(reply: Reply) -> None:
        escalated.append(reply)

    bridge.on_escalate = on_escalate
    return EscalationWatch(bridge, Session(call_id=name)), bridge, escalated


def say(reply: Reply) -> AgentSayFrame:
    return AgentSayFrame(text=reply.text, reply=reply)


async def test_an_escalating_reply_puts_the_call_on_hold_and_asks_for_a_person_once() -> None:
    watch, bridge, escalated = watched("watch-escalate")
    frames = [say(ANSWER), say(HANDOFF), say(ANSWER), say(HANDOFF), SleepFrame(0.2)]
    down, up = await frames_through(watch, frames)
    assert kinds(down) == [AgentSayFrame] * 4
    assert [f.text for f in down if isinstance(f, AgentSayFrame)] == [ANSWER.text, HANDOFF.text,
                                                                      ANSWER.text, HANDOFF.text]
    assert up == []
    assert bridge.mode is BridgeMode.HOLD and bridge.left_ai.is_set()
    assert escalated == [HANDOFF]


async def test_plain_replies_leave_the_call_with_the_ai() -> None:
    watch, bridge, escalated = watched("watch-plain")
    down, _ = await frames_through(watch, [say(ANSWER), SleepFrame(0.1)])
    assert kinds(down) == [AgentSayFrame]
    assert bridge.mode is BridgeMode.AI and escalated == []


async def test_once_a_person_has_the_call_the_ai_says_nothing() -> None:
    watch, bridge, escalated = watched("watch-human")
    bridge.to_human()
    down, _ = await frames_through(watch, [say(ANSWER), say(HANDOFF), SleepFrame(0.1)])
    assert down == [] and escalated == []
