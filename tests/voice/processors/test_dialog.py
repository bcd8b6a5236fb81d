"""DialogProcessor, frames in and out, with the real dialog engine behind it."""

from __future__ import annotations

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import InputDTMFFrame, InterruptionFrame
from pipecat.tests.utils import SleepFrame

from dialog.replies import greeting
from kb.demo import reset
from tests.voice.processors.harness import frames_through, kinds
from voice.context import CallContext
from voice.events import TurnRecord
from voice.filecall import TurnCollector
from voice.frames import AgentSayFrame, GreetFrame, UserTurnFrame
from voice.processors.dialog import DialogProcessor
from voice.timing import TurnTiming

CALLER = "+15550100002"  # a demo customer with a late order (10251)


def call(services, name: str) -> tuple[CallContext, TurnCollector]:  # type: ignore[no-untyped-def]
    reports = TurnCollector()
    reset(services.config.data_path)
    return CallContext(call_id=name, services=services.voice, caller_id=CALLER, caller_verified=True,
                       observer=reports), reports


async def test_greet_frame_becomes_the_greeting(services) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = call(services, "dialog-greet")
    down, up = await frames_through(DialogProcessor(ctx), [GreetFrame()])
    assert kinds(down) == [AgentSayFrame] and up == []
    assert down[0].text == greeting(services.config.dialog.company_name)


async def test_a_caller_turn_is_recorded_and_answered(services) -> None:  # type: ignore[no-untyped-def]
    ctx, reports = call(services, "dialog-turn")
    down, _ = await frames_through(DialogProcessor(ctx),
                                   [UserTurnFrame(text="Where is my order?", timing=TurnTiming())],
                                   until=AgentSayFrame)
    assert kinds(down) == [AgentSayFrame]
    say = down[0]
    assert "10251" in say.text and say.reply is not None and say.reply.text == say.text
    assert say.timing is not None and say.timing.dialog_s > 0
    assert [(t.speaker, t.text) for t in reports.turns] == [("caller", "Where is my order?")]


class BargeInOnFirstTurn(TurnCollector):
    """The caller barges in the moment their first turn is on the record, i.e. just as the
    reply to it starts being prepared (a real InterruptionFrame, queued to the processor)."""

    dialog: DialogProcessor | None = None

    async def on_turn(self, turn: TurnRecord) -> None:
        await super().on_turn(turn)
        if len(self.turns) == 1 and self.dialog is not None:
            await self.dialog.queue_frame(InterruptionFrame())


async def test_barge_in_cancels_the_reply_being_prepared(services) -> None:  # type: ignore[no-untyped-def]
    """The first question's reply is dropped: the first AgentSayFrame answers the second,
    asked a second later (long after the first reply would have been ready)."""
    reports = BargeInOnFirstTurn()
    reset(services.config.data_path)
    ctx = CallContext(call_id="dialog-barge", services=services.voice, caller_id=CALLER, caller_verified=True,
                      observer=reports)
    dialog = reports.dialog = DialogProcessor(ctx)
    frames = [UserTurnFrame(text="Where is my order?"), SleepFrame(1.0),
              UserTurnFrame(text="How long do silver members have to return something?")]
    down, _ = await frames_through(dialog, frames, until=AgentSayFrame)
    assert kinds(down) == [InterruptionFrame, AgentSayFrame]
    assert "6 months" in down[1].text and "10251" not in down[1].text
    assert len(reports.turns) == 2  # both caller turns are on the record


async def test_dtmf_zero_asks_for_a_person(services) -> None:  # type: ignore[no-untyped-def]
    ctx, reports = call(services, "dialog-dtmf")
    down, _ = await frames_through(DialogProcessor(ctx), [InputDTMFFrame(button=KeypadEntry.ZERO)])
    assert kinds(down) == [AgentSayFrame, InputDTMFFrame]
    assert down[0].reply is not None and down[0].reply.escalate
    assert ("dtmf", {"digit": "0"}) in reports.events


async def test_a_call_ending_while_a_reply_is_prepared_leaves_no_task_behind(services) -> None:  # type: ignore[no-untyped-def]
    """The EndFrame right behind the turn ends the call before the brain answers; the reply
    task must go with it (the task-leak check fails this test otherwise)."""
    ctx, reports = call(services, "dialog-end")
    down, _ = await frames_through(DialogProcessor(ctx), [UserTurnFrame(text="Where is my order?")])
    assert down == [] and len(reports.turns) == 1
