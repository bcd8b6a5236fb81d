"""Conversation repair every flow inherits: corrections, "the other one", "never mind".

- `CorrectSlot`: the flow runs again with the corrected value (its other slots kept), so
  a read-back is re-issued for the corrected action, an answer re-computed.
- `RejectSlot("order_id", v)`: order v is not the one; the flow runs again without it.
- `CancelFlow`: whatever was open (question, read-back, queued requests) is dropped.
"""

from __future__ import annotations

from dialog.commands import Command, CorrectSlot, RejectSlot
from dialog.flowengine.running import Resources, run_flow
from dialog.flows.spec import FlowSpec
from dialog.types import Reply, Session

STOPPED = "Okay, I've stopped that. What else can I do for you?"


def correct(res: Resources, session: Session, flow: FlowSpec, commands: list[Command],
            refusing: frozenset[str]) -> Reply:
    fixes = [c for c in commands if isinstance(c, CorrectSlot)]
    slots = {c.name: c.value for c in fixes}
    state = session.state
    state.pending = None
    if "order_id" in slots or "product" in slots or "date" in slots:
        state.order.order_id = None  # the order is chosen again from the corrected detail
    said = next((c.text for c in fixes if c.text), state.said)
    return run_flow(res, flow, session, slots, said, refusing=refusing)


def reject(res: Resources, session: Session, flow: FlowSpec, cmd: RejectSlot) -> Reply:
    state = session.state
    state.pending = None
    if cmd.name == "order_id" and cmd.value:
        state.order.excluded.append(cmd.value)
        if state.order.order_id == cmd.value:
            state.order.order_id = None
    return run_flow(res, flow, session, {}, state.said)


def cancel(session: Session) -> Reply:
    state = session.state
    state.pending = None
    state.awaiting_flow = None
    state.queue.clear()
    return Reply(text=STOPPED, intent="cancel_flow", confidence=1.0)
