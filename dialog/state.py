"""What the brain remembers about one conversation between turns, as typed fields.

One `DialogState` per `Session` (`Session.state`). Only dialog/ reads or writes it; other
layers go through `Session`'s methods (`mark_awaiting_human`, `caller_sentiment`,
`last_intent`). Shared context (who the caller is, which order is being discussed) has
its own field; what only one flow collects lives in that flow's slots dataclass, held
here by type (`slots(ReturnSlots)`), so a new flow adds no field to this module.

Logic-free on purpose; it must stay deep-copyable (the LLM wrapper rolls a turn back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

SlotsT = TypeVar("SlotsT")


@dataclass
class PendingAction:
    """A state-changing tool call read back to the caller, waiting for their yes or no.

    `question` is exactly what was read back; the tool runs with `args` only after a
    plain yes on a later turn (dialog.flows.confirm)."""

    tool: str
    args: dict[str, Any]
    question: str
    done: str  # said after the tool ran
    declined: str  # said after a no
    asked: int = 1  # times read back: a second unclear answer drops it
    soft: bool = False  # an offer: an unclear answer drops it at once, it is not re-asked
    # other actions the caller may pick instead by naming them ("pause" for a cancellation)
    alternatives: dict[str, PendingAction] = field(default_factory=dict)


@dataclass
class OrderContext:
    """The order being discussed, shared by the order, cancel, return and complaint flows."""

    order_id: str | None = None
    excluded: list[str] = field(default_factory=list)  # orders the caller said they did not mean
    credit_offered: list[str] = field(default_factory=list)  # late orders offered the fee credit


@dataclass
class CallerIdentity:
    """Who the caller is, as far as this call has shown (docs/dialog.md, "Identity and
    disclosure"); kept and changed only by the gate, dialog.identity.

    `level`: "anonymous" (no account named yet), "named" (a caller id the entrance does
    not vouch for, or a phone, email or order number said, names `account`), "verified"
    (the entrance vouched, or a second fact from the record matched)."""

    level: str = "anonymous"
    account: str | None = None  # the customer id named or verified
    named_by: str | None = None  # caller_id | phone | email | order_id
    verified_by: str | None = None  # caller_id | zip_code | email | phone | order_id | identity_check
    holder: bool = True  # False: the caller asks about someone else's account
    asked: bool = False  # the second-fact question was asked (asked once, remembered)
    failures: int = 0  # wrong second facts; at WRONG_ANSWERS_LOCK verification ends
    locked: bool = False  # verification ended for this call: a colleague was offered
    # the caller's own account once verified, and how: naming it again (after asking about
    # someone else's order) returns to it without a second fact
    own: str | None = None
    own_by: str | None = None
    # the request that waits for verification: its slots and words, taken up once verified
    # (what the caller asked for is not lost to the identity question)
    held: dict[str, str] = field(default_factory=dict)
    held_said: str = ""


@dataclass
class SurveyProgress:
    """The post-call CSAT survey (dialog.flows.csat): asked once, answered on the next turn."""

    asked: bool = False
    pending: bool = False


@dataclass
class DialogState:
    """The brain's memory of one conversation. Everything starts empty."""

    # the *verified* account (dialog.identity sets it; flows read it through
    # identity.caller); an account only named lives in `identity`
    customer_id: str | None = None
    identity: CallerIdentity = field(default_factory=CallerIdentity)
    order: OrderContext = field(default_factory=OrderContext)
    # the read-back awaiting yes/no; at most one at a time
    pending: PendingAction | None = None
    # the flow whose question is open: the caller's next detail (an order number, a date,
    # an email) goes to it
    awaiting_flow: str | None = None
    # the two flows of an open "Is that about A, or B?" question
    intent_choices: list[str] = field(default_factory=list)
    last_intent: str | None = None  # the last reply's intent, other than clarify
    flow: str | None = None  # the flow that made the last reply (dialog.flowengine sets it)
    # requests said in an earlier turn and not yet taken up (dialog.commands StartFlow /
    # KnowledgeQuestion), first said first; taken up when nothing else is open
    queue: list[Any] = field(default_factory=list)
    # state-changing tools the caller refused in this call: flows do not offer them again
    # (a later request for the same flow lifts it)
    refused: set[str] = field(default_factory=set)
    said: str = ""  # the caller's words the command being executed came from
    failures: int = 0  # consecutive turns not understood
    sentiment: list[float] = field(default_factory=list)  # per caller turn, -1..1, oldest first
    offered_human: bool = False  # a colleague was offered: a "yes" next turn takes it
    awaiting_human: bool = False  # handed over and waiting for a person (set by the voice layer)
    survey: SurveyProgress = field(default_factory=SurveyProgress)
    steps_done: list[str] = field(default_factory=list)  # tools called, for the handoff package
    guidance_seen: int = 0  # supervisor whispers already acted on
    _slots: dict[type, object] = field(default_factory=dict, repr=False)

    def slots(self, kind: type[SlotsT]) -> SlotsT:
        """The slots of the flow that uses dataclass `kind`, created empty on first use."""
        held = self._slots.get(kind)
        if held is None:
            held = self._slots[kind] = kind()
        assert isinstance(held, kind)
        return held

    def forget_slots(self, kind: type) -> None:
        """Drop a flow's slots: its next turn starts from empty ones."""
        self._slots.pop(kind, None)
