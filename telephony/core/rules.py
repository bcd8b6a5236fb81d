"""Routing-rule syntax: `KEY OP VALUE -> QUEUE`, parsed when the config is read.

The rules themselves are documented in telephony/contact_center/routing.py, which
routes calls with them; this module only knows how to read and match one rule, so
that a wrong rule stops start-up with the config key named.
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

KEYS = ("intent", "tier", "sentiment", "language", "reason")
NUMERIC = {"sentiment"}
_RULE = re.compile(r"^\s*(\w+)\s*(<=|>=|<|>|=)\s*(.+?)\s*->\s*([\w.-]+)\s*$")
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class RuleError(ValueError):
    """A routing rule that cannot be parsed; the message names it."""


@dataclass(frozen=True)
class RoutingFacts:
    intent: str | None = None
    tier: str | None = None
    sentiment: float | None = None
    language: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Rule:
    key: str
    op: str
    values: tuple[str, ...]
    queue: str
    text: str

    def matches(self, facts: RoutingFacts) -> bool:
        fact = getattr(facts, self.key)
        if fact is None:
            return False
        if self.key in NUMERIC:
            return _COMPARE[self.op](float(fact), float(self.values[0]))
        value = str(fact).lower()
        return any(fnmatch.fnmatchcase(value, pattern) for pattern in self.values)


def parse_rule(text: str) -> Rule:
    m = _RULE.match(text)
    if m is None:
        raise RuleError(f"routing rule {text!r}: expected 'KEY OP VALUE -> QUEUE'")
    key, op, value, queue = m.groups()
    if key not in KEYS:
        raise RuleError(f"routing rule {text!r}: unknown key {key!r}; use one of {', '.join(KEYS)}")
    if key in NUMERIC:
        if op == "=":
            raise RuleError(f"routing rule {text!r}: compare {key} with < <= > >=")
        try:
            float(value)
        except ValueError:
            raise RuleError(f"routing rule {text!r}: {value!r} is not a number") from None
        return Rule(key, op, (value,), queue, text)
    if op != "=":
        raise RuleError(f"routing rule {text!r}: {key} takes '=' with glob patterns")
    patterns = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    return Rule(key, op, patterns, queue, text)
