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

from collections.abc import Sequence

from telephony.core.rules import RoutingFacts, parse_rule

__all__ = ["Router", "RoutingFacts"]


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
