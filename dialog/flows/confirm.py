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
from dialog.types import Reply, Session
from nlu.cues import Cue

log = logging.getLogger(__name__)

PENDING_KEY = "pending_action"
ANYTHING_ELSE = "Is there anything else I can help with?"


def ask(
    session: Session, tool: str, args: dict[str, Any], question: str, *, done: str, declined: str
) -> Reply:
    session.state[PENDING_KEY] = {
        "tool": tool,
        "args": args,
        "asked": 1,
        "done": done,
        "declined": declined,
    }
    return Reply(
        text=question,
        intent=f"confirm_{tool}",
        confidence=1.0,
        tool_calls=[{"tool": tool, "args": args, "status": "awaiting_confirmation"}],
    )


def confirm(svc: Services, session: Session, found: set[Cue]) -> Reply | None:
    """Handle the turn after a read-back. Returns None when no action is pending."""
    pending = session.state.get(PENDING_KEY)
    if not pending:
        return None
    tool, args = pending["tool"], pending["args"]
    if Cue.AFFIRM in found and Cue.DENY not in found:
        session.state.pop(PENDING_KEY)
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
            text=f"{pending['done']} {ANYTHING_ELSE}",
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
        session.state.pop(PENDING_KEY)
        return Reply(
            text=f"{pending['declined']} What else can I do for you?", intent="deny", confidence=1.0
        )
    if pending.get("asked", 1) >= 2:
        session.state.pop(PENDING_KEY)
        return None  # treat this turn as a new request
    pending["asked"] = 2
    return Reply(
        text="Sorry, I need a clear yes or no. Should I go ahead?",
        intent=f"confirm_{tool}",
        confidence=1.0,
    )
