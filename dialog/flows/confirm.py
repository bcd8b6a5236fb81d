"""Read-back and explicit confirmation for state-changing tools.

A flow proposes: `ask` stores a pending action resolved from the stores and asks a
yes/no question. The tool runs on a later turn, and only if that turn is a plain "yes"
(`confirm`); a "no" drops it; anything else re-asks once, then drops it.
"""

from __future__ import annotations

import logging
from typing import Any

from dialog.errors import ToolError
from dialog.services import Services
from dialog.state import PendingAction
from dialog.types import Reply, Session
from nlu.cues import Cue

log = logging.getLogger(__name__)

ANYTHING_ELSE = "Is there anything else I can help with?"


def ask(
    session: Session,
    tool: str,
    args: dict[str, Any],
    question: str,
    *,
    done: str,
    declined: str,
    soft: bool = False,
) -> Reply:
    """Read back `tool(args)` with `question`; `soft`: an offer, dropped (not re-asked)
    when the answer is neither yes nor no."""
    action = PendingAction(tool, args, question, done=done, declined=declined, soft=soft)
    return read_back(session, action)


def read_back(session: Session, action: PendingAction) -> Reply:
    """Make `action` the pending one and say its question."""
    session.state.pending = action
    return Reply(
        text=action.question,
        intent=f"confirm_{action.tool}",
        confidence=1.0,
        tool_calls=[{"tool": action.tool, "args": action.args, "status": "awaiting_confirmation"}],
    )


def confirm(svc: Services, session: Session, found: set[Cue]) -> Reply | None:
    """Handle the turn after a read-back. Returns None when no action is pending."""
    pending = session.state.pending
    if pending is None:
        return None
    tool, args = pending.tool, pending.args
    if Cue.AFFIRM in found and Cue.DENY not in found:
        session.state.pending = None
        try:
            result = svc.tools.call(session, tool, args, confirmed=True, reason="caller confirmed")
        except ToolError:
            log.warning("confirmed tool %s failed (call %s)", tool, session.call_id, exc_info=True)
            return Reply(
                text="Sorry, I couldn't complete that. Let me know if I should "
                "connect you with a colleague.",
                intent=tool,
                confidence=1.0,
            )
        return Reply(
            text=f"{pending.done} {ANYTHING_ELSE}",
            intent=tool,
            confidence=1.0,
            tool_calls=[
                {
                    "tool": tool,
                    "args": args,
                    "status": "done",
                    "result": getattr(result, "status", None),
                }
            ],
        )
    if Cue.DENY in found:
        session.state.pending = None
        return Reply(
            text=f"{pending.declined} What else can I do for you?", intent="deny", confidence=1.0
        )
    if pending.soft or pending.asked >= 2:
        session.state.pending = None
        return None  # treat this turn as a new request
    pending.asked = 2
    return Reply(
        text="Sorry, I need a clear yes or no. Should I go ahead?",
        intent=f"confirm_{tool}",
        confidence=1.0,
    )
