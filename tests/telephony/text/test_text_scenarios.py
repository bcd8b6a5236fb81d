"""Every text channel passes the dialog scenario suite through its own adapter, with the
same pass rate as `hotline eval` on the same engine; message-in to reply-out p50/p95 per
channel is printed (`pytest -s`)."""

from __future__ import annotations

import dataclasses
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialog.evaluate import Result
from telephony.server.app import create_app
from tests.telephony.text.channel_eval import baseline, report, run_suite
from tests.telephony.text.mail_helpers import SUPPORT, Sink
from tests.telephony.text.sms_helpers import (
    OUR_NUMBER,
    OUR_WHATSAPP,
    FakeTwilio,
    Texter,
    sms_config,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hotline_eval(services: Any, hotline_config: Any) -> list[Result]:
    return baseline(services.engine, hotline_config.data_path)



class PhoneAdapter:
    """A customer's phone: signed webhooks in, what the fake Twilio was asked to send out."""

    def __init__(self, client: TestClient, fake: FakeTwilio, channel: str) -> None:
        self.client, self.fake, self.channel = client, fake, channel
        self.sms = client.app.state.sms  # type: ignore[attr-defined]
        self.times = self.sms.times
        self.address = ""
        self.seen = 0

    def start(self, n: int, sc: dict[str, Any]) -> None:
        number = sc.get("caller_id") or f"+1555077{n:04d}"  # no caller id: a number on no account
        prefix = "whatsapp:" if self.channel == "whatsapp" else ""
        self.address = prefix + number
        # a scenario's caller id is verified unless it says otherwise (as `hotline eval` has it)
        trusted = bool(sc.get("caller_id")) and sc.get("caller_id_verified") is not False
        self.sms.cfg = dataclasses.replace(self.sms.cfg, trust_sender=trusted)

    def send(self, text: str) -> None:
        self.seen = len(self.fake.to(self.address))
        to = OUR_WHATSAPP if self.channel == "whatsapp" else OUR_NUMBER
        assert Texter(self.client, self.address, to=to).text(text) == 200

    def received(self) -> str:
        return " ".join(m["Body"] for m in self.fake.to(self.address)[self.seen:])

    def call_id(self) -> str | None:
        conv = self.sms.thread_of(self.address)
        return conv.call_id if conv else None

    def end(self) -> None:
        conv = self.sms.thread_of(self.address)
        if conv is not None:
            self.client.portal.call(self.sms.texts.close, conv.call_id, "caller_hangup")  # type: ignore[union-attr]


class MailAdapter:
    """A customer's mailbox: each scenario one thread, each turn a reply in it over SMTP."""

    channel = "email"

    def __init__(self, client: TestClient, sink: Sink) -> None:
        self.client, self.sink = client, sink
        self.email = client.app.state.email  # type: ignore[attr-defined]
        self.times = self.email.times
        self.address, self.thread, self.last_reply = "", "", None
        self.seen = 0

    def start(self, n: int, sc: dict[str, Any]) -> None:
        self.address, self.thread, self.last_reply = f"customer-{n}@mail.example.net", "", None

    def send(self, text: str) -> None:
        self.seen = len(self.sink.mail)
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.address, SUPPORT, "Question"
        msg["Message-ID"] = make_msgid(domain="mail.example.net")
        self.thread = self.thread or msg["Message-ID"]
        if self.last_reply is not None:
            msg["In-Reply-To"] = self.last_reply["Message-ID"]
            msg["References"] = self.last_reply["References"] + " " + self.last_reply["Message-ID"]
        msg.set_content(text + "\n\nSent from my iPhone\n")
        with smtplib.SMTP("127.0.0.1", self.email.port, timeout=10) as smtp:
            smtp.send_message(msg)

    def received(self) -> str:
        new = [m for _, rcpt, m in self.sink.mail[self.seen:] if rcpt == [self.address]]
        if new:
            self.last_reply = new[-1]
        return " ".join(str(m.get_content()).strip() for m in new)

    def call_id(self) -> str | None:
        conv = self.email.thread_of(self.thread)
        return conv.call_id if conv else None

    def end(self) -> None:
        conv = self.email.thread_of(self.thread)
        if conv is not None:
            self.client.portal.call(self.email.texts.close, conv.call_id, "caller_hangup")


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_sms_and_whatsapp_pass_the_scenario_suite(channel: str, hotline_config: Any, services: Any,
                                                  twilio_api: FakeTwilio, hotline_eval: list[Result]) -> None:
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    with TestClient(app) as client:
        adapter = PhoneAdapter(client, twilio_api, channel)
        results = run_suite(adapter, services.store, hotline_config.data_path)
    out = report(channel, results, hotline_eval, adapter.times)
    assert (out["passed"], out["differ"]) == (out["hotline_eval_passed"], []), out


def test_email_passes_the_scenario_suite(hotline_config: Any, services: Any, relay: tuple[Sink, int]) -> None:
    """Email carries no phone number: compared with `hotline eval` on the same scenarios
    without their caller ids (the From only names an account; docs/email.md)."""
    sink, port = relay
    email = dataclasses.replace(hotline_config.email, enabled=True, listen_port=0, address=SUPPORT,
                                relay_host="127.0.0.1", relay_port=port)
    base = baseline(services.engine, hotline_config.data_path, without_caller_id=True)
    app = create_app(dataclasses.replace(hotline_config, email=email), services=services)
    with TestClient(app) as client:
        adapter = MailAdapter(client, sink)
        results = run_suite(adapter, services.store, hotline_config.data_path)
    out = report("email", results, base, adapter.times)
    assert (out["passed"], out["differ"]) == (out["hotline_eval_passed"], []), out
