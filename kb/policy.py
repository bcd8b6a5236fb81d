"""Structured policy facts read out of the manual text (never typed in by hand).

Return windows per membership tier come from the manual's 'Membership Privileges' step
("Silver members: > ... return possible within the last 6 months"), so the numbers the
agent states are the manual's, and the passage they came from is kept for citation.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.errors import ManualFormatError
from kb.passages import Passage

TIERS = ("gold", "silver", "bronze", "guest")
_WINDOW = re.compile(
    r"(Gold|Silver|Bronze|Guest) members:\s*>(?:(?!members:).)*?"
    r"return possible within the last (\d+) (day|month)s?",
    re.IGNORECASE,
)
_UNLIMITED = re.compile(r"(Gold|Silver|Bronze|Guest) members get unlimited returns", re.IGNORECASE)
_RECEIPT = re.compile(
    r"(Gold|Silver|Bronze|Guest) members:\s*>(?:(?!members:).)*?get to return if user has receipt",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReturnWindow:
    tier: str
    amount: int | None  # None: unlimited
    unit: str  # "day" | "month" | "unlimited"

    def deadline(self, purchased_on: dt.date) -> dt.date | None:
        if self.amount is None:
            return None
        if self.unit == "day":
            return purchased_on + dt.timedelta(days=self.amount)
        month_index = purchased_on.month - 1 + self.amount
        year, month = purchased_on.year + month_index // 12, month_index % 12 + 1
        day = min(purchased_on.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    def spoken(self) -> str:
        if self.amount is None:
            return "unlimited returns"
        unit = self.unit if self.amount == 1 else f"{self.unit}s"
        return f"{self.amount} {unit} from the purchase date"


@dataclass(frozen=True)
class ReturnPolicy:
    windows: dict[str, ReturnWindow]
    receipt_tiers: frozenset[str]
    source: Passage


def extract_return_policy(passages: Sequence[Passage]) -> ReturnPolicy:
    """Find the membership return rules in the manual; raise if the manual has none."""
    ranked = sorted(passages, key=lambda p: "policy" not in p.tags)  # policy steps first
    for passage in ranked:
        windows = {
            m.group(1).lower(): ReturnWindow(
                m.group(1).lower(), int(m.group(2)), m.group(3).lower()
            )
            for m in _WINDOW.finditer(passage.text)
        }
        for m in _UNLIMITED.finditer(passage.text):
            windows[m.group(1).lower()] = ReturnWindow(m.group(1).lower(), None, "unlimited")
        if set(windows) >= set(TIERS):
            receipt = frozenset(m.group(1).lower() for m in _RECEIPT.finditer(passage.text))
            return ReturnPolicy(windows, receipt, passage)
    raise ManualFormatError("no membership return windows found in the manual")
