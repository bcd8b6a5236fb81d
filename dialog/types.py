"""Shared vocabulary of the dialog layer: what a channel hands in and gets back.

Logic-free on purpose (like starlette's types.py): every channel (voice, web chat,
SMS) talks to the brain through these types and the `DialogEngine` protocol. The brain's
per-conversation memory is its own business: other layers use `Session`'s
accessors, never the state itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from dialog.control import CallControl
from dialog.state import DialogState
from nlu.expect import Expect


@dataclass(frozen=True)
class Citation:
    """A knowledge-base passage an answer is grounded on."""

    doc_id: str
    title: str
    passage: str
    score: float


@dataclass
class Reply:
    """What the brain says back for one caller turn."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    escalate: bool = False
    escalation_reason: str | None = None
    end_call: bool = False
    # the detail this reply asks the caller for (an order number, a zip code...), so the
    # caller's next words are read as that slot and the voice layer primes the recognizer
    # for it; set by the brain from the question asked (nlu.expect.asked_for) when a flow
    # leaves it None
    expect: Expect | None = None


@dataclass
class Session:
    """Per-conversation state the brain keeps between turns (one per call/chat)."""

    call_id: str
    channel: str = "voice"
    caller_id: str | None = None
    # True only when the entrance vouches for caller_id (a trusted trunk, a signed identity):
    # otherwise the number names an account without verifying the caller (docs/dialog.md)
    caller_verified: bool = False
    history: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text)
    state: DialogState = field(default_factory=DialogState)  # the brain's own (dialog/state.py)
    guidance: list[str] = field(default_factory=list)  # supervisor whispers for the AI
    # the live call's hang-up/transfer (dialog/control.py); None for text channels. Not state:
    # left out of repr and comparisons; do not serialize it.
    control: CallControl | None = field(default=None, repr=False, compare=False)

    # The only ways other layers touch the brain's state (dialog/ owns its fields).
    def mark_awaiting_human(self) -> None:
        """The call now waits for a person (the voice bridge put it on hold). The brain keeps
        answering questions, but leaves account changes to that person and makes no second
        handoff (docs/handoff.md, "While the caller waits")."""
        self.state.awaiting_human = True

    def awaiting_human(self) -> bool:
        """Whether the conversation has been handed over and waits for a person."""
        return self.state.awaiting_human

    def caller_sentiment(self) -> list[float]:
        """The caller's sentiment per turn so far (-1..1, oldest first)."""
        return list(self.state.sentiment)

    def identified_customer(self) -> str | None:
        """The customer id the brain has tied this conversation to (by caller id, a detail
        the caller gave, or an identity check), if any; not a statement of verification."""
        return self.state.customer_id or None

    def last_intent(self) -> str | None:
        """The intent of the brain's last reply that was not a clarify, if any."""
        return self.state.last_intent or None

    def reply_unheard(self, reply: Reply) -> None:
        """The caller did not hear `reply` in full (talked over, or never played): a read-back
        it asked is dropped, so the caller's next "yes" (which answers something else)
        confirms nothing. The voice layer calls this (voice/processors/dialog.py)."""
        pending = self.state.pending
        if pending is not None and (reply.intent == f"confirm_{pending.tool}"
                                    or pending.question in reply.text):
            self.state.pending = None


class DialogEngine(Protocol):
    """The seam every channel uses. Implementations must not block the event loop."""

    async def greet(self, session: Session) -> Reply: ...

    async def respond(self, session: Session, text: str) -> Reply: ...

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None: ...
