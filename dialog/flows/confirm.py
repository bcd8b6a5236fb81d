"""Read-back for state-changing tools: how a flow proposes a change.

A flow proposes: `ask` stores a pending action resolved from the stores and asks a
yes/no question. The tool runs on a later turn, and only if that turn is a plain "yes"
to exactly that question (dialog.flowengine.readback); a "no" drops it; anything else
re-asks once, then drops it. A flow does not offer what the caller refused (`refused`).
"""

from __future__ import annotations

import logging
from typing import Any

from dialog import identity
from dialog.state import PendingAction
from dialog.types import Reply, Session

log = logging.getLogger(__name__)


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
    """Make `action` the pending one and say its question; only for a verified account
    holder (dialog.identity.may_change), else nothing is proposed."""
    if not identity.may_change(session):
        log.warning("read-back of %s refused: caller may not change the account (call %s)",
                    action.tool, session.call_id)
        return identity.refuse_change(session, session.state.flow or action.tool)
    session.state.pending = action
    return Reply(
        text=action.question,
        intent=f"confirm_{action.tool}",
        confidence=1.0,
        tool_calls=[{"tool": action.tool, "args": action.args, "status": "awaiting_confirmation"}],
    )


def refused(session: Session, tool: str) -> bool:
    """Did the caller refuse `tool` in this call ("I don't want a credit"), or may they not
    have it (not the verified account holder: dialog.identity)? Then a flow says what it
    found without offering it."""
    return tool in session.state.refused or not identity.may_change(session)
