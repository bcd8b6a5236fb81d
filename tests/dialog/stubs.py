"""A brain with stand-ins for its models and stores, for fast unit tests of routing and rules.

The classifier ranks by keyword (no embeddings), the knowledge base knows nothing, and the
stores are absent but one customer: only flows that touch no store can run here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialog.brain import Brain
from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry
from dialog.knowledge import Answer
from dialog.services import Services
from dialog.state import CallerIdentity
from dialog.tools import ToolBox
from dialog.types import Session
from kb.adapters import Customer


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


class OneCustomer:
    """A customer store that knows one customer (the `holder` below)."""

    CUSTOMER = Customer("C1001", "Jordan Rivera", "jordan.rivera@example.com", "+15550100001",
                        "jrivera1", "gold")

    def by_id(self, customer_id: str) -> Customer | None:
        return self.CUSTOMER if customer_id == self.CUSTOMER.customer_id else None

    def by_phone(self, phone: str) -> Customer | None:
        return self.CUSTOMER if phone == self.CUSTOMER.phone else None

    def by_email(self, email: str) -> Customer | None:
        return self.CUSTOMER if email == self.CUSTOMER.email else None


def stub_services() -> Services:
    return Services(customers=OneCustomer(), orders=None, billing=None,  # type: ignore[arg-type]
                    tools=ToolBox(audit=NoAudit()), return_policy=None,  # type: ignore[arg-type]
                    today=lambda: dt.date(2025, 1, 15))


def stub_brain(rankings: dict[str, list[tuple[str, float]]], flows: FlowRegistry = FLOWS,
               csat_survey: bool = False) -> Brain:
    return Brain(NoKnowledge(), "Acme Apparel", stub_services(),  # type: ignore[arg-type]
                 KeywordClassifier(rankings), csat_survey=csat_survey,  # type: ignore[arg-type]
                 flows=flows)


def holder(session: Session, customer_id: str = "C1001") -> Session:
    """`session` as a verified account holder (as if a trusted trunk vouched for the caller
    id): read-backs may be proposed (dialog.identity.may_change)."""
    session.state.identity = CallerIdentity(level="verified", account=customer_id,
                                            named_by="caller_id", verified_by="caller_id")
    session.state.customer_id = customer_id
    return session
