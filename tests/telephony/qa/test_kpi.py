"""KPI computations on a seeded SQLite, against values computed by hand (docs/kpi.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from telephony.qa.kpi import compute, load  # noqa: E402
from telephony.qa.search import FactSources
from telephony.server.services import open_store
from telephony.web.capability import CallCapabilities
from tests.telephony.auth_helpers import csrf, login  # noqa: E402
from tests.telephony.qa_helpers import add_call, agent, caller, make_qa_app  # noqa: E402

T0 = 1_704_067_200.0  # 2024-01-01 00:00 UTC
H, D = 3600.0, 86400.0
PERIOD = (T0, T0 + 3 * D)


def seed(conn: sqlite3.Connection) -> None:
    asked = [caller("where is my order", 2), agent("It shipped.", 4, "order_status")]
    add_call(conn, "a1", caller="A", start=T0, duration=120, turns=asked)
    add_call(conn, "a2", caller="A", start=T0 + 2 * D, duration=60, turns=asked)
    add_call(conn, "a3", caller="A", start=T0 + 10 * D, duration=60, turns=asked)  # 8 days after a2
    add_call(conn, "b1", caller="B", start=T0 + H, duration=300,
             meta={"queue": "vip", "disposition": "resolved"}, turns=[
        caller("cancel my order", 2), agent("Which order?", 4, "cancel_order"),
        agent("Connecting you.", 8, "escalate", escalate=True,
              escalation_reason="caller asked for a human")],
        events=[("handoff.answered", 100, {"agent": "bob"})])
    add_call(conn, "c1", caller="C", start=T0 + 2 * H, duration=90, turns=[
        caller("how do returns work", 2),
        agent("Let me get someone.", 4, "kb:returns", escalate=True, citations=["returns"],
              escalation_reason="low confidence")])
    add_call(conn, "d1", caller=None, start=T0 + 3 * H, duration=30, reason="caller_hangup")
    add_call(conn, "e1", caller="E", start=T0 + 10 * D, duration=30, turns=asked)
    for call_id, score in (("a1", 5), ("b1", 4), ("c1", 1), ("e1", 2)):
        conn.execute("INSERT INTO surveys (call_id, score, at) VALUES (?, ?, 0)", (call_id, score))


@pytest.fixture
def kpis(tmp_path: Path) -> dict[str, object]:
    store = open_store(tmp_path / "hotline.db")
    store.run_sync(seed)
    facts, surveys = store.run_sync(lambda c: load(c, *PERIOD, FactSources(window_s=7 * D)))
    store.close()
    scores = [s for f in facts for s in surveys.get(f.call_id, [])]
    return compute(facts, scores, 7)


def test_kpis_match_hand_computed_values(kpis: dict[str, object]) -> None:
    assert (kpis["calls"], kpis["engaged"], kpis["abandoned"]) == (5, 4, 1)
    # a1 answered, but A called again 2 days later (a2): a repeat contact is not resolved;
    # a2 answered and A's next call (a3) came 8 days later: resolved
    assert kpis["automation_rate"] == 0.25  # a2 of a1, a2, b1, c1
    assert kpis["escalation_rate"] == 0.5  # b1, c1
    assert kpis["escalation_reasons"] == {"caller asked for a human": 1, "low confidence": 1}
    # b1: a human's wrap-up says resolved, no repeat; c1: escalated and never answered
    assert kpis["fcr_rate"] == 0.5 and kpis["fcr_calls"] == 4 and kpis["customers"] == 3
    assert kpis["unresolved_reasons"] == {
        "the customer contacted us again within the window": 1, "no task completed": 1}
    assert kpis["csat_responses"] == 3 and kpis["csat_avg"] == 3.33  # (5 + 4 + 1) / 3
    assert kpis["csat_rate"] == round(2 / 3, 4)
    assert kpis["aht_ai_s"] == 92.5  # (120 + 60 + 100 + 90) / 4: b1's AI part ends at the answer
    assert kpis["aht_human_s"] == 200.0  # b1: answered at +100 s, ended at +300 s
    assert kpis["containment_by_intent"] == [
        {"intent": "order_status", "calls": 2, "contained": 1, "rate": 0.5},
        {"intent": "cancel_order", "calls": 1, "contained": 0, "rate": 0.0},
        {"intent": "kb:returns", "calls": 1, "contained": 0, "rate": 0.0}]
    assert kpis["daily"] == [
        {"day": "2024-01-01", "calls": 4, "automation_rate": 0.0,
         "escalation_rate": round(2 / 3, 4)},
        {"day": "2024-01-03", "calls": 1, "automation_rate": 1.0, "escalation_rate": 0.0}]


def test_kpi_api_roles_queues_and_surveys(tmp_path: Path) -> None:
    def seed_web(conn: sqlite3.Connection) -> None:
        seed(conn)
        add_call(conn, "w1", caller="W", start=T0 + 4 * H, transport="webrtc",
                 turns=[caller("hi", 1), agent("Hello!", 2, "greeting")])

    with TestClient(make_qa_app(tmp_path, seed_web)) as client:
        params = {"since": PERIOD[0], "until": PERIOD[1]}
        capabilities = client.app.state.call_capabilities = CallCapabilities()  # type: ignore[attr-defined]
        mine = {"x-call-capability": capabilities.issue("w1")}
        capabilities.revoke("w1")  # the call has ended: the caller may still rate it
        assert client.post("/api/calls/w1/survey", json={"score": 4}).status_code == 401  # no capability
        assert client.post("/api/calls/w1/survey", json={"score": 9}, headers=mine).status_code == 400
        assert client.post("/api/calls/w1/survey", json={"score": 4}, headers=mine).status_code == 200
        assert client.post("/api/calls/w1/survey", json={"score": 5}, headers=mine).status_code == 409
        assert client.post("/api/calls/a1/survey", json={"score": 4}).status_code == 401  # SIP call
        login(client, "ada")
        k = client.get("/api/kpi", params=params).json()
        assert k["calls"] == 6 and k["csat_responses"] == 4 and k["fcr_rate"] == 0.4
        login(client, "sue")  # supervisor of "general": b1 (vip) is not hers
        k = client.get("/api/kpi", params=params).json()
        assert k["calls"] == 5 and k["escalation_reasons"] == {"low confidence": 1}
        assert client.get("/api/kpi", params={"since": 5, "until": 1}).status_code == 400
        assert client.post("/api/calls/a1/survey", json={"score": 4},
                           headers={"x-csrf-token": csrf(client)}).status_code == 403  # SIP call
        login(client, "quinn")  # QA reads the KPIs (docs/access.md), every queue
        assert client.get("/api/kpi", params=params).json()["calls"] == 6
        assert client.post("/api/calls/w1/survey", json={"score": 4},
                           headers={"x-csrf-token": csrf(client)}).status_code == 403
        login(client, "ann")  # an agent does not
        assert client.get("/api/kpi").status_code == 403
