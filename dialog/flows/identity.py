"""A flow that needs the caller's account asks for it the same way everywhere."""

from __future__ import annotations

from dialog.types import Reply, Session

NEED_ID = "I can help with that. First, what's the email address on your account?"


def ask_for_account(session: Session, flow: str, text: str = NEED_ID) -> Reply:
    """Remember that `flow` waits for an identifying detail and ask for it."""
    session.state.awaiting_flow = flow
    return Reply(text=text, intent=flow, confidence=1.0)
