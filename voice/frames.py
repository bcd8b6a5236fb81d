"""Hotline's own pipecat frames (the rest of the vocabulary is pipecat's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipecat.frames.frames import DataFrame, SystemFrame, TTSStoppedFrame

from voice.timing import TurnTiming


@dataclass
class UserTurnFrame(DataFrame):
    """A finished caller turn: its transcript and how long each step took."""

    text: str = ""
    timing: TurnTiming = field(default_factory=TurnTiming)
    # the caller's previous turn, when this one goes on from it: it was taken too early
    # and its reply cut; `text` holds both parts and is answered instead
    continues: str = ""


@dataclass
class AgentSayFrame(DataFrame):
    """Text the agent should speak, with the dialog's structured reply attached."""

    text: str = ""
    timing: TurnTiming | None = None
    reply: Any = None


@dataclass
class GreetFrame(DataFrame):
    """Ask the dialog processor to greet the caller (the Greeter sends it once the caller
    is connected, voice/processors/callflow.py)."""


@dataclass
class ReplySpokenFrame(TTSStoppedFrame):
    """The TTSStoppedFrame that ends an agent utterance, with the dialog reply it spoke.

    Outputs forward it downstream once the utterance has been played (voice/transport.py),
    so the processor after the output knows, e.g., that a goodbye has been heard."""

    reply: Any = None  # dialog.types.Reply, or None for speech with no reply behind it


@dataclass
class NothingToSayFrame(SystemFrame):
    """Pushed upstream by the dialog processor when its reply to a turn had no text: the
    reply the turn was waiting for will not come (turn taking stops expecting it)."""
