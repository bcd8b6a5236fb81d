"""Commands are checked against the registry and the turn before the flow engine runs them.

Whatever produced them (rules or an LLM): an unknown flow, slot or refusal target is
dropped (and logged); a slot for a flow that does not take it is dropped; a request for
a person leaves nothing else; and an `Affirm` of a pending read-back survives only if the
caller's own words are a plain yes (an affirm cue and no deny cue), so no generator can
confirm an account change the caller did not say yes to.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from dialog.commands.context import TurnContext
from dialog.commands.types import (
    SLOTS,
    Affirm,
    Clarify,
    Command,
    CorrectSlot,
    Deny,
    HumanHandoff,
    RejectSlot,
    SetSlot,
    StartFlow,
)
from dialog.flows.spec import FlowRegistry
from nlu.cues import plain_yes

log = logging.getLogger(__name__)

MAX_COMMANDS = 6
SURVEY_SLOT = "csat_score"


def validate(commands: list[Command], ctx: TurnContext, flows: FlowRegistry) -> list[Command]:
    """The commands that may run, in order; the rest are logged and dropped."""
    handoff = next((c for c in commands if isinstance(c, HumanHandoff)), None)
    if handoff is not None:
        return [handoff]
    kept: list[Command] = []
    for cmd in commands[:MAX_COMMANDS]:
        checked = _check(cmd, ctx, flows)
        if checked is None:
            log.info("command rejected: %r", cmd)
        else:
            kept.append(checked)
    return kept


def _check(cmd: Command, ctx: TurnContext, flows: FlowRegistry) -> Command | None:
    if isinstance(cmd, StartFlow):
        spec = flows.get(cmd.flow)
        if spec is None:
            return None
        slots = {k: v for k, v in cmd.slots.items() if k in SLOTS and spec.takes(k)}
        return cmd if slots == cmd.slots else replace(cmd, slots=slots)
    if isinstance(cmd, SetSlot | CorrectSlot | RejectSlot):
        if cmd.name == SURVEY_SLOT:
            return cmd if ctx.survey_pending and isinstance(cmd, SetSlot) else None
        spec = flows.get(ctx.flow)
        return cmd if cmd.name in SLOTS and spec is not None and spec.takes(cmd.name) else None
    if isinstance(cmd, Affirm) and ctx.pending is not None:
        return cmd if plain_yes(ctx.text) else None
    if isinstance(cmd, Deny) and cmd.target is not None:
        tools = {tool for spec in flows for tool in spec.confirms}
        return cmd if cmd.target in flows or cmd.target in tools else None
    if isinstance(cmd, Clarify):
        known = tuple(f for f in cmd.flows if f in flows)
        return cmd if known == cmd.flows else Clarify(known if len(known) > 1 else ())
    return cmd
