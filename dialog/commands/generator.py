"""The seam between understanding and execution: anything that turns a turn into commands.

The default generator is `dialog.rules.RuleGenerator` (rules + the intent classifier +
NLU, no LLM). An LLM-backed one (`dialog.llm.commands.LLMCommandGenerator`) implements
the awaitable twin, `AsyncCommandGenerator`: the engine awaits it on the event loop before
the turn's worker thread runs (so a network call never holds a thread, and a barge-in that
cancels the turn cancels the request), and hands its commands to `Brain.respond`. Whatever
either returns goes through `dialog.commands.validate` before the flow engine sees it; the
LLM one falls back to the rule generator on a timeout or an answer it cannot trust.
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


class AsyncCommandGenerator(Protocol):
    async def generate(self, ctx: TurnContext) -> list[Command]:
        """The same contract as `CommandGenerator.generate`, awaited on the event loop: for a
        generator that waits on the network (an LLM). Never blocks the loop; cancellable."""
        ...
