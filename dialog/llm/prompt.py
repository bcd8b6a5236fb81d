"""What the LLM command generator asks: one fixed system prompt and worked examples (the same
bytes on every turn of a deployment, so a server's prompt cache keeps them warm), then the
turn itself as compact JSON built from `dialog.commands.TurnContext`.

The prompt names every command, flow and slot this deployment has (from the registry and
`dialog.commands.SLOTS`), and the rules the checks enforce anyway: the caller's own words
only, a yes only to what was read back, a refusal is a `deny`, never a `start_flow`.
"""

from __future__ import annotations

import json
from typing import Any

from dialog.commands import SLOTS, TurnContext
from dialog.flows.spec import FlowRegistry

Message = dict[str, Any]

SYSTEM = """\
You are the understanding step of the phone agent of {company}. Read the situation and \
the caller's latest words, and answer ONLY with JSON {{"commands": [...]}}: the commands \
the caller's words mean, in the order the caller said them (usually one).

Commands:
- {{"command": "start_flow", "flow": F, "slots": {{S: V}}, "text": the caller's words}}: \
the caller asks for a task. F is one of:
{flows}
- {{"command": "set_slot", "name": S, "value": V}}: the detail the active flow asked for.
- {{"command": "correct_slot", "name": S, "value": V}}: a detail said before, corrected \
("sorry, I meant 10251").
- {{"command": "reject_slot", "name": S, "value": V}}: "no, the other one" (no new value).
- {{"command": "affirm"}}: a plain yes to exactly what was read back.
- {{"command": "deny", "target": null}}: a no to the read-back; "target": F when the \
caller refuses flow F ("I don't want a pause").
- {{"command": "cancel_flow"}}: "never mind, forget it".
- {{"command": "knowledge_question", "text": the question}}: a question about policies, \
shipping, payment, the products.
- {{"command": "human_handoff", "reason": why}}: the caller asks for a person.
- {{"command": "greeting"}}, {{"command": "goodbye"}}, \
{{"command": "chit_chat", "text": the words}}
- {{"command": "clarify", "flows": [F, F]}}: you cannot tell what the caller wants.

Slot names S and values V:
{slots}

Rules: use only the caller's own words; never invent an order number, phone, email or \
date. Answer "affirm" only when the caller clearly says yes to what was read back. A task \
the caller refuses is a "deny" with that flow as target, never a "start_flow"."""

# (situation, answer) pairs shown before the turn; they teach the format, not the policy
EXAMPLES: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
    ({"caller_says": "hi, where is my order 10251?"},
     {"commands": [{"command": "start_flow", "flow": "order_status",
                    "slots": {"order_id": "10251"}, "text": "where is my order 10251?"}]}),
    ({"active_flow": "order_status", "asked_for_detail": True,
      "recent": [["agent", "Sure. What is the order number?"]],
      "caller_says": "it's one oh two eight eight"},
     {"commands": [{"command": "set_slot", "name": "order_id", "value": "10288"}]}),
    ({"active_flow": "cancel_order", "read_back": "I'll cancel order 10288. Shall I go ahead?",
      "caller_says": "yes please"},
     {"commands": [{"command": "affirm"}]}),
    ({"active_flow": "cancel_subscription",
      "read_back": "Would you like to pause your subscription instead of cancelling?",
      "caller_says": "no, I don't want a pause"},
     {"commands": [{"command": "deny", "target": "pause_subscription"}]}),
    ({"caller_says": "can I just talk to a real person"},
     {"commands": [{"command": "human_handoff", "reason": "caller asked for a person"}]}),
    ({"caller_says": "what is your return policy, and where is order 10251"},
     {"commands": [{"command": "knowledge_question", "text": "what is your return policy"},
                   {"command": "start_flow", "flow": "order_status",
                    "slots": {"order_id": "10251"}, "text": "where is order 10251"}]}),
)


def system_prompt(company: str, flows: FlowRegistry) -> str:
    flow_lines = "\n".join(f"  {spec.name}: {spec.phrase}" for spec in flows)
    slot_lines = "\n".join(f"  {name}: {what}" for name, what in SLOTS.items())
    return SYSTEM.format(company=company, flows=flow_lines, slots=slot_lines)


def situation(ctx: TurnContext) -> dict[str, Any]:
    """The turn as the model reads it: only what is set, short keys, the caller's words last."""
    out: dict[str, Any] = {}
    if ctx.flow:
        out["active_flow"] = ctx.flow
    if ctx.awaiting:
        out["asked_for_detail"] = True
    if ctx.pending is not None:
        out["read_back"] = ctx.pending.question
        if ctx.pending.alternatives:
            out["alternatives_offered"] = list(ctx.pending.alternatives)
    if ctx.choices:
        out["asked_which"] = list(ctx.choices)
    if ctx.order_id:
        out["order"] = ctx.order_id
    if ctx.offered_human:
        out["offered_a_colleague"] = True
    if ctx.survey_pending:
        out["asked_survey_1_to_5"] = True
    if ctx.queued:
        out["queued_requests"] = list(ctx.queued)
    if ctx.history:
        out["recent"] = [list(turn) for turn in ctx.history]
    out["caller_says"] = ctx.text
    return out


def messages(ctx: TurnContext, system: str) -> list[Message]:
    shots: list[Message] = []
    for said, answer in EXAMPLES:
        shots.append({"role": "user", "content": _compact(said)})
        shots.append({"role": "assistant", "content": _compact(answer)})
    return [{"role": "system", "content": system}, *shots,
            {"role": "user", "content": _compact(situation(ctx))}]


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
