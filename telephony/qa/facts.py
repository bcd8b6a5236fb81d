"""What one stored call amounts to: intent, outcome, escalation, tools, sentiment, timing.

Pure functions over a `calls` row, its turns and its events, shared by the QA
console (filters, automatic score) and the KPIs, so both use one definition.
Where the facts come from (docs/qa.md lists them for the other writers):
- intent: the agent turns' `meta.intent`, ignoring conversational ones (greeting...)
- escalated: an agent turn with `meta.escalate`, or an escalation/handoff event
- human: `calls.meta.assigned_agent`/`agents`, a `human` turn or a human-answer event
- tools: executed ones (the dialog's audit log, a turn's `meta.tool_calls[*]` with status
  "done", `tool_call` events) and offered ones (read back, never executed): qa/outcome.py
- resolved: from outcomes, never from the absence of an escalation (qa/outcome.py)
- identity: the customer, else the phone number, else the browser's id (qa/outcome.py)
- sentiment: VADER compound (nlu.sentiment) of each caller turn
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from nlu.sentiment import sentiment
from telephony.qa.outcome import contact_identity, resolution, tool_runs

CONVERSATIONAL = frozenset({"greeting", "goodbye", "ack", "deny", "clarify", "disambiguate",
                            "error", "other", "escalate", ""})
ESCALATION_EVENTS = frozenset({"escalation", "escalate", "handoff", "handoff.requested",
                               "handoff_requested", "transfer", "queued"})
HUMAN_EVENTS = frozenset({"handoff.answered", "handoff_answered", "agent_answered",
                          "human_joined", "agent_joined"})
TOOL_EVENTS = frozenset({"tool_call", "tool"})
NEGATIVE, POSITIVE = -0.05, 0.05  # VADER's usual thresholds


def sentiment_label(score: float | None) -> str:
    if score is None:
        return "none"
    return "negative" if score <= NEGATIVE else "positive" if score >= POSITIVE else "neutral"


def turn_latency_ms(turn: dict[str, Any]) -> float | None:
    lat = turn.get("latency") or {}
    value = lat.get("speech_end_to_first_audio_ms")
    if value is None and lat.get("dialog_ms") is not None:
        value = float(lat.get("dialog_ms") or 0) + float(lat.get("tts_first_ms") or 0)
    return float(value) if value is not None else None


@dataclass
class CallFacts:
    call_id: str
    caller_id: str | None
    transport: str
    started_at: float
    ended_at: float | None
    end_reason: str | None
    queue: str
    intent: str | None = None
    intents: list[str] = field(default_factory=list)
    caller_turns: int = 0
    agent_turns: int = 0
    escalated: bool = False
    escalation_reason: str | None = None
    human: bool = False
    agent: str | None = None
    human_at: float | None = None
    tools: list[str] = field(default_factory=list)  # executed
    tools_offered: list[str] = field(default_factory=list)  # read back, never executed
    identity: str | None = None  # customer:<id> | phone:<n> | browser:<id>
    disposition: str | None = None  # the human's wrap-up
    sentiment: float | None = None
    sentiments: list[tuple[float, float]] = field(default_factory=list)  # (at, score)
    clarify_turns: int = 0
    max_clarify_run: int = 0
    knowledge_answers: int = 0
    grounded_answers: int = 0
    slow_turns: int = 0
    timed_turns: int = 0
    latency_p50_ms: float | None = None
    outcome: str = "unresolved"  # resolved | unresolved | escalated | human | abandoned | error
    resolved: bool = False  # by the AI or a human (qa/outcome.py)
    unresolved_reason: str | None = None
    repeat_contact: bool = False
    ai_handle_s: float = 0.0
    human_handle_s: float = 0.0

    @property
    def sentiment_label(self) -> str:
        return sentiment_label(self.sentiment)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sentiment_label": self.sentiment_label}


def call_facts(call: dict[str, Any], turns: list[dict[str, Any]], events: list[dict[str, Any]],
               *, slow_turn_ms: float = 1500.0, audited_tools: Iterable[str] = (),
               repeat_contact: bool = False) -> CallFacts:
    """`audited_tools`: the tools the dialog's audit log says ran in this call;
    `repeat_contact`: the same identity contacted us again within the window."""
    meta = call.get("meta") or {}
    f = CallFacts(call_id=call["id"], caller_id=call.get("caller_id"), transport=call["transport"],
                  started_at=call["started_at"], ended_at=call.get("ended_at"),
                  end_reason=call.get("end_reason"), queue=str(meta.get("queue") or "general"),
                  identity=contact_identity(call), disposition=meta.get("disposition"),
                  repeat_contact=repeat_contact)
    f.agent = meta.get("assigned_agent") or next(iter(meta.get("agents") or []), None)
    human_times: list[float] = [float(meta["handoff_at"])] if meta.get("handoff_at") else []
    latencies: list[float] = []
    run = 0
    for t in turns:
        tm = t.get("meta") or {}
        if t["speaker"] == "caller":
            f.caller_turns += 1
            score = sentiment(t["text"])
            f.sentiments.append((t["started_at"], score))
        elif t["speaker"] == "human":
            human_times.append(t["started_at"])
        elif t["speaker"] == "agent":
            f.agent_turns += 1
            intent = tm.get("intent")
            if intent and intent not in CONVERSATIONAL:
                f.intents.append(str(intent))
            run = run + 1 if intent == "clarify" else 0
            f.clarify_turns += intent == "clarify"
            f.max_clarify_run = max(f.max_clarify_run, run)
            if tm.get("escalate"):
                f.escalated = True
                f.escalation_reason = f.escalation_reason or tm.get("escalation_reason")
            if tm.get("citations"):
                f.grounded_answers += 1
            if tm.get("citations") is not None and intent and str(intent).startswith("kb"):
                f.knowledge_answers += 1
            ms = turn_latency_ms(t)
            if ms is not None and t.get("latency", {}).get("end_reason") != "greeting":
                latencies.append(ms)
    for e in events:
        data = e.get("data") or {}
        if e["kind"] in ESCALATION_EVENTS:
            f.escalated = True
            f.escalation_reason = f.escalation_reason or data.get("reason")
        elif e["kind"] in HUMAN_EVENTS:
            human_times.append(e["at"])
            f.agent = f.agent or data.get("agent")
        elif e["kind"] in TOOL_EVENTS:
            f.tools.append(str(data.get("tool") or data.get("name") or "?"))
    f.tools, f.tools_offered = tool_runs(turns, [*audited_tools, *f.tools])
    f.intent = max(f.intents, key=f.intents.count) if f.intents else None
    f.human = bool(f.agent or human_times)
    f.escalated = f.escalated or f.human
    if f.escalated and not f.escalation_reason:
        f.escalation_reason = "handled by a human" if f.human else "unspecified"
    if f.sentiments:
        f.sentiment = round(statistics.fmean(s for _, s in f.sentiments), 3)
    if latencies:
        f.latency_p50_ms = round(statistics.median(latencies), 1)
        f.slow_turns = sum(ms > slow_turn_ms for ms in latencies)
        f.timed_turns = len(latencies)
    end = f.ended_at if f.ended_at is not None else max(
        [f.started_at, *(t["ended_at"] for t in turns)])
    f.human_at = min(human_times) if human_times else None
    if f.human_at is not None:
        f.ai_handle_s = max(0.0, f.human_at - f.started_at)
        f.human_handle_s = max(0.0, end - f.human_at)
    else:
        f.ai_handle_s = max(0.0, end - f.started_at)
    if f.end_reason == "error":
        f.outcome, f.unresolved_reason = "error", "the call failed on our side"
    elif f.caller_turns == 0 and not f.human:
        f.outcome, f.unresolved_reason = "abandoned", "the caller said nothing"
    else:
        f.resolved, f.unresolved_reason = resolution(
            turns, f.tools, human=f.human, disposition=f.disposition, repeat_contact=repeat_contact)
        f.outcome = ("human" if f.human else "escalated" if f.escalated
                     else "resolved" if f.resolved else "unresolved")
    return f
