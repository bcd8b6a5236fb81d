"""Hotline's own pipecat frames (the rest of the vocabulary is pipecat's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipecat.frames.frames import DataFrame

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
    """Ask the dialog processor to greet the caller (sent once the caller is connected)."""
