"""Routing rules: which queue an escalated call waits in (docs/handoff.md).

A rule is one line of config, `KEY OP VALUE -> QUEUE`, checked in order; the
first that matches wins, else `routing.default_queue`:

  intent=cancel_*,confirm_cancel_* -> retention   glob(s), case-insensitive
  tier=gold,platinum -> vip                        customer value (membership tier)
  sentiment<=-0.5 -> care                          mean caller sentiment (-1..1), also < > >=
  language=es,fr -> multilingual                   the call's language
  reason=*frustrated* -> care                      the dialog's escalation reason

Facts a call lacks never match (a caller not identified has no tier).
Pure functions over a `RoutingFacts`; no I/O.
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable, Sequence
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


class Router:
    def __init__(self, rules: Sequence[str], default_queue: str) -> None:
        self.rules = [parse_rule(r) for r in rules]
        self.default_queue = default_queue

    def route(self, facts: RoutingFacts) -> tuple[str, str]:
        """(queue, why): the first matching rule's queue, else the default queue."""
        for rule in self.rules:
            if rule.matches(facts):
                return rule.queue, rule.text
        return self.default_queue, "default"

    def queues(self) -> list[str]:
        return sorted({self.default_queue, *(r.queue for r in self.rules)})
