"""Rules about the conversation itself: silence, the survey, asking for a person, goodbye,
hello and short yes/no acknowledgements."""

from __future__ import annotations

import re

from dialog.commands import (
    Affirm,
    CancelFlow,
    Clarify,
    Command,
    Deny,
    Goodbye,
    Greeting,
    HumanHandoff,
    SetSlot,
)
from dialog.flows.csat import score_of
from dialog.rules.base import Resources, Turn
from nlu.cues import Cue

# "never mind" while a question or a queued request is open: stop it, not "no"
_STOP_WORDS = (r"never\s*mind|forget\s+(?:it|about\s+it|that)|skip\s+(?:it|that)|scratch\s+that|"
               r"doesn'?t\s+matter|drop\s+it|leave\s+it")
_STOP = re.compile(
    rf"^\W*(?:(?:oh|ok|okay|actually|no|well)\W+)*(?:{_STOP_WORDS})"
    rf"(?:\W+(?:{_STOP_WORDS}|then|thanks|thank\s+you|please))*\W*$",
    re.IGNORECASE,
)
ACK_MAX_WORDS = 3  # "yes", "no thanks": acknowledged, not classified
THANKS_MAX_WORDS = 4  # "thanks a lot" ends the call; "thanks, and where is..." does not


def nothing_said(res: Resources, turn: Turn) -> list[Command] | None:
    """An empty turn (silence, noise) asks again."""
    return [Clarify()] if not turn.text else None


def survey_answer(res: Resources, turn: Turn) -> list[Command] | None:
    """The turn after the survey question answers it (a score, else it just ends the call);
    a request for a person skips it."""
    if not turn.ctx.survey_pending or Cue.HUMAN in turn.cues:
        return None
    score = score_of(turn.text)
    return [SetSlot("csat_score", str(score))] if score is not None else [Goodbye()]


def human_request(res: Resources, turn: Turn) -> list[Command] | None:
    """"A real person, please" (nlu.human): a handoff, whatever else is going on."""
    return [HumanHandoff("caller asked for a human")] if Cue.HUMAN in turn.cues else None


def stop_flow(res: Resources, turn: Turn) -> list[Command] | None:
    """"Never mind" while a flow waits for a detail or requests are queued: CancelFlow."""
    if (turn.ctx.awaiting or turn.ctx.queued) and _STOP.match(turn.text):
        return [CancelFlow()]
    return None


def goodbye(res: Resources, turn: Turn) -> list[Command] | None:
    """Goodbye, or a short thanks."""
    short_thanks = Cue.THANKS in turn.cues and len(turn.text.split()) <= THANKS_MAX_WORDS
    return [Goodbye()] if Cue.GOODBYE in turn.cues or short_thanks else None


def greeting(res: Resources, turn: Turn) -> list[Command] | None:
    return [Greeting()] if Cue.GREETING in turn.cues else None


def short_ack(res: Resources, turn: Turn) -> list[Command] | None:
    """A bare yes or no (nothing pending): the engine takes up a queued request, re-asks an
    open question, accepts an offered colleague, or asks "anything else?". A yes to an
    offered colleague may be longer ("yes, put me through")."""
    yes = Cue.AFFIRM in turn.cues and Cue.DENY not in turn.cues
    if turn.ctx.offered_human and yes:
        return [Affirm()]
    if not turn.cues & {Cue.AFFIRM, Cue.DENY} or len(turn.text.split()) > ACK_MAX_WORDS:
        return None
    return [Affirm()] if yes else [Deny()]
