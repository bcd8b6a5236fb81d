"""Text conversations in the real app: stored in the server's database, listed by the QA API,
counted by the KPIs, queued for a human, guided by a supervisor, and closed with a reason
when the server stops."""

from __future__ import annotations

import functools
import time
from typing import Any

from starlette.testclient import TestClient

from telephony.auth.types import Role
from telephony.server.app import create_app
from tests.telephony.text_helpers import Transcript

KNOWN_CALLER = "+15550100002"
STAFF_USER = "text-admin"  # reads the QA console and the KPIs


def _bearer(client: TestClient) -> dict[str, str]:
    users = client.app.state.auth.users  # type: ignore[attr-defined]
    if client.portal.call(users.user, STAFF_USER) is None:  # type: ignore[union-attr]
        client.portal.call(users.add_user, STAFF_USER, Role.ADMIN, "text-admin-password", ())  # type: ignore[union-attr]
    return {"authorization": f"Bearer {client.portal.call(users.mint_token, STAFF_USER, 'text')}"}  # type: ignore[union-attr]


def test_chats_reach_qa_kpis_and_the_queue_and_close_at_shutdown(hotline_config: Any,
                                                                  services: Any) -> None:
    app = create_app(hotline_config, services=services)
    finished, waiting = Transcript(), Transcript()
    since = time.time()
    with TestClient(app) as client:
        texts, portal = app.state.text, client.portal
        done = portal.call(functools.partial(texts.open, finished, KNOWN_CALLER, caller_verified=True))
        for text in ("where is my order", "that's all, goodbye", "5"):
            portal.call(texts.send, done.call_id, text)
        assert finished.closed_with == "agent_hangup"
        left = portal.call(texts.open, waiting)
        portal.call(texts.send, left.call_id, "I want to talk to a human")
        assert client.get("/health").json()["active_calls"] == 1

        headers = _bearer(client)
        found = client.get("/api/qa/calls", params={"since": since}, headers=headers)
        assert found.status_code == 200, found.text
        rows = {r["call"]["id"]: r for r in found.json()["calls"]}
        assert set(rows) == {done.call_id, left.call_id}
        assert rows[done.call_id]["call"]["transport"] == "chat"
        assert rows[done.call_id]["facts"]["outcome"] == "resolved"
        assert "order_status" in rows[done.call_id]["facts"]["intents"]
        assert rows[left.call_id]["facts"]["escalated"] is True
        detail = client.get(f"/api/qa/calls/{done.call_id}", headers=headers).json()
        assert [t["speaker"] for t in detail["turns"]] == ["agent", "caller"] * 3 + ["agent"]

        kpi = client.get("/api/kpi", params={"since": since, "until": time.time() + 1},
                         headers=headers).json()
        assert (kpi["calls"], kpi["engaged"], kpi["escalation_rate"]) == (2, 2, 0.5)
        assert (kpi["csat_responses"], kpi["csat_avg"]) == (1, 5)

        queued = portal.call(app.state.handoff.queues.waiting)
        assert [e.call_id for e in queued] == [left.call_id]
        assert queued[0].package["channel"] == "chat"
        # a supervisor's typed guidance reaches the AI of a chat as of a call
        guided = client.post(f"/api/supervise/{left.call_id}/guidance", headers=headers,
                             json={"text": "Offer the order status by text."})
        assert guided.status_code == 200, guided.text
        assert left.session.guidance == ["Offer the order status by text."]
        assert client.post(f"/api/supervise/{left.call_id}/join", headers=headers, json={
            "sdp": "v=0", "type": "offer"}).status_code == 404  # nothing to listen to
    # the lifespan's shutdown hung up what was still open
    assert waiting.closed_with == "server_shutdown"
    reasons = dict(services.store.run_sync(lambda c: c.execute(
        "SELECT id, end_reason FROM calls WHERE id IN (?, ?)", (done.call_id, left.call_id)).fetchall()))
    assert reasons == {done.call_id: "agent_hangup", left.call_id: "server_shutdown"}
