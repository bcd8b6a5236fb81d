"""Which detail the agent has just asked for: the slot the caller's next words most likely fill.

"What's the order number?" makes a bare "ten two fifty one" an order number (10251); the
same words elsewhere may be an amount. The dialog passes the expectation to entity
extraction (`nlu.entities.extract(..., expect=)`) and, through `Reply.expect`, to the
recognizer's prompt for the next caller turn.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Expect(StrEnum):
    """A detail the caller is expected to say next."""

    ORDER_ID = "order_id"
    PHONE = "phone"
    ZIP = "zip"
    EMAIL = "email"
    DATE = "date"
    AMOUNT = "amount"


# Slots whose answer is a string of digits.
NUMERIC: frozenset[Expect] = frozenset({Expect.ORDER_ID, Expect.PHONE, Expect.ZIP})

# Checked in order on the agent's last question; the first match wins.
_ASKS: tuple[tuple[Expect, re.Pattern[str]], ...] = (
    (Expect.ORDER_ID, re.compile(r"\border (?:number|id)\b|\bwhich order\b", re.I)),
    (Expect.ZIP, re.compile(r"\b(?:zip|postal|post) ?code\b", re.I)),
    (Expect.PHONE, re.compile(r"\b(?:phone|mobile|cell|telephone)(?: number)?\b", re.I)),
    (Expect.EMAIL, re.compile(r"\be-?mail\b", re.I)),
    (Expect.DATE, re.compile(r"\b(?:what|which) (?:date|day)\b|\bwhen did\b|\bwhat day\b", re.I)),
    (Expect.AMOUNT, re.compile(r"\bhow much\b|\bwhat (?:amount|price)\b", re.I)),
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_REQUEST = re.compile(r"\b(?:tell|give|read|say|spell) (?:me|us)\b|\bplease (?:say|tell|give|read)\b", re.I)


def asked_for(agent_text: str) -> Expect | None:
    """The slot the agent's last request asks for, judged on its last question or "please
    tell me" request only (a statement that mentions an order number asks nothing):
    'What's the order number?' -> ORDER_ID; '... Anything else?' -> None."""
    sentences = [s.strip() for s in _SENTENCE.findall(agent_text)]
    asking = [s for s in sentences if s.endswith("?") or _REQUEST.search(s)]
    if not asking:
        return None
    return next((slot for slot, pattern in _ASKS if pattern.search(asking[-1])), None)
