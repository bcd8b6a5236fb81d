"""A fake Twilio REST API on 127.0.0.1 that records Messages.create, and signed webhooks.

The fake checks the Basic auth as Twilio does and answers with the JSON Twilio returns
(201, sid SM..., status queued); a `To` listed in `fail` gets Twilio's error instead.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

ACCOUNT = "AC" + "5" * 32
TOKEN = "fake-sms-auth-token"
SID_ENV, TOKEN_ENV = "HOTLINE_TEST_SMS_SID", "HOTLINE_TEST_SMS_TOKEN"
PUBLIC_URL = "https://hotline.example.com"
OUR_NUMBER = "+15550199999"
OUR_WHATSAPP = "whatsapp:+14155238886"


@dataclass
class FakeTwilio:
    url: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)
    fail: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # To -> (http, code, message)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def create(self, request: Request) -> JSONResponse:
        account = request.path_params["account"]
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected or account != ACCOUNT:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        form = dict(parse_qsl((await request.body()).decode()))
        to = form.get("To", "")
        if to in self.fail:
            status, code, message = self.fail[to]
            return JSONResponse({"code": code, "message": message, "status": status,
                                 "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status)
        sid = "SM" + uuid.uuid4().hex
        with self.lock:
            self.messages.append(form | {"Sid": sid})
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        return JSONResponse({
            "account_sid": account, "api_version": "2010-04-01", "body": form.get("Body", ""),
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": "0",
            "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
            "to": to, "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}, 201)

    def to(self, address: str) -> list[dict[str, str]]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def reply(self, address: str, seen: int, timeout_s: float = 30.0, settle_s: float = 0.4) -> str:
        """The next reply to `address` after the first `seen` messages: every part of it
        (the parts of one reply go out back to back), joined."""
        self.wait_for(address, seen + 1, timeout_s)
        count = len(self.to(address))
        while True:
            time.sleep(settle_s)
            now = len(self.to(address))
            if now == count:
                return " ".join(m["Body"] for m in self.to(address)[seen:])
            count = now

    def wait_for(self, address: str, count: int, timeout_s: float = 30.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout_s
        while len(self.to(address)) < count:
            assert time.monotonic() < deadline, f"{count} message(s) to {address} expected, got {self.to(address)}"
            time.sleep(0.02)
        return self.to(address)


def serve_fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    app = Starlette(routes=[Route("/2010-04-01/Accounts/{account}/Messages.json", fake.create,
                                  methods=["POST"])])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=srv.run, name="fake-twilio-messaging", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "fake Twilio server did not start"
        time.sleep(0.02)
    fake.url = f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    yield fake
    srv.should_exit = True
    thread.join(5)


def sms_config(cfg: Any, fake: FakeTwilio, **sms: Any) -> Any:
    """The test config with the SMS channel on, pointed at the fake."""
    section = dataclasses.replace(cfg.sms, enabled=True, api_base_url=fake.url, account_sid_env=SID_ENV,
                                  auth_token_env=TOKEN_ENV, from_number=OUR_NUMBER,
                                  whatsapp_from=OUR_WHATSAPP, **sms)
    return dataclasses.replace(cfg, sms=section,
                               server=dataclasses.replace(cfg.server, public_url=PUBLIC_URL))


def signed_post(client: TestClient, path: str, form: dict[str, str], *, token: str = TOKEN) -> int:
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code


class Texter:
    """One customer's phone (or WhatsApp) writing to the webhook."""

    def __init__(self, client: TestClient, address: str, to: str = OUR_NUMBER) -> None:
        self.client, self.address, self.to = client, address, to
        self.sent = 0

    def text(self, body: str, **extra: str) -> int:
        self.sent += 1
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": self.address,
                "To": self.to, "Body": body, "NumMedia": "0", "NumSegments": "1"} | extra
        return signed_post(self.client, "/twilio/sms", form)
