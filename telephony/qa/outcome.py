"""Whether a call was resolved, from what happened in it, never from what did not.

Shared by the QA console and the KPIs (docs/qa.md "Outcomes", docs/kpi.md). A call is
**resolved** when all three hold:
1. a task was completed: a tool that ran (`executed`), or an answer the AI gave (an agent
   turn with a topic intent that is neither a question for a detail, a read-back, a
   clarification nor an apology); a state-changing tool runs only after the caller's yes,
   so an executed one is a confirmed one;
2. the conversation did not end on a failed exchange: its last agent turn is not a
   clarification, a question for a detail, an unanswered read-back or an apology, and no
   caller turn went unanswered (a caller who hangs up after the agent re-asked is not
   resolved);
3. the same customer did not contact us again within the window (`repeat_within_s`).
A human-handled call is resolved when the human's wrap-up says so (and 3 holds).

Tool calls are told apart: **executed** (the dialog's audit log says it ran, or the turn
reports status "done"), **offered** (read back, never executed).

Contact identity (who called, for repeat contacts and first-contact resolution): the
customer the AI identified or the caller id matched (`meta.customer_id`), else the phone
number (`caller_id`), else the browser's anonymous id (`meta.browser_id`); never an IP.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

CLOSING = re.compile(r"\b(anything else|what else)\b", re.I)
FAILED_INTENTS = frozenset({"clarify", "disambiguate", "error"})
APOLOGY_START = "sorry, i ran into a problem"
EXECUTED_STATUSES = frozenset({"done", "verified", "ok", "", None})
OFFERED_STATUSES = frozenset({"awaiting_confirmation", "offered"})
NOT_TASKS = frozenset({"handoff", "csat"})
RESOLVED_DISPOSITIONS = frozenset({"resolved"})


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def contact_identity(call: dict[str, Any]) -> str | None:
    """`customer:<id>`, `phone:<number>`, `browser:<id>` or None (unknown)."""
    meta = call.get("meta") or {}
    if meta.get("customer_id"):
        return f"customer:{meta['customer_id']}"
    caller = call.get("caller_id")
    if caller and not _is_ip(str(caller)):
        return f"phone:{caller}"
    if meta.get("browser_id"):
        return f"browser:{meta['browser_id']}"
    return None


def agent_turn_kind(turn: dict[str, Any]) -> str:
    """greeting | closing | clarify | read_back | question | answer | other."""
    meta = turn.get("meta") or {}
    intent = str(meta.get("intent") or "")
    text = str(turn.get("text") or "").strip()
    calls = [c for c in meta.get("tool_calls") or [] if isinstance(c, dict)]
    if intent == "greeting":
        return "greeting"
    if intent.startswith("goodbye") or any(c.get("tool") == "csat" for c in calls):
        return "closing"
    if intent in FAILED_INTENTS or text.lower().startswith(APOLOGY_START):
        return "clarify"
    if intent.startswith("confirm_") or any(c.get("status") in OFFERED_STATUSES for c in calls):
        return "read_back"
    if meta.get("escalate") or intent == "escalate":
        return "other"
    last = re.split(r"(?<=[.!?])\s+", text)[-1] if text else ""
    if last.endswith("?") and not CLOSING.search(last):
        return "question"
    if CLOSING.search(last) and not intent:
        return "closing"
    return "answer" if intent and intent not in ("ack", "deny", "other") else "other"


def tool_runs(turns: Iterable[dict[str, Any]], audited: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(executed, offered) tool names: `audited` are the names the audit log says ran."""
    executed = {t for t in audited if t not in NOT_TASKS}
    offered: set[str] = set()
    for turn in turns:
        if turn.get("speaker") != "agent":
            continue
        for call in (turn.get("meta") or {}).get("tool_calls") or []:
            if not isinstance(call, dict):
                continue
            name = str(call.get("tool") or call.get("name") or "?")
            if name in NOT_TASKS:
                continue
            if call.get("status") in OFFERED_STATUSES:
                offered.add(name)
            elif call.get("status") in EXECUTED_STATUSES:
                executed.add(name)
    return sorted(executed), sorted(offered - executed)


def failed_ending(turns: list[dict[str, Any]]) -> str | None:
    """Why the conversation ended on a failed exchange, or None: its last agent turn (a
    goodbye or survey after it excepted) re-asked, asked for a detail or read back."""
    agents = [t for t in turns if t.get("speaker") == "agent"]
    while agents and agent_turn_kind(agents[-1]) in ("closing", "other"):
        if agent_turn_kind(agents[-1]) == "closing":
            return None  # the agent closed the call after whatever came before
        agents.pop()
    if not agents:
        return None
    return {"clarify": "ended after the agent did not understand (re-asked)",
            "question": "ended while the agent was asking for a detail",
            "read_back": "ended on a read-back the caller never confirmed"
            }.get(agent_turn_kind(agents[-1]))


def task_completed(turns: list[dict[str, Any]], executed: list[str]) -> bool:
    return bool(executed) or any(
        t.get("speaker") == "agent" and agent_turn_kind(t) == "answer" for t in turns)


def resolution(turns: list[dict[str, Any]], executed: list[str], *, human: bool,
               disposition: str | None, repeat_contact: bool) -> tuple[bool, str | None]:
    """(resolved, why not) of an engaged call."""
    if human:
        if disposition not in RESOLVED_DISPOSITIONS:
            return False, f"human wrap-up: {disposition or 'none recorded'}"
    else:
        failed = failed_ending(turns)
        if failed:
            return False, failed
        if not task_completed(turns, executed):
            return False, "no task completed"
    if repeat_contact:
        return False, "the customer contacted us again within the window"
    return True, None
