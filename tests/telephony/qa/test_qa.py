"""QA console APIs: search (FTS + derived filters), call detail, scorecards, labels,
JSONL export and knowledge-base entries, with roles and audit entries."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.telephony.auth_helpers import csrf, login  # noqa: E402
from tests.telephony.qa_helpers import add_call, agent, caller, make_qa_app  # noqa: E402

T0 = 1_700_000_000.0
LOOKUP = {"tool": "lookup_order", "args": {"order_id": "A1234"}, "result": {"status": "shipped"}}


def seed(conn: sqlite3.Connection) -> None:
    add_call(conn, "c-order", caller="+15550001", start=T0, meta={"queue": "general"}, turns=[
        agent("Hi, this is Acme. How can I help?", 0, "greeting"),
        caller("where is my order A1234", 3),
        agent("Your order A1234 has shipped.", 6, "order_status", tool_calls=[LOOKUP],
              latency={"speech_end_to_first_audio_ms": 600}),
        caller("great thanks", 10),
        agent("Goodbye!", 12, "goodbye")])
    add_call(conn, "c-refund", caller="+15550002", start=T0 + 100,
             meta={"queue": "vip", "assigned_agent": "bob"}, turns=[
                 caller("this is terrible, I want a refund now", 3),
                 agent("Let me get you a person.", 6, "escalate", escalate=True,
                       escalation_reason="caller asked for a human")],
             events=[("handoff.answered", 20, {"agent": "bob"})])
    add_call(conn, "c-kb", caller="+15550003", start=T0 + 200, meta={"queue": "general"}, turns=[
        caller("what is your return policy", 2),
        agent("You can return items within 30 days.", 4, "kb:returns", citations=["returns"]),
        caller("and for shoes", 8),
        agent("Sorry, could you say that again?", 10, "clarify"),
        caller("shoes", 12),
        agent("Sorry, could you say that again?", 14, "clarify")])


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with TestClient(make_qa_app(tmp_path, seed)) as c:
        yield c


def ids(res: Any) -> list[str]:
    assert res.status_code == 200, res.text
    return sorted(r["call"]["id"] for r in res.json()["calls"])


def audit(client: TestClient) -> list[Any]:
    return list(client.portal.call(client.app.state.auth.audit.entries))  # type: ignore[union-attr,call-arg,attr-defined]


def test_search_by_text_and_derived_facts(client: TestClient) -> None:
    assert login(client, "quinn").status_code == 303
    assert ids(client.get("/api/qa/calls")) == ["c-kb", "c-order", "c-refund"]
    found = client.get("/api/qa/calls", params={"q": "refund"}).json()["calls"]
    assert [r["call"]["id"] for r in found] == ["c-refund"] and "[refund]" in found[0]["snippet"]
    assert ids(client.get("/api/qa/calls", params={"q": "retur*"})) == ["c-kb"]
    assert ids(client.get("/api/qa/calls", params={"q": "nothing-like-this"})) == []
    assert ids(client.get("/api/qa/calls", params={"escalated": "true"})) == ["c-refund"]
    assert ids(client.get("/api/qa/calls", params={"tool": "lookup_order"})) == ["c-order"]
    assert ids(client.get("/api/qa/calls", params={"sentiment": "negative"})) == ["c-refund"]
    assert ids(client.get("/api/qa/calls", params={"intent": "order_status"})) == ["c-order"]
    assert ids(client.get("/api/qa/calls", params={"outcome": "human"})) == ["c-refund"]
    assert ids(client.get("/api/qa/calls", params={"agent": "bob"})) == ["c-refund"]
    assert ids(client.get("/api/qa/calls", params={"since": T0 + 50, "until": T0 + 150})) == ["c-refund"]
    searches = [e for e in audit(client) if e.action == "transcript.search"]
    assert searches and searches[0].actor == "quinn" and searches[0].detail["calls"] == ["c-refund"]


def test_supervisors_read_only_their_queues(client: TestClient) -> None:
    login(client, "sue")  # supervisor of "general"
    assert ids(client.get("/api/qa/calls")) == ["c-kb", "c-order"]
    assert client.get("/api/qa/calls/c-refund").status_code == 403
    assert client.get("/api/qa/calls/c-order").json()["can_review"] is False
    label = client.post("/api/qa/calls/c-order/turns/3/label", json={"label": "correct"},
                        headers={"x-csrf-token": csrf(client)})
    assert label.status_code == 403


def test_call_detail_scorecard_labels_export_and_kb(client: TestClient, tmp_path: Path) -> None:
    login(client, "quinn")
    token = {"x-csrf-token": csrf(client)}
    d = client.get("/api/qa/calls/c-order").json()
    assert [t["offset_s"] for t in d["turns"]] == [0, 3, 6, 10, 12]
    assert d["tools"][0]["tool"] == "lookup_order" and d["tools"][0]["result"] == {"status": "shipped"}
    card = d["scorecard"]
    assert card["auto"]["resolved"] == 1.0 and card["auto"]["latency"] == 1.0
    assert card["auto"]["grounded"] is None and card["auto"]["courtesy"] is None
    assert card["total"] == card["auto_total"] == 100.0
    kb = client.get("/api/qa/calls/c-kb").json()["scorecard"]
    assert kb["auto"]["no_clarify_loop"] == 0.0 and kb["auto"]["grounded"] == 1.0
    # the reviewer changes the automatic score
    res = client.post("/api/qa/calls/c-order/score", json={"scores": {"resolved": 0.5, "courtesy": 1},
                                                           "comment": "ok"}, headers=token)
    assert res.status_code == 200, res.text
    card = client.get("/api/qa/calls/c-order").json()["scorecard"]
    assert card["final"]["resolved"] == 0.5 and card["reviewer"] == "quinn"
    # resolved 3 x 0.5, clarify 1, latency 1, sentiment 1, courtesy 2 (grounded: n/a)
    assert card["total"] == round(100 * (3 * 0.5 + 1 + 1 + 1 + 2) / (3 + 1 + 1 + 1 + 2), 1)
    assert client.post("/api/qa/calls/c-order/score", json={"scores": {"resolved": 7}},
                       headers=token).status_code == 400
    # labels go on AI turns only
    turns = {t["text"]: t["id"] for t in d["turns"]}
    caller_turn, ai_turn = turns["where is my order A1234"], turns["Your order A1234 has shipped."]
    assert client.post(f"/api/qa/calls/c-order/turns/{caller_turn}/label", json={"label": "correct"},
                       headers=token).status_code == 400
    res = client.post(f"/api/qa/calls/c-order/turns/{ai_turn}/label", headers=token, json={
        "label": "wrong_answer", "corrected_answer": "Order A1234 shipped on Monday by UPS.", "note": "date"})
    assert res.status_code == 200, res.text
    assert client.post(f"/api/qa/calls/c-refund/turns/{ai_turn}/label", json={"label": "correct"},
                       headers=token).status_code == 404  # the turn is not in that call
    export = client.get("/api/qa/export")
    lines = [json.loads(x) for x in export.text.splitlines()]
    assert export.headers["content-type"].startswith("application/x-ndjson")
    assert lines == [lines[0]] and lines[0]["question"] == "where is my order A1234"
    assert lines[0]["ai_answer"] == "Your order A1234 has shipped."
    assert lines[0]["corrected_answer"] == "Order A1234 shipped on Monday by UPS."
    assert lines[0]["label"] == "wrong_answer" and lines[0]["intent"] == "order_status"
    # the corrected answer becomes a knowledge-base entry
    res = client.post(f"/api/qa/calls/c-order/turns/{ai_turn}/kb", json={}, headers=token)
    assert res.status_code == 200, res.text
    entry = json.loads((tmp_path / "kb_additions.jsonl").read_text().splitlines()[0])
    assert entry["spoken"] == "Order A1234 shipped on Monday by UPS." and entry["source"] == "qa"
    assert entry["call_id"] == "c-order" and res.json()["live"] is False  # no engine in this app
    actions = {(e.actor, e.action, e.target) for e in audit(client)}
    assert {("quinn", "transcript.read", "c-order"), ("quinn", "qa.score", "c-order"),
            ("quinn", "qa.label", "c-order"), ("quinn", "qa.kb_entry", "c-order"),
            ("quinn", "qa.export", "/api/qa/export"),
            ("quinn", "transcript.export", "/api/qa/export")} <= actions


def test_pages_are_served(client: TestClient) -> None:
    assert client.get("/qa", follow_redirects=False).status_code == 401
    login(client, "quinn")
    assert "qa.js" in client.get("/qa").text and "qa.js" in client.get("/qa/calls/c-order").text
    assert client.get("/kpi").status_code == 200  # KPIs: supervisors, QA and admins
