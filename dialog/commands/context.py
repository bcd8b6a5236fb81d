"""What a command generator sees of one turn: the words and the conversation around them.

Frozen and JSON-ready (`to_json`), so a rule generator and an LLM generator read the same
thing: the caller's text, the active flow and the slots it has, the read-back awaiting a
yes or no (exactly the question that was asked), the requests queued for later and the
last few turns. Built from the session by `TurnContext.of`; generators never see or
change `DialogState` itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from dialog.commands.types import NAMES
from dialog.types import Session

HISTORY_TURNS = 6


@dataclass(frozen=True)
class PendingView:
    """The read-back (or offer) awaiting the caller's answer."""

    tool: str
    question: str  # exactly what was read back
    args: dict[str, Any]
    alternatives: tuple[str, ...] = ()  # tools the caller may pick instead ("pause_subscription")
    soft: bool = False  # an offer: anything but yes/no drops it
    asked: int = 1


@dataclass(frozen=True)
class TurnContext:
    text: str
    dtmf: bool = False
    flow: str | None = None  # the flow that made the last reply (or awaits an answer)
    awaiting: bool = False  # that flow asked a question and waits for a detail
    pending: PendingView | None = None
    choices: tuple[str, ...] = ()  # an open "Is that about A, or B?"
    order_id: str | None = None  # the order being discussed
    offered_human: bool = False  # last turn offered a colleague
    survey_pending: bool = False  # last turn asked the satisfaction survey
    queued: tuple[str, ...] = ()  # requests of an earlier turn waiting their turn (kinds)
    history: tuple[tuple[str, str], ...] = ()  # (speaker, text), oldest first, this turn excluded

    @classmethod
    def of(cls, session: Session, text: str, *, dtmf: bool = False) -> TurnContext:
        state = session.state
        pending = state.pending
        view = None if pending is None else PendingView(
            pending.tool, pending.question, dict(pending.args),
            tuple(a.tool for a in pending.alternatives.values()), pending.soft, pending.asked)
        history = session.history
        if history and history[-1] == ("caller", text):
            history = history[:-1]  # the brain has already written this turn down
        return cls(
            text=text,
            dtmf=dtmf,
            flow=state.awaiting_flow or state.flow,
            awaiting=state.awaiting_flow is not None,
            pending=view,
            choices=tuple(state.intent_choices),
            order_id=state.order.order_id,
            offered_human=state.offered_human,
            survey_pending=state.survey.pending,
            queued=tuple(NAMES[type(c)] for c in state.queue),
            history=tuple(history[-HISTORY_TURNS:]),
        )

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["history"] = [list(turn) for turn in self.history]
        return body
