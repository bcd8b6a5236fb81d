"""A brain with stand-ins for its models and stores, for fast unit tests of routing and rules.

The classifier ranks by keyword (no embeddings), the knowledge base knows nothing, and the
stores are absent: only flows that touch no store can run here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialog.brain import Brain
from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry
from dialog.knowledge import Answer
from dialog.services import Services
from dialog.tools import ToolBox


class KeywordClassifier:
    """`rank` returns the ranking of the first keyword found in the text, else 'other'."""

    def __init__(self, rankings: dict[str, list[tuple[str, float]]]) -> None:
        self.rankings = rankings

    def rank(self, text: str) -> list[tuple[str, float]]:
        low = text.lower()
        return next((r for k, r in self.rankings.items() if k in low), [("other", 1.0)])

    def rank_many(self, texts: list[str]) -> list[list[tuple[str, float]]]:
        return [self.rank(text) for text in texts]


class NoKnowledge:
    def answer(self, question: str) -> Answer:
        return Answer(None, 0.12)


class NoAudit:
    def record(self, **entry: Any) -> None:
        pass


def stub_services() -> Services:
    return Services(customers=None, orders=None, billing=None,  # type: ignore[arg-type]
                    tools=ToolBox(audit=NoAudit()), return_policy=None,  # type: ignore[arg-type]
                    today=lambda: dt.date(2025, 1, 15))


def stub_brain(rankings: dict[str, list[tuple[str, float]]], flows: FlowRegistry = FLOWS,
               csat_survey: bool = False) -> Brain:
    return Brain(NoKnowledge(), "Acme Apparel", stub_services(),  # type: ignore[arg-type]
                 KeywordClassifier(rankings), csat_survey=csat_survey,  # type: ignore[arg-type]
                 flows=flows)
