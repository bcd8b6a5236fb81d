"""Supervisor whispers to an AI-handled call (Session.guidance, appended by telephony).

The LLM-free brain cannot follow free-form advice, so it acts on one directive it
can carry out safely — "transfer/escalate/hand over to a person" — on the caller's
next turn; everything else is kept and travels in the handoff package for the human
who takes the call. Guidance never triggers a state-changing tool: those need the
caller's own confirmation (guardrail), whoever asks.
"""

from __future__ import annotations

import re

from dialog.types import Session
from nlu.cues import Cue, cues

_HANDOVER = re.compile(r"\b(escalate|transfer|hand (?:it |this |them |the call )?over)\b", re.I)


def take_guidance(session: Session) -> str | None:
    """Consume new guidance; return the text of a hand-over directive, if any."""
    new = session.guidance[session.state.guidance_seen:]
    session.state.guidance_seen = len(session.guidance)
    for text in new:
        if _HANDOVER.search(text) or Cue.HUMAN in cues(text):
            return text.strip()
    return None
