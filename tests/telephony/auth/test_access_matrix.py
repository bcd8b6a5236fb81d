"""Every route of the app x every principal: exactly the expected ones get through.

The expectations below are written by hand, independently of telephony/auth/policy.py:
a new route fails this test until it is added both to the policy and here; a policy
row that lets in someone it should not fails it too (see the tests at the bottom).
Principals: anonymous, a session per role (with its CSRF token), an API token per role.
Calls: `own` is in the agent's and supervisor's queue and assigned to the agent;
`foreign` is in another queue with another agent (both are SIP calls, so the WebRTC
caller capability does not apply; that one is covered in test_auth_web.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from telephony.auth import policy  # noqa: E402
from telephony.auth.denials import DENIED_HEADER  # noqa: E402
from telephony.auth.types import Role  # noqa: E402
from tests.telephony.auth_helpers import make_app  # noqa: E402

ANON, AGENT, SUP, QA, ADMIN = "anonymous", "agent", "supervisor", "qa", "admin"
ALL = frozenset({ANON, AGENT, SUP, QA, ADMIN})
STAFF = frozenset({AGENT, SUP, QA, ADMIN})
OK = (200,)
DESK = frozenset({AGENT, SUP, ADMIN})  # supervisors take calls too
SUPS = frozenset({SUP, ADMIN})
QA_READ = frozenset({SUP, QA, ADMIN})
QA_WRITE = frozenset({QA, ADMIN})
# (path template, method): (allowed on the own call, allowed on the foreign call, handler statuses)
EXPECTED: dict[tuple[str, str], tuple[frozenset[str], frozenset[str], tuple[int, ...]]] = {
    ("/", "GET"): (ALL, ALL, OK),
    ("/health", "GET"): (ALL, ALL, OK),
    ("/static", "GET"): (ALL, ALL, OK),
    ("/login", "GET"): (ALL, ALL, OK),
    ("/login", "POST"): (ALL, ALL, (403,)),  # no login-form cookie: the handler refuses
    ("/logout", "POST"): (STAFF, STAFF, (303,)),
    ("/account", "GET"): (STAFF, STAFF, OK),
    ("/api/me", "GET"): (STAFF, STAFF, OK),
    ("/users", "GET"): (frozenset({ADMIN}), frozenset({ADMIN}), OK),
    ("/api/users", "GET"): (frozenset({ADMIN}), frozenset({ADMIN}), OK),
    ("/api/audit", "GET"): (frozenset({ADMIN}), frozenset({ADMIN}), OK),
    ("/api/calls", "GET"): (STAFF, STAFF, OK),
    ("/api/calls/{call_id}", "GET"): (STAFF, frozenset({QA, ADMIN}), OK),
    ("/api/calls/{call_id}/recording", "GET"): (STAFF, frozenset({QA, ADMIN}), OK),
    ("/api/webrtc/config", "GET"): (ALL, ALL, OK),
    ("/api/webrtc/offer", "POST"): (ALL, ALL, (400,)),  # empty body
    ("/api/webrtc/{call_id}/hangup", "POST"): (frozenset({SUP, ADMIN}), frozenset({ADMIN}), (404,)),
    ("/ws/calls/{call_id}/events", "WS"): (STAFF, frozenset({QA, ADMIN}), ()),
    ("/twilio/voice", "POST"): (ALL, ALL, (403, 503)),  # unsigned; 503 without public_url
    ("/twilio/status", "POST"): (ALL, ALL, (403, 503)),
    ("/twilio/media", "WS"): (ALL, ALL, ()),
    # human handoff (agent desktop) and supervision
    ("/agent", "GET"): (DESK, DESK, OK),
    ("/ws/desk", "WS"): (DESK, DESK, ()),
    ("/api/desk/presence", "POST"): (DESK, DESK, (400,)),  # empty body
    ("/api/desk/calls/{call_id}/answer", "POST"): (DESK, DESK, (400,)),  # queue checked by the handler
    ("/api/desk/calls/{call_id}/wrapup", "POST"): (DESK, frozenset({ADMIN}), (400,)),
    ("/api/desk/calls/{call_id}/hangup", "POST"): (DESK, frozenset({ADMIN}), (404,)),  # not live
    ("/api/desk/callbacks/{callback_id}/done", "POST"): (DESK, DESK, (404,)),  # queue checked by the handler
    ("/supervisor", "GET"): (SUPS, SUPS, OK),
    ("/ws/wallboard", "WS"): (SUPS, SUPS, ()),
    ("/api/supervise/{call_id}/join", "POST"): (SUPS, frozenset({ADMIN}), (400,)),
    ("/api/supervise/{call_id}/mode", "POST"): (SUPS, frozenset({ADMIN}), (400,)),
    ("/api/supervise/{call_id}/guidance", "POST"): (SUPS, frozenset({ADMIN}), (400,)),
    ("/api/supervise/{call_id}/leave", "POST"): (SUPS, frozenset({ADMIN}), (404,)),
    # QA console, KPIs, surveys, privacy (docs/qa.md, docs/kpi.md, docs/privacy.md)
    ("/qa", "GET"): (QA_READ, QA_READ, OK),
    ("/qa/calls/{call_id}", "GET"): (QA_READ, frozenset({QA, ADMIN}), OK),
    ("/api/qa/calls", "GET"): (QA_READ, QA_READ, OK),
    ("/api/qa/calls/{call_id}", "GET"): (QA_READ, frozenset({QA, ADMIN}), OK),
    ("/api/qa/calls/{call_id}/score", "POST"): (QA_WRITE, QA_WRITE, (400,)),
    ("/api/qa/calls/{call_id}/turns/{turn_id}/label", "POST"): (QA_WRITE, QA_WRITE, (400, 404)),
    ("/api/qa/calls/{call_id}/turns/{turn_id}/kb", "POST"): (QA_WRITE, QA_WRITE, (400, 404)),
    ("/api/qa/export", "GET"): (QA_WRITE, QA_WRITE, OK),
    ("/kpi", "GET"): (QA_READ, QA_READ, OK),
    ("/kpi/definitions", "GET"): (QA_READ, QA_READ, OK),
    ("/api/kpi", "GET"): (QA_READ, QA_READ, OK),
    ("/api/calls/{call_id}/survey", "POST"): (frozenset({ADMIN}), frozenset({ADMIN}), (400,)),
    ("/api/privacy/erase", "POST"): (frozenset({ADMIN}), frozenset({ADMIN}), (400,)),
    ("/api/privacy/retention", "POST"): (frozenset({ADMIN}), frozenset({ADMIN}), OK),
    ("/api/kb/documents", "POST"): (frozenset({ADMIN}), frozenset({ADMIN}), (400,)),  # empty body
}
SAMPLE = {"/static": "/static/softphone.js"}
ROLE_USERS = {AGENT: "mx-agent", SUP: "mx-sup", QA: "mx-qa", ADMIN: "mx-admin"}


def endpoints(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    out = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            out.append((route.path, "WS"))
        elif isinstance(route, Mount):
            out.append((route.path, "GET"))
        elif isinstance(route, Route):
            out.extend((route.path, m) for m in sorted(route.methods or ()) if m != "HEAD")
        else:
            out.append((repr(route), "?"))
    return out


async def seed(app: Any, own: str, foreign: str, recordings: Path) -> dict[str, str]:
    """Users per role, an API token each, and the two calls with a recording file each."""
    users = app.state.auth.users
    for role, name in ROLE_USERS.items():
        if await users.user(name) is None:
            await users.add_user(name, Role(role), "matrix-password", ("mx-queue",))
    store = app.state.services.store
    for call_id, queue, agent in ((own, "mx-queue", ROLE_USERS[AGENT]), (foreign, "other", "x")):
        wav = recordings / f"{call_id}.wav"
        wav.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
        await store.call_started(call_id, "sip", "+15550100",
                                 {"queue": queue, "assigned_agent": agent}, recording=str(wav))
    return {role: await users.mint_token(name, "matrix") for role, name in ROLE_USERS.items()}


def attempt(client: TestClient, path: str, method: str, headers: dict[str, str]) -> tuple[bool, Any]:
    """(denied by the auth layer?, status or close code)."""
    if method == "WS":
        try:
            with client.websocket_connect(path, headers=headers):
                return False, "open"
        except WebSocketDisconnect as e:
            return e.code == 1008, e.code
    res = client.request(method, path, headers=headers, follow_redirects=False)
    denied = DENIED_HEADER in res.headers
    assert not denied or res.status_code in (401, 403), (path, method, res.status_code)
    return denied, res.status_code


def check_matrix(client: TestClient, own: str, foreign: str, tokens: dict[str, str],
                 role_users: dict[str, str] = ROLE_USERS) -> list[str]:
    app: Any = client.app
    problems = []
    for template, method in endpoints(app.router.routes):
        if (template, method) not in EXPECTED:
            problems.append(f"{method} {template}: no expectation (add it to the policy and here)")
            continue
        allowed_own, allowed_foreign, statuses = EXPECTED[(template, method)]
        for call_id, allowed in ((own, allowed_own), (foreign, allowed_foreign)):
            path = SAMPLE.get(template, template).replace("{call_id}", call_id)
            for who, via in [(ANON, "none")] + [(r, v) for r in role_users for v in ("session", "token")]:
                headers = {}
                if via == "token":
                    headers["authorization"] = f"Bearer {tokens[who]}"
                elif via == "session":
                    name = role_users[who]
                    user = client.portal.call(app.state.auth.users.user, name)  # type: ignore[union-attr]
                    sid, session = client.portal.call(app.state.auth.users.create_session, user)  # type: ignore[union-attr]
                    headers["cookie"] = f"hotline_session={sid}"
                    headers["x-csrf-token"] = session.csrf_token
                denied, status = attempt(client, path, method, headers)
                if denied == (who in allowed):
                    problems.append(f"{method} {path} as {who} ({via}): "
                                    f"{'refused' if denied else 'let through'} ({status})")
                elif not denied and method != "WS" and status not in statuses and not 200 <= status < 400:
                    problems.append(f"{method} {path} as {who} ({via}): handler said {status}")
    return problems


@pytest.mark.slow
def test_every_route_of_the_real_app(services: Any, hotline_config: Any) -> None:
    from telephony.server.app import create_app

    own, foreign = f"mx-own-{uuid.uuid4().hex[:8]}", f"mx-foreign-{uuid.uuid4().hex[:8]}"
    recordings = hotline_config.data_path / "recordings"
    recordings.mkdir(parents=True, exist_ok=True)
    with TestClient(create_app(hotline_config, services=services)) as client:
        tokens = client.portal.call(seed, client.app, own, foreign, recordings)
        assert check_matrix(client, own, foreign, tokens) == []
        entries = client.portal.call(client.app.state.auth.audit.entries)  # type: ignore[attr-defined]
        reads = {(e.actor, e.action) for e in entries if e.target == own}
        assert {(name, a) for name in ROLE_USERS.values()
                for a in ("transcript.read", "recording.read", "transcript.live")} <= reads


def test_matrix_catches_unlisted_routes_and_loose_rows(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same check on a small app: an unlisted route and a loosened row are reported."""
    with TestClient(make_app(tmp_path)) as client:
        app: Any = client.app
        names = {AGENT: "ann", SUP: "sue", QA: "quinn", ADMIN: "ada"}  # auth_helpers.USERS
        tokens = {r: client.portal.call(app.state.auth.users.mint_token, n) for r, n in names.items()}
        loose = policy.Rule("/api/users", policy.READ, roles=policy.STAFF)
        monkeypatch.setitem(policy._BY_PATH, "/api/users", loose)
        problems = check_matrix(client, "c-general", "c-vip", tokens, names)
    assert any(p.startswith("GET /unlisted: no expectation") for p in problems), problems
    assert any(p.startswith("GET /api/users as agent (session): let through") for p in problems)
    assert not any("/api/calls/" in p for p in problems), problems
