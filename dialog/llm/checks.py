"""Checks an LLM's commands must pass before the brain acts on them (on top of
`dialog.commands.validate`, which every generator's output passes).

Pure functions. Any problem means the whole answer is set aside and the rule generator's
commands are used instead: a half-trusted turn is not executed.

- nothing the schema or `validate` rejects (unknown flow, slot or refusal target, a slot
  the flow does not take, an `affirm` when the caller's words are not a plain yes);
- a flow that needs the caller's own words ("cancel", "pause", "upgrade"...) starts only
  if they were said;
- a flow the rule generator hears refused ("I don't want a pause") is not started;
- an order number, phone or zip code is one the caller said (or the order being discussed),
  an email is made of the caller's words: the model may normalise, never invent;
- "clarify" alone is no answer: the rules may still understand the turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dialog.commands import (
    Clarify,
    Command,
    CorrectSlot,
    Deny,
    HumanHandoff,
    SetSlot,
    StartFlow,
    TurnContext,
    validate,
)
from dialog.flows.spec import FlowRegistry
from nlu.entities import normalize_digits

DIGIT_SLOTS = frozenset({"order_id", "phone", "zip_code"})
_NUMBER_WORD = re.compile(
    r"\b(zero|oh|o|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|double|triple)\b", re.I)


def problems(commands: list[Command], ctx: TurnContext, flows: FlowRegistry,
             rule_commands: Iterable[Command] = ()) -> tuple[list[Command], list[str]]:
    """(the commands to run, why they may not run); run them only if the list is empty."""
    if not commands:
        return [], ["no commands"]
    kept = validate(commands, ctx, flows)
    found: list[str] = []
    if len(kept) < len(commands) and not any(isinstance(c, HumanHandoff) for c in kept):
        dropped = [c for c in commands if c not in kept]
        found.append(f"rejected by validation: {dropped}")
    refused = {c.target for c in rule_commands if isinstance(c, Deny) and c.target}
    for cmd in kept:
        if isinstance(cmd, StartFlow):
            spec = flows[cmd.flow]
            if not spec.allows(ctx.text):
                found.append(f"{cmd.flow} started without the caller's words for it")
            if cmd.flow in refused:
                found.append(f"{cmd.flow} started though the caller refused it")
            found += [why for name, value in cmd.slots.items()
                      if (why := invented(name, value, ctx, allow_context=True))]
        elif isinstance(cmd, SetSlot | CorrectSlot) and (
                why := invented(cmd.name, cmd.value, ctx)):
            found.append(why)
    if all(isinstance(c, Clarify) for c in kept):
        found.append("not understood (clarify)")
    return kept, found


def invented(name: str, value: str, ctx: TurnContext, *, allow_context: bool = False) -> str:
    """Why `value` for slot `name` is not the caller's ("" when it is)."""
    said = ctx.text
    if name in DIGIT_SLOTS:
        digits = re.sub(r"\D", "", value)
        if not digits:
            return f"{name} {value!r} has no digits"
        runs = re.sub(r"\D", "", normalize_digits(said))
        if digits in runs or (allow_context and digits == ctx.order_id):
            return ""
        if _NUMBER_WORD.search(said):
            return ""  # "ten two fifty-one": spoken numbers the model may read better than we
        return f"{name} {value!r} was not said"
    if name == "email":
        words = {w for w in re.split(r"[^a-z0-9]+", said.lower()) if w}
        parts = [p for p in re.split(r"[^a-z0-9]+", value.lower()) if p]
        missing = [p for p in parts if p not in words and p not in said.lower()]
        return f"email {value!r} was not said ({missing})" if missing else ""
    return ""
