"""The web chat's websocket against the real app and brain (TestClient): origins, a chat
resumed by its capability with its history, resent messages answered once, identity
tokens, the end with a CSAT score stored where the calls' scores are."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from telephony.auth.identity_token import issue
from telephony.core.config import WebChatConfig
from telephony.server.app import create_app

SITE = "http://127.0.0.1:9"  # the shop that embeds the widget
SECRET_ENV = "HOTLINE_TEST_WEBCHAT_SECRET"
SECRET = "webchat-test-secret"
KNOWN_CALLER = "+15550100002"


@pytest.fixture
def client(hotline_config: Any, services: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    cfg = dataclasses.replace(hotline_config, webchat=WebChatConfig(
        allowed_origins=(SITE,), identity_secret_env=SECRET_ENV))
    with TestClient(create_app(cfg, services=services)) as c:
        yield c


def _until(ws: Any, kind: str, limit: int = 40) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read frames until one of `kind`; returns it and everything read before it."""
    seen = []
    for _ in range(limit):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame, seen
        seen.append(frame)
    raise AssertionError(f"no {kind} in {seen}")


def _hello(ws: Any, **extra: Any) -> dict[str, Any]:
    ws.send_json({"type": "hello", "visitor": "visitor-0001", "conversation": None, **extra})
    return _until(ws, "ready")[0]


def test_a_page_of_another_origin_is_refused(client: TestClient) -> None:
    for origin in ("http://evil.example", None):
        headers = {"origin": origin} if origin else {}
        with (pytest.raises(WebSocketDisconnect) as refused,
              client.websocket_connect("/ws/webchat", headers=headers) as ws):
            ws.receive_json()
        assert refused.value.code == 4403
    assert client.app.state.calls.active == {}  # type: ignore[attr-defined]


def test_chat_resumes_after_reload_and_a_resent_message_is_answered_once(client: TestClient) -> None:
    with client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws:
        ready = _hello(ws)
        capability = ready["conversation"]
        assert ready["resumed"] is False and ready["identified"] is False
        assert [t["speaker"] for t in ready["history"]] == ["agent"]  # the greeting
        ws.send_json({"type": "message", "id": "m1", "text": "Where is my order 10251?"})
        assert _until(ws, "ack")[0]["id"] == "m1"
        reply, before = _until(ws, "turn")
        while reply["speaker"] != "agent":
            reply, more = _until(ws, "turn")
            before += more
        assert {"type": "typing", "on": True} in before
        assert "order" in reply["text"]  # anonymous: it asks for a second fact first
    calls = client.app.state.calls  # type: ignore[attr-defined]
    (call_id,) = calls.active
    assert calls.active[call_id].transport == "webchat"
    # the page reloads: same capability, the same message resent (its ack was lost)
    with client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws:
        ready = _hello(ws, conversation=capability)
        assert ready["resumed"] is True and "conversation" not in ready
        assert [(t["speaker"], t.get("id")) for t in ready["history"]] == [
            ("agent", None), ("caller", "m1"), ("agent", None)]
        ws.send_json({"type": "message", "id": "m1", "text": "Where is my order 10251?"})
        assert _until(ws, "ack")[0]["id"] == "m1"
        ws.send_json({"type": "message", "id": "m2", "text": "thanks, that's all, goodbye"})
        survey, _ = _until(ws, "turn")
        while survey["speaker"] != "agent":
            survey, _ = _until(ws, "turn")
        ws.send_json({"type": "message", "id": "m3", "text": "5"})
        ended, _ = _until(ws, "ended")
        assert ended == {"type": "ended", "reason": "agent_hangup", "csat": False}  # asked in chat
    store = client.app.state.services.store  # type: ignore[attr-defined]
    turns = client.portal.call(store.turns, call_id)  # type: ignore[union-attr]
    assert [t["meta"].get("client_id") for t in turns if t["speaker"] == "caller"] == ["m1", "m2", "m3"]
    rows = store.run_sync(lambda c: c.execute(
        "SELECT score, channel FROM surveys WHERE call_id = ?", (call_id,)).fetchall())
    assert [tuple(r) for r in rows] == [(5, "chat")]


def test_identity_tokens_verify_or_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws:
        ready = _hello(ws, identity_token=issue(SECRET, KNOWN_CALLER))
        assert ready["identified"] is True
        ws.send_json({"type": "leave"})
        ended, _ = _until(ws, "ended")
        assert ended["reason"] == "caller_hangup" and ended["csat"] is True
        ws.send_json({"type": "csat", "score": 4})
        assert _until(ws, "rated")[0]["score"] == 4
    bad = {"wrong signature": issue("not-the-secret", KNOWN_CALLER),
           "expired": issue(SECRET, KNOWN_CALLER, ttl_s=-5), "garbage": "abc"}
    for why, token in bad.items():
        with (pytest.raises(WebSocketDisconnect) as refused,
              client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws):
            ws.send_json({"type": "hello", "visitor": "visitor-0002", "identity_token": token})
            error = ws.receive_json()
            assert error["type"] == "error" and "identity token refused" in error["error"], why
            ws.receive_json()
        assert refused.value.code == 4401, why
    records = client.app.state.services.store.run_sync(lambda c: c.execute(  # type: ignore[attr-defined]
        "SELECT caller_id FROM calls WHERE transport = 'webchat' AND started_at > ?",
        (time.time() - 60,)).fetchall())
    assert KNOWN_CALLER in [r[0] for r in records]


