"""Honest outcomes (telephony/qa/outcome.py): a call is resolved from what happened in it.

A re-asked caller who hangs up is not resolved; a read-back never confirmed is an offered
tool, not an executed one (the dialog's real audit log, kb.db.audit, says which ran); web
callers count as one customer per browser (or per customer identity), never per IP."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kb.db.audit import AI_ROLE, TOOL_ACTION, AuditLog
from telephony.qa.facts import call_facts
from telephony.qa.search import FactSources, load_facts
from telephony.qa.tool_audit import ToolAudit
from telephony.server.services import open_store
from tests.telephony.auth_helpers import login
from tests.telephony.qa_helpers import add_call, agent, caller, make_qa_app

T0 = 1_704_067_200.0
D = 86400.0
CREDIT = {"tool": "issue_credit", "args": {"order_id": "10288", "amount_cents": 800},
          "status": "awaiting_confirmation"}
REASKED = [caller("where is my order", 2),
           agent("Sure. What's the order number?", 4, "order_status"),
           caller("one two three", 8),
           agent("Sorry, I still didn't catch that. Could you say it another way?", 10, "clarify")]
OFFERED = [caller("my order is late", 2),
           agent("Order 10288 is late. I can waive the 8 dollar shipping fee as a credit. "
                 "Would you like that?", 4, "confirm_issue_credit", tool_calls=[dict(CREDIT)]),
           caller("what's the weather like", 9)]
ANSWERED = [caller("where is my order", 2), agent("It shipped on Monday.", 4, "order_status"),
            caller("thanks", 7), agent("Thanks for calling. Have a great day!", 8, "goodbye")]


def facts_of(turns: list[Any], **call: Any) -> Any:
    row = {"id": "x", "transport": "sip", "started_at": T0, "ended_at": T0 + 60,
           "end_reason": "caller_hangup", "caller_id": "+15550100", "meta": {}, **call}
    return call_facts(row, [{"speaker": s, "text": t, "started_at": T0 + o, "ended_at": T0 + o + d,
                             "latency": {}, "meta": m} for s, t, o, d, m in turns], [])


def test_a_reasked_caller_who_hangs_up_is_not_resolved() -> None:
    f = facts_of(REASKED)
    assert (f.outcome, f.resolved) == ("unresolved", False)
    assert f.unresolved_reason == "ended after the agent did not understand (re-asked)"
    asking = facts_of(REASKED[:2])
    assert asking.unresolved_reason == "ended while the agent was asking for a detail"
    done = facts_of(ANSWERED)
    assert (done.outcome, done.resolved, done.unresolved_reason) == ("resolved", True, None)
    silent = facts_of([agent("Thanks for calling Acme. How can I help you today?", 0, "greeting")])
    assert silent.outcome == "abandoned" and not silent.resolved


def test_an_offer_is_not_an_executed_tool(tmp_path: Path) -> None:
    f = facts_of(OFFERED)
    assert f.tools == [] and f.tools_offered == ["issue_credit"]
    assert f.unresolved_reason == "ended on a read-back the caller never confirmed"
    # the audit log says the credit ran (the caller's yes was not stored as a turn): executed
    log = AuditLog(tmp_path / "demo.sqlite3")
    log.record_sync("ai-agent", AI_ROLE, TOOL_ACTION + "issue_credit", "c-credit",
                    args=CREDIT["args"], result={"value": {"status": "issued"}}, confirmed=True)
    log.record_sync("ai-agent", AI_ROLE, TOOL_ACTION + "cancel_order", "c-credit",
                    args={}, result={"refused": "no explicit confirmation"}, confirmed=False)
    audit = ToolAudit(log)
    try:
        assert audit.executed(["c-credit", "other"]) == {"c-credit": ["issue_credit"]}

        def seed(conn: sqlite3.Connection) -> None:
            add_call(conn, "c-credit", caller="+15550100", start=T0, turns=list(OFFERED))

        store = open_store(tmp_path / "hotline.db")
        store.run_sync(seed)
        calls = store.run_sync(lambda c: [dict(r) | {"meta": {}} for r in c.execute("SELECT * FROM calls")])
        ran = store.run_sync(lambda c: load_facts(c, calls, FactSources(tool_audit=audit)))[0]
        store.close()
        assert ran.tools == ["issue_credit"] and ran.tools_offered == []
    finally:
        audit.close()


def test_web_callers_are_one_customer_per_browser_never_per_ip(tmp_path: Path) -> None:
    def seed(conn: sqlite3.Connection) -> None:
        for i, (browser, day) in enumerate((("b-1", 0), ("b-2", 0.1), ("b-1", 1), ("b-3", 30))):
            add_call(conn, f"w{i}", caller=None, start=T0 + day * D, transport="webrtc",
                     meta={"browser_id": browser}, turns=list(ANSWERED))
        add_call(conn, "ip1", caller="127.0.0.1", start=T0, transport="webrtc", turns=list(ANSWERED))
        add_call(conn, "ip2", caller="127.0.0.1", start=T0 + 1, transport="webrtc", turns=list(ANSWERED))
        add_call(conn, "cust", caller=None, start=T0 + 2 * D, transport="webrtc",
                 meta={"browser_id": "b-9", "customer_id": "C1"}, turns=list(ANSWERED))
        add_call(conn, "cust2", caller="+15550101", start=T0 + 3 * D,
                 meta={"customer_id": "C1"}, turns=list(ANSWERED))
        add_call(conn, "failed", caller="+15550102", start=T0 + 4 * D, turns=list(REASKED))

    with TestClient(make_qa_app(tmp_path, seed)) as client:
        login(client, "ada")
        k = client.get("/api/kpi", params={"since": T0, "until": T0 + 40 * D}).json()
        rows = {r["call"]["id"]: r["facts"] for r in client.get("/api/qa/calls").json()["calls"]}
    assert rows["w0"]["identity"] == "browser:b-1" and rows["w0"]["repeat_contact"]
    assert rows["w1"]["resolved"] and rows["w2"]["resolved"] and rows["w3"]["resolved"]
    assert rows["ip1"]["identity"] is None and rows["ip1"]["resolved"], "an IP is no identity"
    assert rows["cust"]["identity"] == "customer:C1" and not rows["cust"]["resolved"]  # cust2
    assert rows["failed"]["outcome"] == "unresolved"
    # 9 engaged; resolved: w1 w2 w3 ip1 ip2 cust2 (w0 and cust repeat, failed re-asked)
    assert k["engaged"] == 9 and k["automation_rate"] == round(6 / 9, 4)
    # first-contact resolution over the 7 with an identity: w1 w2 w3 cust2
    assert (k["fcr_calls"], k["fcr_rate"], k["customers"]) == (7, round(4 / 7, 4), 5)
