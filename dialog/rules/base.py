"""What a rule sees: the generator's long-lived `Resources` and this caller `Turn`.

A rule is a plain function `(resources, turn) -> list[Command] | None`: a list answers the
turn's understanding and ends the ladder (dialog.rules.RULES); None passes the turn to the
next rule. Rules only read: state changes are the flow engine's (dialog.flowengine).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from dialog.commands import Command, TurnContext
from dialog.flows.spec import FlowRegistry
from dialog.knowledge import KnowledgeAnswerer
from dialog.rules.reading import Reading, read
from dialog.services import Services
from nlu.cues import Cue, cues
from nlu.entities import Entities, normalize_digits
from nlu.expect import asked_for
from nlu.intent import IntentClassifier
from nlu.normalize import strip_fillers


@dataclass(frozen=True)
class Resources:
    """Loaded once per brain and shared by every call: what the rules may use."""

    services: Services  # entity extraction, product and plan names
    classifier: IntentClassifier
    flows: FlowRegistry
    # the manual's relevance check: a flow grounded in the manual leaves a question that
    # belongs to another answer group to the knowledge answer (dialog/knowledge.py)
    knowledge: KnowledgeAnswerer | None = None


@dataclass
class Turn:
    """One caller turn as the rules see it; its readings are computed once, on first use."""

    ctx: TurnContext
    res: Resources = field(repr=False)

    @property
    def text(self) -> str:
        return self.ctx.text

    @cached_property
    def cues(self) -> set[Cue]:
        return cues(self.ctx.text)

    @cached_property
    def reading(self) -> Reading:
        """Clauses, refusals and self-corrections (dialog.rules.reading)."""
        svc = self.res.services
        return read(normalize_digits(self.ctx.text), self.res.flows,
                    words=[*svc.tier_words(), *svc.plan_names])

    @cached_property
    def entities(self) -> Entities:
        """Entities of what the caller asked for: refused values and corrected-away values
        are not in it. The words are read as the detail the agent asked for last
        (nlu.expect), so "ten two fifty one" after "What's the order number?" is 10251.
        A "sorry, could you say that again?" in between leaves the question before it open
        (a zip code heard short, "9 7 2 1", is asked again and the repeat is a zip code)."""
        agent = [said for who, said in reversed(self.ctx.history) if who == "agent"]
        expect = asked_for(agent[0]) if agent else None
        if expect is None and self.ctx.awaiting and len(agent) > 1:
            expect = asked_for(agent[1])
        return self.res.services.entities(self.reading.context, expect=expect)

    @cached_property
    def clean(self) -> str:
        """The request's words without speech fillers, for the classifier and retrieval."""
        return strip_fillers(self.reading.text)


Rule = Callable[[Resources, Turn], list[Command] | None]
