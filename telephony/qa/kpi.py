"""Contact-center KPIs over a period, computed from stored call records (docs/kpi.md).

The period selects calls by `started_at` in [since, until). "Engaged" calls are
those where the caller said at least one thing (outcome != abandoned): rates are
over engaged calls. The outcome of a call is `qa_facts.CallFacts.outcome`; whether it
was resolved (task done, no failed ending, no repeat contact by the same customer
within `fcr_days`) is `CallFacts.resolved` (telephony/qa/outcome.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from telephony.qa.facts import CallFacts
from telephony.qa.search import FactSources, decode, load_facts

DAY_S = 86400.0


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return round(statistics.fmean(vals), 1) if vals else None


def compute(facts: list[CallFacts], survey_scores: list[int], fcr_days: int) -> dict[str, Any]:
    """The facts must have been loaded with a repeat-contact window of `fcr_days` (`load`)."""
    engaged = [f for f in facts if f.outcome != "abandoned"]
    resolved = [f for f in engaged if f.outcome == "resolved"]
    escalated = [f for f in engaged if f.escalated]
    humans = [f for f in engaged if f.human]
    with_identity = [f for f in engaged if f.identity]
    fcr = [f for f in with_identity if f.resolved]
    by_intent: dict[str, list[CallFacts]] = defaultdict(list)
    for f in engaged:
        by_intent[f.intent or "(none)"].append(f)
    days: dict[str, list[CallFacts]] = defaultdict(list)
    for f in facts:
        days[dt.datetime.fromtimestamp(f.started_at, dt.UTC).date().isoformat()].append(f)
    return {
        "calls": len(facts),
        "engaged": len(engaged),
        "abandoned": len(facts) - len(engaged),
        "automation_rate": _rate(len(resolved), len(engaged)),
        "escalation_rate": _rate(len(escalated), len(engaged)),
        "escalation_reasons": dict(Counter(f.escalation_reason or "unspecified"
                                           for f in escalated).most_common()),
        "fcr_rate": _rate(len(fcr), len(with_identity)),
        "fcr_days": fcr_days,
        "fcr_calls": len(with_identity),
        "customers": len({f.identity for f in with_identity}),
        "unresolved_reasons": dict(Counter(f.unresolved_reason or "unspecified" for f in engaged
                                           if not f.resolved and not f.human).most_common()),
        "csat_responses": len(survey_scores),
        "csat_avg": round(statistics.fmean(survey_scores), 2) if survey_scores else None,
        "csat_rate": _rate(sum(s >= 4 for s in survey_scores), len(survey_scores)),
        "aht_ai_s": _mean(f.ai_handle_s for f in engaged if f.ended_at is not None),
        "aht_human_s": _mean(f.human_handle_s for f in humans if f.ended_at is not None),
        "containment_by_intent": [
            {"intent": intent, "calls": len(fs), "contained": sum(f.outcome == "resolved" for f in fs),
             "rate": _rate(sum(f.outcome == "resolved" for f in fs), len(fs))}
            for intent, fs in sorted(by_intent.items(), key=lambda kv: -len(kv[1]))],
        "daily": [{"day": day, "calls": len(fs),
                   "automation_rate": _rate(sum(f.outcome == "resolved" for f in fs),
                                            sum(f.outcome != "abandoned" for f in fs)),
                   "escalation_rate": _rate(sum(f.escalated for f in fs if f.outcome != "abandoned"),
                                            sum(f.outcome != "abandoned" for f in fs))}
                  for day, fs in sorted(days.items())],
    }


def load(conn: sqlite3.Connection, since: float, until: float, sources: FactSources
         ) -> tuple[list[CallFacts], dict[str, list[int]]]:
    """Store thread: the period's calls' facts (repeat contacts looked for up to
    `until + sources.window_s`) and the survey scores per call."""
    calls = [decode(r) for r in conn.execute(
        "SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
        (since, until))]
    surveys: dict[str, list[int]] = defaultdict(list)
    for r in conn.execute("SELECT s.call_id, s.score FROM surveys s JOIN calls c ON c.id = s.call_id "
                          "WHERE c.started_at >= ? AND c.started_at < ?", (since, until)):
        surveys[r["call_id"]].append(int(r["score"]))
    return load_facts(conn, calls, sources), dict(surveys)
