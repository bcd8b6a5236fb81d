"""Finding calls for review: SQL narrows by date and transcript text (the backend's full-text
index, `qa.schema.TURNS_TEXT`), then the derived facts (`qa_facts`) filter by intent, outcome,
sentiment, agent, escalation, tool.

Everything here runs on the store thread (`CallStore.run`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.db import dialect_of
from telephony.qa.facts import CallFacts, call_facts
from telephony.qa.outcome import contact_identity
from telephony.qa.schema import TURNS_TEXT
from telephony.qa.tool_audit import ToolAudit
from telephony.web.params import flag, integer, number

MAX_SCAN = 1000  # newest calls considered per search (facts are derived, not indexed)


@dataclass(frozen=True)
class CallFilter:
    since: float | None = None
    until: float | None = None
    text: str = ""
    intent: str = ""
    outcome: str = ""  # a CallFacts.outcome or an end_reason
    sentiment: str = ""  # negative | neutral | positive
    agent: str = ""
    escalated: bool | None = None
    tool: str = ""
    caller_id: str = ""
    limit: int = 200

    @classmethod
    def from_query(cls, q: Mapping[str, str]) -> CallFilter:
        """Raises telephony.web.params.BadParameter on a value it cannot use (400)."""
        return cls(since=number(q, "since", low=0), until=number(q, "until", low=0),
                   text=q.get("q", "").strip(),
                   intent=q.get("intent", ""), outcome=q.get("outcome", ""),
                   sentiment=q.get("sentiment", ""), agent=q.get("agent", ""),
                   escalated=flag(q, "escalated"),
                   tool=q.get("tool", ""), caller_id=q.get("caller_id", ""),
                   limit=integer(q, "limit", 200, low=1, high=1000))

    def keeps(self, f: CallFacts) -> bool:
        return ((not self.intent or self.intent == f.intent or self.intent in f.intents)
                and (not self.outcome or self.outcome in (f.outcome, f.end_reason))
                and (not self.sentiment or self.sentiment == f.sentiment_label)
                and (not self.agent or self.agent.lower() == (f.agent or "").lower())
                and (self.escalated is None or self.escalated == f.escalated)
                and (not self.tool or self.tool in f.tools))


def decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in ("latency", "meta", "data"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


@dataclass(frozen=True)
class FactSources:
    """What facts need beyond the call's own rows: the repeat-contact window (`qa.fcr_days`)
    and the dialog's audit log of tool calls, where there is one."""

    slow_turn_ms: float = 1500.0
    window_s: float = 7 * 86400.0
    tool_audit: ToolAudit | None = None


def repeat_contacts(conn: sqlite3.Connection, calls: list[dict[str, Any]],
                    window_s: float) -> set[str]:
    """Ids of `calls` whose contact identity (qa/outcome.py) has another call starting
    after it, within `window_s`."""
    known = [(c, ident) for c in calls if (ident := contact_identity(c))]
    if not known:
        return set()
    first = min(c["started_at"] for c, _ in known)
    last = max(c["started_at"] for c, _ in known) + window_s
    starts: dict[str, list[float]] = {}
    for r in conn.execute("SELECT caller_id, meta, started_at FROM calls "
                          "WHERE started_at > ? AND started_at <= ?", (first, last)):
        ident = contact_identity(decode(r))
        if ident:
            starts.setdefault(ident, []).append(r["started_at"])
    return {c["id"] for c, ident in known
            if any(c["started_at"] < t <= c["started_at"] + window_s for t in starts.get(ident, ()))}


def load_facts(conn: sqlite3.Connection, calls: list[dict[str, Any]],
               sources: FactSources | float) -> list[CallFacts]:
    if not calls:
        return []
    src = sources if isinstance(sources, FactSources) else FactSources(slow_turn_ms=sources)
    ids = [c["id"] for c in calls]
    marks = ",".join("?" * len(ids))
    turns: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    events: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in conn.execute(f"SELECT * FROM turns WHERE call_id IN ({marks}) ORDER BY id", ids):
        turns[r["call_id"]].append(decode(r))
    for r in conn.execute(f"SELECT * FROM call_events WHERE call_id IN ({marks}) ORDER BY id", ids):
        events[r["call_id"]].append(decode(r))
    repeats = repeat_contacts(conn, calls, src.window_s)
    audited = src.tool_audit.executed(ids) if src.tool_audit is not None else {}
    return [call_facts(c, turns[c["id"]], events[c["id"]], slow_turn_ms=src.slow_turn_ms,
                       audited_tools=audited.get(c["id"], ()), repeat_contact=c["id"] in repeats)
            for c in calls]


def select_calls(conn: sqlite3.Connection, flt: CallFilter) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Calls matching the SQL-side filters (newest first), and a text snippet per call."""
    where: list[str] = []
    args: list[object] = []
    if flt.since is not None:
        where.append("c.started_at >= ?")
        args.append(flt.since)
    if flt.until is not None:
        where.append("c.started_at < ?")
        args.append(flt.until)
    if flt.caller_id:
        where.append("c.caller_id = ?")
        args.append(flt.caller_id)
    snippets: dict[str, str] = {}
    dialect = dialect_of(conn)
    query = dialect.text_query(flt.text)
    if flt.text and not query:
        return [], {}
    if query:
        for r in conn.execute(dialect.text_search(TURNS_TEXT, ("call_id",)), (query,)):
            snippets.setdefault(r["call_id"], r["snip"])
        if not snippets:
            return [], {}
        where.append(f"c.id IN ({','.join('?' * len(snippets))})")
        args.extend(snippets)
    sql = "SELECT c.* FROM calls c" + (" WHERE " + " AND ".join(where) if where else "")
    rows = conn.execute(sql + " ORDER BY c.started_at DESC LIMIT ?", (*args, MAX_SCAN))
    return [decode(r) for r in rows], snippets


def search(conn: sqlite3.Connection, flt: CallFilter, sources: FactSources | float
           ) -> list[tuple[dict[str, Any], CallFacts, str]]:
    """(call row, facts, snippet) for each matching call, newest first."""
    calls, snippets = select_calls(conn, flt)
    out = []
    for call, facts in zip(calls, load_facts(conn, calls, sources), strict=True):
        if flt.keeps(facts):
            out.append((call, facts, snippets.get(call["id"], "")))
            if len(out) >= flt.limit:
                break
    return out
