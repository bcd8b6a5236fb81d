"""What a rule sees: the brain's long-lived `Resources` and this caller `Turn`.

A rule is a plain function `(resources, turn) -> Reply | None`: a Reply answers the turn
and ends the ladder (dialog.rules.RULES); None passes the turn to the next rule. A few
rules only keep the books (close the survey, take last turn's offer into the turn) and
always pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from dialog.flows.spec import FlowRegistry
from dialog.knowledge import KnowledgeAnswerer
from dialog.services import Services
from dialog.state import DialogState
from dialog.types import Reply, Session
from nlu.cues import Cue
from nlu.entities import Entities
from nlu.intent import IntentClassifier
from nlu.normalize import strip_fillers


@dataclass(frozen=True)
class Resources:
    """Loaded once per brain and shared by every call: what rules may use."""

    services: Services
    knowledge: KnowledgeAnswerer
    classifier: IntentClassifier
    flows: FlowRegistry
    csat_survey: bool = True  # ask the post-call survey at goodbye


@dataclass
class Turn:
    """One caller turn as the rules see it; rules may note things on it for later rules."""

    session: Session
    text: str  # stripped; may be empty
    cues: set[Cue]
    extract: Callable[[str], Entities] = field(repr=False)  # Services.entities
    dtmf: bool = False  # typed on the keypad
    offered_human: bool = False  # last turn offered a colleague (rule `offer_expires`)
    kb_score: float = 0.0  # the knowledge base's best score, once asked

    @property
    def state(self) -> DialogState:
        return self.session.state

    @cached_property
    def entities(self) -> Entities:
        return self.extract(self.text)

    @cached_property
    def clean(self) -> str:
        """The text without speech fillers, for the classifier and retrieval."""
        return strip_fillers(self.text)

    @property
    def last_flow(self) -> str:
        """The flow of the last reply ('confirm_cancel_order' -> 'cancel_order')."""
        return (self.state.last_intent or "").removeprefix("confirm_")


Rule = Callable[[Resources, Turn], Reply | None]
