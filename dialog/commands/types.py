"""The commands understanding hands to the flow engine: small, frozen, JSON-shaped.

A command generator (dialog.commands.generator) turns one caller turn into a short list
of these; the flow engine (dialog.flowengine) executes them against the conversation's
state and the flow registry. Anchor: Rasa CALM's commands. A command never runs a tool:
a state-changing tool runs only when an `Affirm` answers the read-back a flow made.

Slots are named from one vocabulary (`SLOTS`); values are strings as a caller would give
them once normalised (dates ISO `2026-03-01`, digits without spaces, amounts `150`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# slot name -> what it holds (the JSON schema and an LLM prompt say this to a generator)
SLOTS: dict[str, str] = {
    "order_id": "an order number, digits only",
    "date": "a date, ISO 2026-03-01 (a purchase date)",
    "email": "an email address",
    "phone": "a phone number, digits only",
    "zip_code": "a five-digit zip code",
    "full_name": "the caller's full name",
    "tier": "a membership tier: gold, silver, bronze or guest",
    "product": "a product name from the catalogue",
    "plan": "a subscription plan name",
    "amount": "an amount of money in dollars, e.g. 150",
    "details": "free words answering the question the flow asked",
    "csat_score": "the answer to the satisfaction survey, 1 to 5",
}


@dataclass(frozen=True)
class StartFlow:
    """Start flow `flow` (a registry name) with what the caller already said for it.
    `text`: the caller's words this request came from (one clause of a longer turn)."""

    flow: str
    slots: dict[str, str] = field(default_factory=dict)
    text: str = ""
    confidence: float = 1.0  # how sure the generator is (a classifier probability)


@dataclass(frozen=True)
class SetSlot:
    """A detail for the active flow: usually the answer to the question it asked."""

    name: str
    value: str


@dataclass(frozen=True)
class CorrectSlot:
    """"Sorry, I meant 10251": a detail said before is replaced; the flow runs again with it
    (a pending read-back is dropped and re-issued for the corrected action)."""

    name: str
    value: str
    text: str = ""


@dataclass(frozen=True)
class RejectSlot:
    """"No, the other one": the value in use is wrong, and no replacement was said."""

    name: str
    value: str


@dataclass(frozen=True)
class Affirm:
    """A plain yes to exactly what was read back (or to an offer)."""


@dataclass(frozen=True)
class Deny:
    """A no. `target`: what is refused, a flow name ("pause_subscription") or a tool an
    offer would run; None: the pending read-back or offer itself."""

    target: str | None = None


@dataclass(frozen=True)
class CancelFlow:
    """"Never mind, forget it": stop the active flow (and what was queued)."""


@dataclass(frozen=True)
class KnowledgeQuestion:
    """A question the manual may answer; `text` is the question."""

    text: str


@dataclass(frozen=True)
class HumanHandoff:
    """The caller asked for a person; this wins over every other command in the turn."""

    reason: str = "caller asked for a human"


@dataclass(frozen=True)
class Greeting:
    """Hello."""


@dataclass(frozen=True)
class Goodbye:
    """Goodbye, or a short thanks that ends the call."""


@dataclass(frozen=True)
class ChitChat:
    """Small talk with no task in it."""

    text: str = ""


@dataclass(frozen=True)
class Clarify:
    """Not understood. `flows`: the two (or more) flows the caller may mean, to be asked
    as "Is that about A, or B?"; empty: ask to rephrase."""

    flows: tuple[str, ...] = ()


Command = (
    StartFlow | SetSlot | CorrectSlot | RejectSlot | Affirm | Deny | CancelFlow
    | KnowledgeQuestion | HumanHandoff | Greeting | Goodbye | ChitChat | Clarify
)

# the JSON name of each command ("command": "start_flow", ...), in schema order
NAMES: dict[type[Any], str] = {
    StartFlow: "start_flow",
    SetSlot: "set_slot",
    CorrectSlot: "correct_slot",
    RejectSlot: "reject_slot",
    Affirm: "affirm",
    Deny: "deny",
    CancelFlow: "cancel_flow",
    KnowledgeQuestion: "knowledge_question",
    HumanHandoff: "human_handoff",
    Greeting: "greeting",
    Goodbye: "goodbye",
    ChitChat: "chit_chat",
    Clarify: "clarify",
}
