"""The answer to a pending read-back (or offer), executed. Conversation repair lives here
for every flow that reads back a change: nothing in a flow's own code.

- `Affirm` (validated: the caller's words are a plain yes): the tool runs, exactly as read.
- `Deny()`: dropped. `Deny(alternative)`: the alternative ("pause instead") is refused and
  the flow reads back again without offering it.
- the alternative's flow requested ("pause it instead"): that alternative is read back.
- `CorrectSlot` / `RejectSlot`: dropped, and the flow runs again with the correction, so
  the read-back is re-issued for the corrected action.
- `Deny()` + a request for another flow ("no, I meant my subscription"): dropped silently,
  and the new request runs.
- anything else: an offer (soft) is dropped and the turn is a new request; a read-back is
  asked once more, in full (a question about it is answered by what it says), then dropped.
"""

from __future__ import annotations

import logging

from dialog.commands import (
    Affirm,
    Command,
    CorrectSlot,
    Deny,
    RejectSlot,
    StartFlow,
    TurnContext,
)
from dialog.errors import ToolError
from dialog.flowengine.repair import correct, reject
from dialog.flowengine.running import Resources, run_flow
from dialog.flows.confirm import read_back
from dialog.state import PendingAction
from dialog.types import Reply, Session

log = logging.getLogger(__name__)

ANYTHING_ELSE = "Is there anything else I can help with?"
REASK = "Sorry, I need a clear yes or no."


def answer(res: Resources, session: Session, ctx: TurnContext, commands: list[Command],
           refusing: frozenset[str]) -> Reply | None:
    """The reply to the pending read-back, or None: the commands are a new request."""
    state = session.state
    pending = state.pending
    assert pending is not None
    flow = res.flows.get(state.flow)
    for cmd in commands:
        if isinstance(cmd, StartFlow) and (alt := _alternative(res, pending, cmd.flow)):
            return read_back(session, alt)
    for cmd in commands:
        if isinstance(cmd, Deny) and cmd.target is not None and cmd.target != state.flow:
            alt = _alternative(res, pending, cmd.target)
            if alt is not None and flow is not None:
                state.pending = None  # read back again, the alternative no longer offered
                reply = run_flow(res, flow, session, {}, state.said, refusing=refusing)
                reply.text = f"{alt.declined} {reply.text}"
                return reply
    if any(isinstance(c, CorrectSlot | RejectSlot) for c in commands) and flow is not None:
        state.pending = None
        fix = next(c for c in commands if isinstance(c, CorrectSlot | RejectSlot))
        return (correct(res, session, flow, commands, refusing) if isinstance(fix, CorrectSlot)
                else reject(res, session, flow, fix))
    denied = any(isinstance(c, Deny) and c.target in (None, state.flow) for c in commands)
    if denied:
        state.pending = None
        if any(isinstance(c, StartFlow) for c in commands):
            return None  # "no, I meant my subscription": the new request runs
        return Reply(text=f"{pending.declined} What else can I do for you?", intent="deny",
                     confidence=1.0)
    if any(isinstance(c, Affirm) for c in commands):
        state.pending = None
        state.queue[:0] = [c for c in commands if isinstance(c, StartFlow)]
        return run_confirmed(res, session, pending)
    if pending.soft or pending.asked >= 2:
        state.pending = None
        return None  # treat this turn as a new request
    pending.asked = 2  # asked again in full: a question about it ("how much more is that?")
    return Reply(text=f"{REASK} {pending.question}", intent=f"confirm_{pending.tool}",
                 confidence=1.0)


def _alternative(res: Resources, pending: PendingAction, name: str) -> PendingAction | None:
    """The pending action's alternative that flow (or tool) `name` stands for."""
    spec = res.flows.get(name)
    tool = spec.confirms[0] if spec is not None and spec.confirms else name
    return next((a for a in pending.alternatives.values() if a.tool == tool), None)


def run_confirmed(res: Resources, session: Session, pending: PendingAction) -> Reply:
    """The caller said yes to exactly `pending`: run its tool."""
    tool, args = pending.tool, pending.args
    try:
        result = res.services.tools.call(session, tool, args, confirmed=True,
                                         reason="caller confirmed")
    except ToolError:
        log.warning("confirmed tool %s failed (call %s)", tool, session.call_id, exc_info=True)
        return Reply(text="Sorry, I couldn't complete that. Let me know if I should "
                     "connect you with a colleague.", intent=tool, confidence=1.0)
    return Reply(
        text=f"{pending.done} {ANYTHING_ELSE}",
        intent=tool,
        confidence=1.0,
        tool_calls=[{"tool": tool, "args": args, "status": "done",
                     "result": getattr(result, "status", None)}],
    )
