"""What flows work with: the adapters, the tool box, policy facts and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from dialog.tools import ToolBox
from kb.adapters import BillingStore, CustomerStore, OrderStore
from kb.policy import ReturnPolicy
from nlu.entities import TIER_ALIASES, Entities, extract
from nlu.expect import Expect


@dataclass
class Services:
    customers: CustomerStore
    orders: OrderStore
    billing: BillingStore
    tools: ToolBox
    return_policy: ReturnPolicy
    today: Callable[[], dt.date] = dt.date.today
    product_names: list[str] = field(default_factory=list)
    plan_names: list[str] = field(default_factory=list)

    def tier_words(self) -> list[str]:
        """Membership tiers as callers say them (the return policy's, and "premium")."""
        known = list(self.return_policy.windows) if self.return_policy is not None else []
        return known + list(TIER_ALIASES)

    def entities(self, text: str, expect: Expect | None = None) -> Entities:
        """The entities of a caller turn. `expect`: the detail the agent just asked for
        (`nlu.expect.asked_for(last agent text)`, or the flow's own slot), so "ten two fifty
        one" after "What's the order number?" is order 10251 (docs/dialog.md)."""
        return extract(text, self.today(), self.product_names, expect)


def say_date(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


def say_money(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"{dollars} dollars" if rest == 0 else f"{dollars} dollars and {rest} cents"
