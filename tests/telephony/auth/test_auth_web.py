"""Login, sessions, CSRF, tokens, object-level call access and audit over HTTP and websockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from telephony.auth.denials import DENIED_HEADER  # noqa: E402
from tests.telephony.auth_helpers import PASSWORD, csrf, login, make_app  # noqa: E402


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path)) as c:
        yield c


def audit_actions(client: TestClient, target: str) -> list[tuple[str, str]]:
    entries = client.portal.call(client.app.state.auth.audit.entries)  # type: ignore[union-attr,attr-defined]
    return [(e.actor, e.action) for e in entries if e.target == target]


def test_login_sets_a_hardened_session_cookie(client: TestClient) -> None:
    res = login(client, "sue")
    assert res.status_code == 303 and res.headers["location"] == "/api/me"
    cookie = next(v for k, v in res.headers.multi_items()
                  if k == "set-cookie" and v.startswith("hotline_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    me = client.get("/api/me").json()
    assert me["name"] == "sue" and me["role"] == "supervisor" and me["via"] == "session"
    assert ("sue", "auth.login") in audit_actions(client, "sue")


def test_https_public_url_makes_cookies_secure(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, public_url="https://cc.example.com")) as c:
        res = login(c, "ada")
        assert any("Secure" in v for k, v in res.headers.multi_items() if k == "set-cookie")


def test_wrong_password_then_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "ann", "wrong password").status_code == 401
    res = login(client, "ann")  # right password, but too many failures for this name
    assert res.status_code == 429 and int(res.headers["retry-after"]) > 0
    assert login(client, "sue").status_code == 303  # other names are not locked out
    assert audit_actions(client, "ann").count(("ann", "auth.login_failed")) == 5


def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    res = client.post("/login", data={"name": "ann", "password": PASSWORD, "csrf_token": "x"})
    assert res.status_code == 403 and "hotline_session" not in res.cookies


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_no_open_redirect_after_login(client: TestClient, target: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    res = client.post("/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token,
                                      "next": target}, follow_redirects=False)
    assert res.headers["location"] == "/agent"  # ann is an agent: her home console


def test_anonymous_is_refused_or_sent_to_login(client: TestClient) -> None:
    res = client.get("/api/me")
    assert res.status_code == 401 and res.headers[DENIED_HEADER]
    page = client.get("/account?x=1", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Faccount%3Fx%3D1"


def test_csrf_required_for_cookie_sessions_not_for_tokens(client: TestClient) -> None:
    login(client, "sue")
    assert client.post("/api/webrtc/c-general/hangup").status_code == 403
    assert client.post("/api/webrtc/c-general/hangup",
                       headers={"x-csrf-token": "wrong"}).status_code == 403
    ok = client.post("/api/webrtc/c-general/hangup", headers={"x-csrf-token": csrf(client)})
    assert ok.status_code == 200 and ok.json()["user"] == "sue"
    # a form post carries the token as a field; the handler still gets the whole body
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert out.status_code == 303 and client.get("/api/me").status_code == 401
    token = client.portal.call(client.app.state.auth.users.mint_token, "sue")  # type: ignore[union-attr,attr-defined]
    bearer = {"authorization": f"Bearer {token}"}
    client.cookies.clear()
    assert client.post("/api/webrtc/c-general/hangup", headers=bearer).status_code == 200
    assert client.get("/api/me", headers={"authorization": "Bearer hl_forged"}).status_code == 401


def test_cross_origin_cookie_requests_are_refused(client: TestClient) -> None:
    login(client, "sue")
    evil = {"origin": "https://evil.example"}
    assert client.get("/api/calls/c-general", headers=evil).status_code == 403
    assert client.get("/api/calls/c-general", headers={"origin": "http://testserver"}).status_code == 200
    with pytest.raises(WebSocketDisconnect) as err, \
            client.websocket_connect("/ws/calls/c-general/events", headers=evil):
        pass
    assert err.value.code == 1008


def test_calls_are_scoped_by_agent_and_queue(client: TestClient) -> None:
    login(client, "ann")  # agent: own calls only
    assert client.get("/api/calls/c-general").status_code == 200
    assert client.get("/api/calls/c-vip").status_code == 403
    assert client.get("/api/calls/unknown").status_code == 200  # the handler answers 404 itself
    login(client, "sue")  # supervisor of 'general' only
    assert client.get("/api/calls/c-general/recording").status_code == 200
    assert client.get("/api/calls/c-vip/recording").status_code == 403
    login(client, "quinn")  # QA: every call, read-only
    assert client.get("/api/calls/c-vip/recording").status_code == 200
    res = client.post("/api/webrtc/c-vip/hangup", headers={"x-csrf-token": csrf(client)})
    assert res.status_code == 403
    assert audit_actions(client, "c-vip") == [("quinn", "recording.read")]
    assert audit_actions(client, "c-general") == [("sue", "recording.read"),
                                                  ("ann", "transcript.read")]


def test_websockets_closed_with_policy_code(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as err, \
            client.websocket_connect("/ws/calls/c-general/events"):
        pass
    assert err.value.code == 1008
    with pytest.raises(WebSocketDisconnect) as err, \
            client.websocket_connect("/ws/calls/c-web/events"):  # the call id alone: no
        pass
    assert err.value.code == 1008
    capability = client.app.state.web_capability  # type: ignore[attr-defined]
    with client.websocket_connect("/ws/calls/c-web/events",  # the browser caller, by cookie
                                  headers={"cookie": f"hotline_call_c-web={capability}"}) as ws:
        assert ws.receive_json() == {"ok": True}
    with client.websocket_connect("/ws/calls/c-web/events",  # or by header
                                  headers={"x-call-capability": capability}) as ws:
        assert ws.receive_json() == {"ok": True}
    client.app.state.call_capabilities.revoke("c-web")  # type: ignore[attr-defined]  # call ended
    with pytest.raises(WebSocketDisconnect) as err, \
            client.websocket_connect("/ws/calls/c-web/events", headers={"x-call-capability": capability}):
        pass
    assert err.value.code == 1008
    login(client, "sue")
    with client.websocket_connect("/ws/calls/c-general/events") as ws:
        assert ws.receive_json() == {"ok": True}
    assert ("sue", "transcript.live") in audit_actions(client, "c-general")


def test_route_without_policy_row_is_refused_to_everyone(client: TestClient) -> None:
    assert client.get("/unlisted").status_code == 403
    login(client, "ada")
    res = client.get("/unlisted")
    assert res.status_code == 403 and res.headers[DENIED_HEADER] == "no policy for this route"


def test_admin_apis(client: TestClient) -> None:
    login(client, "ann")
    assert client.get("/api/users").status_code == 403
    login(client, "ada")
    assert {u["name"] for u in client.get("/api/users").json()["users"]} == {"ann", "sue", "quinn", "ada"}
    entries = client.get("/api/audit", params={"actor": "ada"}).json()["entries"]
    assert entries[0]["action"] == "auth.login"
