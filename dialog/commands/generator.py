"""The seam between understanding and execution: anything that turns a turn into commands.

The default generator is `dialog.rules.RuleGenerator` (rules + the intent classifier +
NLU, no LLM). An LLM-backed one implements the same protocol; whatever it returns goes
through `dialog.commands.validate` before the flow engine sees it, and it should fall
back to the rule generator on a timeout or an answer `dialog.commands.parse` rejects.
"""

from __future__ import annotations

from typing import Protocol

from dialog.commands.context import TurnContext
from dialog.commands.types import Command


class CommandGenerator(Protocol):
    def generate(self, ctx: TurnContext) -> list[Command]:
        """The commands of one caller turn, in the order the caller said them. Must not
        change any state (the flow engine does that) and must not block on I/O for long:
        it runs in the turn's worker thread."""
        ...
