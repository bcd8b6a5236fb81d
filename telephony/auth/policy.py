"""THE access policy: which principals may use which route. One table, default deny.

A row names a route by the path template it is registered with (`route.path`;
a Mount by its prefix), the methods it covers ("WS" for a websocket), and who
may use it:
  public=True        anyone, no login (caller-facing pages, health, signed webhooks)
  roles=...          logged-in users with one of these roles (session cookie or API token)
  caller=True        also the anonymous browser caller of that very call (WebRTC only), by
                     the call's capability (telephony/web/capability.py) while it is live,
                     from this origin only
  after_call=True    ... and for a while after it ended (the caller's post-call survey)
  call_param="x"     the path parameter `x` names a call: object-level check with
                     `can_see_call` (agents: own calls; supervisors: their queues; QA, admin: all)
  audit="a.b"        every allowed staff request is written to the audit log as action `a.b`
                     (a caller using their own call is not audited)

To add a page or API: register the route, add a row here, and add the expected
line to tests/telephony/test_access_matrix.py (a route without a row is refused
to everyone, and the matrix test fails).

Calls carry their access facts in the calls table's `meta` JSON (no schema change):
  meta["queue"]           queue name; calls without one are in DEFAULT_QUEUE
  meta["assigned_agent"]  the user name of the human agent who handles (handled) it
  meta["agents"]          optional list of every agent who took part (transfers)
Handoff/routing must fill these in; until then only supervisors, QA and admin see calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telephony.auth.types import Role, User

DEFAULT_QUEUE = "general"
ALL_QUEUES = "*"
READ = frozenset({"GET", "HEAD"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY_METHOD = READ | WRITE
POST = frozenset({"POST"})
WS = frozenset({"WS"})
STAFF = frozenset(Role)
NOBODY: frozenset[Role] = frozenset()
QA_READERS = frozenset({Role.QA, Role.ADMIN, Role.SUPERVISOR})
QA_REVIEWERS = frozenset({Role.QA, Role.ADMIN})
KPI_READERS = frozenset({Role.SUPERVISOR, Role.QA, Role.ADMIN})
DESK = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})  # supervisors take calls too
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    path: str
    methods: frozenset[str]
    roles: frozenset[Role] = NOBODY
    public: bool = False
    caller: bool = False
    after_call: bool = False
    call_param: str | None = None
    audit: str | None = None
    note: str = ""


POLICY: tuple[Rule, ...] = (
    # caller-facing and infrastructure
    Rule("/", READ, public=True, note="caller softphone page"),
    Rule("/health", READ, public=True),
    Rule("/static", READ, public=True, note="softphone script and style"),
    Rule("/api/webrtc/config", READ, public=True),
    Rule("/api/webrtc/offer", POST, public=True,
         note="starts the caller's own call and gives them its capability"),
    Rule("/api/webrtc/{call_id}/hangup", POST, caller=True,
         roles=frozenset({Role.SUPERVISOR, Role.ADMIN}), call_param="call_id",
         audit="supervisor.hangup"),
    Rule("/ws/calls/{call_id}/events", WS, caller=True, roles=STAFF,
         call_param="call_id", audit="transcript.live"),
    Rule("/twilio/voice", POST, public=True, note="Twilio signature checked"),
    Rule("/twilio/status", POST, public=True, note="Twilio signature checked"),
    Rule("/twilio/media", WS, public=True, note="one-time stream token from the webhook"),
    # login
    Rule("/login", READ | {"POST"}, public=True),
    Rule("/logout", POST, roles=STAFF),
    Rule("/account", READ, roles=STAFF),
    Rule("/api/me", READ, roles=STAFF),
    # call records: the list is filtered per user by `visible_calls`
    Rule("/api/calls", READ, roles=STAFF),
    Rule("/api/calls/{call_id}", READ, roles=STAFF, call_param="call_id",
         audit="transcript.read"),
    Rule("/api/calls/{call_id}/recording", READ, roles=STAFF, call_param="call_id",
         audit="recording.read", note="QA: read-only like every QA row"),
    # QA console (docs/qa.md): QA and admin review; supervisors read their queues' calls
    Rule("/qa", READ, roles=QA_READERS, note="console page (no data)"),
    Rule("/qa/calls/{call_id}", READ, roles=QA_READERS, call_param="call_id",
         note="call page (no data; the API below is audited)"),
    Rule("/api/qa/calls", READ, roles=QA_READERS,
         note="search; filtered by visible_calls; the handler audits transcript.search"),
    Rule("/api/qa/calls/{call_id}", READ, roles=QA_READERS, call_param="call_id",
         audit="transcript.read"),
    Rule("/api/qa/calls/{call_id}/score", POST, roles=QA_REVIEWERS, call_param="call_id",
         audit="qa.score"),
    Rule("/api/qa/calls/{call_id}/turns/{turn_id}/label", POST, roles=QA_REVIEWERS,
         call_param="call_id", audit="qa.label"),
    Rule("/api/qa/calls/{call_id}/turns/{turn_id}/kb", POST, roles=QA_REVIEWERS,
         call_param="call_id", audit="qa.kb_entry"),
    Rule("/api/qa/export", READ, roles=QA_REVIEWERS, audit="qa.export",
         note="labeled turns as JSONL; the handler audits transcript.export"),
    # KPIs and surveys (docs/kpi.md)
    Rule("/kpi", READ, roles=KPI_READERS),
    Rule("/kpi/definitions", READ, roles=KPI_READERS, note="docs/kpi.md rendered"),
    Rule("/api/kpi", READ, roles=KPI_READERS, note="supervisors: their queues' calls only"),
    Rule("/api/calls/{call_id}/survey", POST, caller=True, after_call=True, roles=frozenset({Role.ADMIN}),
         call_param="call_id", audit="survey.record", note="the web caller rates their own call"),
    # privacy (docs/privacy.md): every erased call is audited by telephony.privacy.retention
    Rule("/api/privacy/erase", POST, roles=frozenset({Role.ADMIN}), audit="privacy.erase_api"),
    Rule("/api/privacy/retention", POST, roles=frozenset({Role.ADMIN}), audit="privacy.retention_api"),
    # knowledge updates without a restart (telephony/server/kb_routes.py)
    Rule("/api/kb/documents", POST, roles=frozenset({Role.ADMIN}), audit="kb.document"),
    # human handoff: the agent desktop (docs/handoff.md); answer checks the agent's queues itself
    Rule("/agent", READ, roles=DESK, note="agent desktop page"),
    Rule("/ws/desk", WS, roles=DESK,
         note="waiting calls and callbacks of the agent's queues; presence heartbeat"),
    Rule("/api/desk/presence", POST, roles=DESK),
    Rule("/api/desk/calls/{call_id}/answer", POST, roles=DESK,
         note="not call_param: the call is not assigned yet; the handler checks the queue"),
    Rule("/api/desk/calls/{call_id}/wrapup", POST, roles=DESK, call_param="call_id"),
    Rule("/api/desk/calls/{call_id}/hangup", POST, roles=DESK, call_param="call_id"),
    Rule("/api/desk/callbacks/{callback_id}/done", POST, roles=DESK, audit="callback.done",
         note="the handler checks the callback's queue is the user's"),
    # supervision (docs/supervision.md): handlers audit each action as supervisor.<action>
    Rule("/supervisor", READ, roles=SUPERVISORS, note="wallboard page"),
    Rule("/ws/wallboard", WS, roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
         note="filtered to the supervisor's queues"),
    Rule("/api/supervise/{call_id}/join", POST, roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
         call_param="call_id"),
    Rule("/api/supervise/{call_id}/mode", POST, roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
         call_param="call_id"),
    Rule("/api/supervise/{call_id}/guidance", POST, roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
         call_param="call_id"),
    Rule("/api/supervise/{call_id}/leave", POST, roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
         call_param="call_id"),
    # administration
    Rule("/users", READ, roles=ADMINS, note="users page"),
    Rule("/api/users", READ, roles=frozenset({Role.ADMIN})),
    Rule("/api/audit", READ, roles=frozenset({Role.ADMIN})),
)

_BY_PATH: dict[str, Rule] = {}
for _rule in POLICY:
    assert _rule.path not in _BY_PATH, f"two policy rows for {_rule.path}"
    _BY_PATH[_rule.path] = _rule


def rule_for(path_template: str) -> Rule | None:
    return _BY_PATH.get(path_template)


def method_covered(rule: Rule, method: str) -> bool:
    return method in rule.methods or (method == "HEAD" and "GET" in rule.methods)


def role_allowed(rule: Rule, user: User | None) -> bool:
    return user is not None and not user.disabled and user.role in rule.roles


def call_queue(call: dict[str, Any]) -> str:
    meta = call.get("meta") or {}
    return str(meta.get("queue") or DEFAULT_QUEUE)


def call_agents(call: dict[str, Any]) -> set[str]:
    meta = call.get("meta") or {}
    agents = {str(a) for a in meta.get("agents") or () if a}
    if meta.get("assigned_agent"):
        agents.add(str(meta["assigned_agent"]))
    return agents


def can_see_call(user: User, call: dict[str, Any]) -> bool:
    """Object-level rule for one call record (a `calls` row with decoded meta)."""
    if user.role in (Role.ADMIN, Role.QA):
        return True
    if user.role == Role.SUPERVISOR:
        return ALL_QUEUES in user.queues or call_queue(call) in user.queues
    return user.name.lower() in {a.lower() for a in call_agents(call)}


def visible_calls(user: User, calls: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if can_see_call(user, c)]
