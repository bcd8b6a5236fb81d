"""What a flow is, as one record: its handler and everything the brain needs to start it,
route to it, ask which of two the caller means, and ground or confirm what it says.

The shipped records are in `dialog.flows.registry`; nothing else lists flows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dialog.services import Services
from dialog.types import Reply, Session
from nlu.entities import Entities

# A flow's handler: called on the turn that starts it and on each turn that answers its
# open question (DialogState.awaiting_flow); it reads and writes the session's state.
Flow = Callable[[Services, Session, Entities], Reply]


def words(alternatives: str) -> re.Pattern[str]:
    """Any of `alternatives` (a regex alternation) as whole words, in any case."""
    return re.compile(rf"\b({alternatives})\b", re.IGNORECASE)


@dataclass(frozen=True)
class FlowSpec:
    """One flow. `name` is also its intent label: the classifier learns it from the
    examples under that name in dialog/data/intent_examples.json."""

    name: str
    handler: Flow
    phrase: str  # names it in "Is that about A, or B?": "checking on an order"
    choice_words: tuple[str, ...] = ()  # a reply to that question naming one of these picks it
    # the flow never starts unless the caller said one of these (the classifier alone must
    # not start a cancellation or an upgrade)
    required_words: re.Pattern[str] | None = None
    explicit_words: re.Pattern[str] | None = None  # among the two likeliest, these pick it
    slots: type | None = None  # its own slots dataclass (DialogState.slots), if any
    # the state-changing tools it reads back (a PendingAction); only a later yes runs them
    confirms: tuple[str, ...] = ()
    grounding: str | None = None  # doc-id prefix of the manual passages its replies cite
    manual_sections: tuple[str, ...] = ()  # manual doc-id prefixes that train it, not "other"
    free_text: bool = False  # its open question takes any words (a name), not just an entity
    # the slots (dialog.commands.SLOTS) it takes; a command naming another slot for it is
    # rejected (dialog.commands.validate). Empty: any slot.
    asks: tuple[str, ...] = ()
    # it answers first and only then offers its change (a status, a deadline, a quote): a
    # caller who refuses the change ("don't upgrade me, what would elite cost?") still gets
    # the answer, without the offer. Other flows are the change: refused, they don't start.
    offers: bool = False

    def takes(self, slot: str) -> bool:
        return not self.asks or slot in self.asks

    def allows(self, text: str) -> bool:
        """May this flow start on `text`? Only if a required word is in it."""
        return self.required_words is None or bool(self.required_words.search(text))

    def named_in(self, text: str) -> bool:
        """Does `text` name this flow outright ("a complaint", "my password")?"""
        return self.explicit_words is not None and bool(self.explicit_words.search(text))


class FlowRegistry:
    """The flows a brain can run, by name, in registration order. Immutable: `plus` makes
    a bigger one (tests, deployments with their own flows)."""

    def __init__(self, specs: Iterable[FlowSpec]) -> None:
        self._specs: dict[str, FlowSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"flow {spec.name!r} registered twice")
            self._specs[spec.name] = spec

    def plus(self, *specs: FlowSpec) -> FlowRegistry:
        return FlowRegistry([*self, *specs])

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> FlowSpec:
        return self._specs[name]

    def get(self, name: str | None) -> FlowSpec | None:
        return self._specs.get(name) if name is not None else None

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def allows(self, label: str, text: str) -> bool:
        """False only for a flow whose required words `text` lacks; other labels pass."""
        spec = self._specs.get(label)
        return spec is None or spec.allows(text)

    def trained_by(self, doc_id: str) -> str | None:
        """The flow a manual passage describes (it trains that flow, not "other")."""
        for spec in self:
            if any(doc_id.startswith(prefix) for prefix in spec.manual_sections):
                return spec.name
        return None
