"""Twilio transfer: the call is updated through the REST API with <Dial> TwiML.

A fake Twilio REST server (starlette + uvicorn on 127.0.0.1) records the POST to
/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json, checks HTTP basic auth and answers
like Twilio (a call resource, or an error body).
"""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dialog.types import Reply
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.control import attach
from telephony.conversations.registry import LiveCall
from telephony.core.config import RoutingConfig, TwilioConfig, load_config
from telephony.twilio.transfer import TwilioControl, TwilioTransferError, dial_twiml, redirect_call
from tests.telephony.event_log import EventLog as _Events
from voice.context import CallContext
from voice.processors.bridge import CallBridge

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = "AC" + "0" * 32
TOKEN = "fake-auth-token"
CALL_SID = "CA" + "1" * 32
ENV = {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN}
SIP_TARGET = "sip:desk@127.0.0.1:5099"


@dataclass
class FakeTwilio:
    url: str = ""
    mode: str = "ok"  # ok | error | slow
    posts: list[dict[str, Any]] = field(default_factory=list)

    async def update_call(self, request: Request) -> JSONResponse:
        account, call_sid = request.path_params["account"], request.path_params["call"]
        auth = request.headers.get("authorization", "")
        assert request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        form = dict(parse_qsl((await request.body()).decode()))
        self.posts.append({"account": account, "call": call_sid, "form": form})
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if auth != expected or account != ACCOUNT:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        if self.mode == "slow":
            await asyncio.sleep(3)
        if self.mode == "error" or call_sid != CALL_SID:
            return JSONResponse({"code": 20404, "message": f"The requested resource {request.url.path} was not found",
                                 "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}, 404)
        return JSONResponse({"sid": call_sid, "account_sid": account, "status": "in-progress",
                             "api_version": "2010-04-01", "direction": "inbound",
                             "uri": f"/2010-04-01/Accounts/{account}/Calls/{call_sid}.json"})


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    app = Starlette(routes=[Route("/2010-04-01/Accounts/{account}/Calls/{call}.json",
                                  fake.update_call, methods=["POST"])])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=srv.run, name="fake-twilio", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "fake Twilio server did not start"
        time.sleep(0.02)
    fake.url = f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    yield fake
    srv.should_exit = True
    thread.join(5)


class _Store:
    def __init__(self, call_id: str) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute("CREATE TABLE calls (id TEXT PRIMARY KEY, meta TEXT)")
        self.conn.execute("INSERT INTO calls VALUES (?, '{}')", (call_id,))

    def run_sync(self, fn: Any) -> Any:
        return fn(self.conn)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(json.loads(self.conn.execute("SELECT meta FROM calls").fetchone()[0]))

    async def turns(self, call_id: str) -> list[dict[str, Any]]:
        return []

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None


class _Registry:
    def __init__(self) -> None:
        self.active: dict[str, LiveCall] = {}
        self.on_open: list[Any] = []
        self.before_close: list[Any] = []
        self.on_close: list[Any] = []
        self.sinks: list[Any] = []
        self.services = SimpleNamespace(store=_Store(CALL_SID))
        self.floor: list[dict[str, Any]] = []

    def publish_floor(self, message: dict[str, Any]) -> None:
        self.floor.append(message)

    async def hang_up(self, call_id: str, reason: str) -> None:
        live = self.active.pop(call_id, None)
        if live is not None:
            live.end_reason = live.end_reason or reason


def _call(registry: _Registry, cfg: TwilioConfig, env: dict[str, str] | None = None,
          ) -> tuple[LiveCall, _Events, TwilioControl]:
    events = _Events()
    services = SimpleNamespace(config=SimpleNamespace(language="en"))
    ctx = CallContext(call_id=CALL_SID, services=services, channel="twilio", observer=events)  # type: ignore[arg-type]
    live = LiveCall(call_id=CALL_SID, transport="twilio", caller_id="+14155550100", ctx=ctx)
    live.bridge = CallBridge(CALL_SID)
    live.bridge.transfer_spoken = True
    registry.active[CALL_SID] = live
    control = TwilioControl(registry, live, cfg, env=ENV if env is None else env)  # type: ignore[arg-type]
    attach(live, control)
    return live, events, control


def _cfg(fake: FakeTwilio, **kw: Any) -> TwilioConfig:
    return TwilioConfig(api_base_url=fake.url, **kw)


def test_dial_twiml_uses_sip_or_number() -> None:
    assert dial_twiml(SIP_TARGET).endswith(f"<Response><Dial><Sip>{SIP_TARGET}</Sip></Dial></Response>")
    assert "<Dial><Number>+15550100</Number></Dial>" in dial_twiml("tel:+15550100;ext=12")
    assert "&lt;" in dial_twiml("sip:a&<b@x")  # escaped, never raw markup
    for bad in ("http://x", "tel:", "desk"):
        with pytest.raises(TwilioTransferError):
            dial_twiml(bad)


async def test_transfer_updates_the_call_and_ends_it_transferred(twilio_api: FakeTwilio) -> None:
    registry = _Registry()
    live, events, control = _call(registry, _cfg(twilio_api))
    assert control.can_transfer is True
    assert await asyncio.wait_for(control.transfer("+1 (555) 010-0100"), 10) is True
    [post] = twilio_api.posts
    assert post["account"] == ACCOUNT and post["call"] == CALL_SID
    assert post["form"]["Twiml"].endswith("<Response><Dial><Number>+15550100100</Number></Dial></Response>")
    assert live.end_reason == "transferred"
    assert events.of("transferred") == [{"target": "tel:+15550100100", "outcome": "ok", "transport": "twilio"}]
    await control.hang_up("caller_hangup")  # Twilio then stops the stream: the reason stays
    assert live.end_reason == "transferred"


async def test_transfer_to_a_sip_uri_dials_sip(twilio_api: FakeTwilio) -> None:
    _, _, control = _call(_Registry(), _cfg(twilio_api))
    assert await asyncio.wait_for(control.transfer(SIP_TARGET), 10) is True
    assert f"<Dial><Sip>{SIP_TARGET}</Sip></Dial>" in twilio_api.posts[0]["form"]["Twiml"]


async def test_a_rest_error_keeps_the_call(twilio_api: FakeTwilio, caplog: pytest.LogCaptureFixture) -> None:
    twilio_api.mode = "error"
    registry = _Registry()
    live, events, control = _call(registry, _cfg(twilio_api))
    assert await asyncio.wait_for(control.transfer(SIP_TARGET), 10) is False
    [event] = events.of("transferred")
    assert event["outcome"] == "failed" and "HTTP 404" in event["detail"] and "20404" in event["detail"]
    assert live.end_reason is None and CALL_SID in registry.active
    assert "transfer to" in caplog.text and "20404" in caplog.text and TOKEN not in caplog.text


async def test_wrong_credentials_are_a_failure(twilio_api: FakeTwilio) -> None:
    _, events, control = _call(_Registry(), _cfg(twilio_api), env={**ENV, "TWILIO_AUTH_TOKEN": "nope"})
    assert await asyncio.wait_for(control.transfer(SIP_TARGET), 10) is False
    assert len(twilio_api.posts) == 1 and "HTTP 401" in events.of("transferred")[0]["detail"]


async def test_missing_credentials_send_nothing(twilio_api: FakeTwilio) -> None:
    live, events, control = _call(_Registry(), _cfg(twilio_api), env={"TWILIO_AUTH_TOKEN": TOKEN})
    assert await asyncio.wait_for(control.transfer(SIP_TARGET), 10) is False
    assert twilio_api.posts == [] and live.end_reason is None
    assert "TWILIO_ACCOUNT_SID" in events.of("transferred")[0]["detail"]


async def test_a_slow_api_times_out(twilio_api: FakeTwilio) -> None:
    twilio_api.mode = "slow"
    _, events, control = _call(_Registry(), _cfg(twilio_api, api_timeout_secs=0.5))
    started = time.monotonic()
    assert await asyncio.wait_for(control.transfer(SIP_TARGET), 10) is False
    assert time.monotonic() - started < 2.5
    assert events.of("transferred")[0]["outcome"] == "failed"


async def test_unreachable_api_is_a_failure() -> None:
    cfg = TwilioConfig(api_base_url="http://127.0.0.1:9", api_timeout_secs=2.0)
    with pytest.raises(TwilioTransferError, match="Twilio REST API"):
        await asyncio.wait_for(redirect_call(cfg, CALL_SID, SIP_TARGET, ENV), 10)


ESCALATE = Reply(text="Connecting you now.", escalate=True, escalation_reason="caller asked for a person")


async def test_escalation_transfers_a_twilio_call_or_queues_it(twilio_api: FakeTwilio) -> None:
    registry = _Registry()
    handoff = HandoffService(registry, RoutingConfig(external_transfer="+15550100"))  # type: ignore[arg-type]
    live, events, _ = _call(registry, _cfg(twilio_api))
    assert await asyncio.wait_for(handoff.escalate(live, ESCALATE), 10) is None
    assert "<Number>+15550100</Number>" in twilio_api.posts[0]["form"]["Twiml"]
    assert live.end_reason == "transferred" and await handoff.queues.waiting() == []
    assert registry.services.store.meta["transferred_to"] == "tel:+15550100"

    twilio_api.mode = "error"
    registry2 = _Registry()
    handoff2 = HandoffService(registry2, RoutingConfig(external_transfer="+15550100"))  # type: ignore[arg-type]
    live2, events2, _ = _call(registry2, _cfg(twilio_api))
    entry = await asyncio.wait_for(handoff2.escalate(live2, ESCALATE), 10)
    assert entry is not None and [e.call_id for e in await handoff2.queues.waiting()] == [CALL_SID]
    assert [e["outcome"] for e in events2.of("transferred")] == ["failed"] and live2.end_reason is None


def test_config_keys() -> None:
    cfg = load_config(ROOT / "config.toml", env={})
    assert cfg.twilio.account_sid_env == "TWILIO_ACCOUNT_SID" and cfg.twilio.api_base_url == ""
    assert cfg.twilio.api_timeout_secs == 10.0
    assert cfg.twilio.account_sid({"TWILIO_ACCOUNT_SID": ACCOUNT}) == ACCOUNT
    env = {"HOTLINE_TWILIO_API_BASE_URL": "http://127.0.0.1:1", "HOTLINE_TWILIO_ACCOUNT_SID_ENV": "MY_SID"}
    cfg = load_config(None, env=env)
    assert cfg.twilio.api_base_url == "http://127.0.0.1:1" and cfg.twilio.account_sid_env == "MY_SID"
