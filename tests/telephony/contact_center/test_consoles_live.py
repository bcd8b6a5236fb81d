"""The consoles' live feeds in the real app (TestClient websockets): an open desktop's heartbeat
keeps its agent available and a closed one goes offline within the timeout, seen on the
wallboard as a pushed patch; the wallboard gets one snapshot, then patches (a call's row as
it changes, never the whole floor again); a callback task is done once, by its queue."""

from __future__ import annotations

import dataclasses
import functools
import time
from typing import Any

from starlette.testclient import TestClient

from telephony.auth.types import Role
from telephony.core.config import ConsolesConfig

HEARTBEAT_S, TIMEOUT_S = 0.3, 1.5


def app_for(hotline_config: Any, services: Any) -> Any:
    from telephony.server.app import create_app

    cfg = dataclasses.replace(hotline_config, consoles=ConsolesConfig(
        presence_heartbeat_s=HEARTBEAT_S, presence_timeout_s=TIMEOUT_S))
    return create_app(cfg, services=services)


def session(client: TestClient, name: str, role: Role, queues: tuple[str, ...] = ("general",)) -> dict[str, str]:
    app: Any = client.app
    users = app.state.auth.users
    user = client.portal.call(users.user, name)  # type: ignore[union-attr]
    if user is None:
        client.portal.call(users.add_user, name, role, "live-password", queues)  # type: ignore[union-attr]
        user = client.portal.call(users.user, name)  # type: ignore[union-attr]
    sid, sess = client.portal.call(users.create_session, user)  # type: ignore[union-attr]
    return {"cookie": f"hotline_session={sid}", "x-csrf-token": sess.csrf_token}


def until(ws: Any, test: Any, limit_s: float = 30.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read pushed messages until one passes `test`; (it, everything read)."""
    seen = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        message = ws.receive_json()
        seen.append(message)
        if test(message):
            return message, seen
    raise AssertionError(f"not pushed within {limit_s} s: {[m['type'] for m in seen]}")


def agent_status(message: dict[str, Any], name: str) -> str | None:
    if message.get("type") not in ("agents", "snapshot"):
        return None
    return next((a["status"] for a in message["agents"] if a["agent"] == name), None)


def test_a_closed_desktop_goes_offline_within_the_heartbeat_timeout(hotline_config: Any, services: Any) -> None:
    with TestClient(app_for(hotline_config, services)) as client:
        sup, agent = session(client, "lv-sup", Role.SUPERVISOR), session(client, "lv-agent", Role.AGENT)
        app: Any = client.app
        with client.websocket_connect("/ws/wallboard", headers=sup) as board:
            first = board.receive_json()
            assert first["type"] == "snapshot" and agent_status(first, "lv-agent") in (None, "offline")
            with client.websocket_connect("/ws/desk", headers=agent) as desk:
                snap = desk.receive_json()
                assert snap["type"] == "snapshot" and snap["presence"]["status"] == "available"
                assert snap["heartbeat_s"] == HEARTBEAT_S and snap["me"] == "lv-agent"
                until(board, lambda m: agent_status(m, "lv-agent") == "available")
                for _ in range(int(2 * TIMEOUT_S / HEARTBEAT_S)):  # alive longer than the timeout
                    desk.send_json({"type": "heartbeat"})
                    time.sleep(HEARTBEAT_S)
                assert app.state.handoff.presence.of("lv-agent").status.value == "available"
                desk.send_json({"type": "heartbeat"})
                closed = time.monotonic()
            offline, _ = until(board, lambda m: agent_status(m, "lv-agent") == "offline")
            gone_s = time.monotonic() - closed
            entry = next(a for a in offline["agents"] if a["agent"] == "lv-agent")
        print(f"\ndesktop closed -> offline on the wallboard after {gone_s:.2f} s (timeout {TIMEOUT_S} s)")
        assert TIMEOUT_S - 0.2 <= gone_s <= TIMEOUT_S + 1.5
        assert entry["since"] >= time.time() - gone_s - 0.5  # the time in state restarted


def test_the_wallboard_is_patched_per_call_and_callbacks_are_tasks(hotline_config: Any, services: Any) -> None:
    with TestClient(app_for(hotline_config, services)) as client:
        sup = session(client, "lp-sup", Role.SUPERVISOR)
        other = session(client, "lp-other", Role.AGENT, ("vip",))
        agent = session(client, "lp-agent", Role.AGENT)
        app: Any = client.app
        calls, handoff = app.state.calls, app.state.handoff
        with client.websocket_connect("/ws/wallboard", headers=sup) as board:
            assert board.receive_json()["type"] == "snapshot"
            conv = client.portal.call(calls.open_text, "chat", "+15550100002")  # type: ignore[union-attr]
            row, _ = until(board, lambda m: m["type"] == "call")
            assert row["row"]["call_id"] == conv.call_id and row["row"]["mode"] == "ai"
            assert row["row"]["started_at"] == conv.started_at and "duration_s" not in row["row"]
            client.portal.call(functools.partial(conv.event, "supervisor_note", text="x"))  # type: ignore[union-attr]
            handoff.publish({"type": "supervision", "call_id": conv.call_id, "mode": "listen"})
            client.portal.call(handoff.presence.set, "lp-agent", "away")  # type: ignore[union-attr]
            patch, seen = until(board, lambda m: m["type"] == "agents")
            assert [m["type"] for m in seen] == ["agents"]  # unchanged rows are not re-sent
            booked = client.portal.call(handoff.callbacks.add, conv.call_id, "+15550100002", "general", 12.0)  # type: ignore[union-attr]
            handoff.publish({"type": "callback", "callback": booked.as_dict()})
            tasks, _ = until(board, lambda m: m["type"] == "callbacks")
            assert [c["caller_id"] for c in tasks["callbacks"]] == ["+15550100002"]
            done = f"/api/desk/callbacks/{booked.id}/done"
            assert client.post(done, headers=other).status_code == 404  # not her queue
            assert client.post(done, headers=agent).json() == {"ok": True, "id": booked.id}
            assert client.post(done, headers=agent).status_code == 409
            cleared, _ = until(board, lambda m: m["type"] == "callbacks")
            assert cleared["callbacks"] == []
            client.portal.call(calls.hang_up, conv.call_id, "caller_hangup")  # type: ignore[union-attr]
            removed, _ = until(board, lambda m: m["type"] == "call_removed")
            assert removed["call_id"] == conv.call_id