def test_an_agent_answers_a_chat_from_the_desk_in_text(client: TestClient) -> None:
    from telephony.auth.types import Role

    app: Any = client.app
    users = app.state.auth.users
    if client.portal.call(users.user, "chat-agent") is None:  # type: ignore[union-attr]
        client.portal.call(users.add_user, "chat-agent", Role.AGENT, "chat-agent-password", ("general",))  # type: ignore[union-attr]
    token = client.portal.call(users.mint_token, "chat-agent", "t")  # type: ignore[union-attr]
    agent = {"authorization": f"Bearer {token}"}
    with client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws:
        _hello(ws, visitor="visitor-0003")
        ws.send_json({"type": "message", "id": "h1", "text": "I want to talk to a human"})
        while _until(ws, "typing")[0]["on"]:
            pass  # answered (the transfer message) once typing stops
        (call_id,) = [c for c, conv in app.state.calls.active.items() if conv.transport == "webchat"]
        waiting = client.portal.call(app.state.handoff.queues.waiting)  # type: ignore[union-attr]
        assert [e.call_id for e in waiting] == [call_id]
        # no text yet: the reply box is only for the one who answered
        assert client.post(f"/api/desk/calls/{call_id}/message", headers=agent,
                           json={"text": "hi"}).status_code == 403  # not their call yet
        answered = client.post(f"/api/desk/calls/{call_id}/answer", headers=agent, json={})
        assert answered.status_code == 200, answered.text
        assert answered.json()["text"] is True and answered.json()["package"]["channel"] == "webchat"
        assert client.post(f"/api/desk/calls/{call_id}/answer", headers=agent, json={}).status_code == 404  # taken
        sent = client.post(f"/api/desk/calls/{call_id}/message", headers=agent,
                           json={"text": "Hello, I'm Ann. How can I help?"})
        assert sent.status_code == 200, sent.text
        human, _ = _until(ws, "turn")
        while human["speaker"] != "human":
            human, _ = _until(ws, "turn")
        assert human["text"] == "Hello, I'm Ann. How can I help?"
        ws.send_json({"type": "message", "id": "h2", "text": "Where is my order 10251?"})
        mine, before = _until(ws, "turn")
        assert (mine["speaker"], mine["id"]) == ("caller", "h2")
        assert {"type": "typing", "on": True} not in before  # the brain is out of it
        assert client.post(f"/api/desk/calls/{call_id}/hangup", headers=agent).status_code == 200
        ended, between = _until(ws, "ended")
        assert not [t for t in between if t["type"] == "turn" and t["speaker"] == "agent"]
        assert ended == {"type": "ended", "reason": "agent_hangup", "csat": True}
        ws.send_json({"type": "csat", "score": 3})
        assert _until(ws, "rated")[0]["score"] == 3
    turns = client.portal.call(app.state.services.store.turns, call_id)  # type: ignore[union-attr]
    assert turns[-1]["speaker"] == "caller" and turns[-2]["speaker"] == "human"
    assert turns[-2]["meta"] == {"agent": "chat-agent"}


def test_qa_and_kpis_take_the_channel_as_a_filter_and_a_dimension(client: TestClient) -> None:
    from telephony.auth.types import Role

    app: Any = client.app
    users = app.state.auth.users
    if client.portal.call(users.user, "chat-admin") is None:  # type: ignore[union-attr]
        client.portal.call(users.add_user, "chat-admin", Role.ADMIN, "chat-admin-password", ())  # type: ignore[union-attr]
    admin = {"authorization": f"Bearer {client.portal.call(users.mint_token, 'chat-admin', 't')}"}  # type: ignore[union-attr]
    since = time.time()
    with client.websocket_connect("/ws/webchat", headers={"origin": SITE}) as ws:
        _hello(ws, visitor="visitor-0004")
        ws.send_json({"type": "leave"})
        _until(ws, "ended")
    found = client.get("/api/qa/calls", params={"since": since, "channel": "webchat"}, headers=admin)
    assert found.status_code == 200, found.text
    assert [r["call"]["transport"] for r in found.json()["calls"]] == ["webchat"]
    assert client.get("/api/qa/calls", params={"since": since, "channel": "sip"},
                      headers=admin).json()["calls"] == []
    kpi = client.get("/api/kpi", params={"since": since, "until": time.time() + 1}, headers=admin).json()
    assert kpi["by_channel"]["webchat"]["calls"] == 1 and kpi["calls"] == 1
    only_sip = client.get("/api/kpi", params={"since": since, "until": time.time() + 1, "channel": "sip"},
                          headers=admin).json()
    assert only_sip["calls"] == 0 and only_sip["by_channel"] == {}
