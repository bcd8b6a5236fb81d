"""SMS and WhatsApp end to end: signed webhooks into the real app, replies out through the
REST API to a fake Twilio on 127.0.0.1, opt-outs and statuses in the real database."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from dialog.types import Reply
from telephony.server.app import create_app
from telephony.text.sms.records import SmsRecords
from tests.telephony.text.sms_helpers import (
    ACCOUNT,
    OUR_NUMBER,
    OUR_WHATSAPP,
    FakeTwilio,
    Texter,
    signed_post,
    sms_config,
)

PRIYA = "+15550100002"  # demo customer: order 10251, delayed by a storm; zip 78701



def _events(services: Any, call_id: str, kind: str) -> list[str]:
    return [r[0] for r in services.store.run_sync(lambda c: c.execute(
        "SELECT data FROM call_events WHERE call_id = ? AND kind = ? ORDER BY id", (call_id, kind)).fetchall())]


def _end_reason(services: Any, call_id: str) -> str | None:
    row = services.store.run_sync(lambda c: c.execute(
        "SELECT end_reason FROM calls WHERE id = ?", (call_id,)).fetchone())
    return row[0] if row else None


def _quiet(fake: FakeTwilio, address: str, count: int, wait_s: float = 1.5) -> None:
    time.sleep(wait_s)
    assert len(fake.to(address)) == count, fake.to(address)


def test_unsigned_or_forged_messages_are_refused(hotline_config: Any, services: Any,
                                                 twilio_api: FakeTwilio) -> None:
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    form = {"MessageSid": "SM" + "1" * 32, "From": PRIYA, "To": OUR_NUMBER, "Body": "where is my order"}
    with TestClient(app) as client:
        assert client.post("/twilio/sms", data=form).status_code == 403
        assert signed_post(client, "/twilio/sms", form, token="not-the-token") == 403
        assert signed_post(client, "/twilio/sms/status", {"MessageSid": "SM1", "MessageStatus": "sent"},
                           token="x") == 403
        assert app.state.sms.thread_of(PRIYA) is None
    _quiet(twilio_api, PRIYA, 0, wait_s=0.2)
    # with [sms] off the webhook is there but answers 503 (Twilio retries, the log says why)
    with TestClient(create_app(hotline_config, services=services)) as client:
        assert signed_post(client, "/twilio/sms", form) in (503,)


def test_an_sms_conversation_checks_the_order_honours_stop_and_help(
        hotline_config: Any, services: Any, twilio_api: FakeTwilio) -> None:
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    with TestClient(app) as client:
        phone = Texter(client, PRIYA)
        assert phone.text("Hi, where is my order?") == 200
        asked = twilio_api.reply(PRIYA, 0)
        assert "zip code" in asked and "storm" not in asked and "10251" not in asked  # only named
        first = twilio_api.to(PRIYA)[0]
        assert first["From"] == OUR_NUMBER
        assert first["StatusCallback"] == "https://hotline.example.com/twilio/sms/status"
        conv = app.state.sms.thread_of(PRIYA)
        assert conv is not None and conv.transport == "sms" and not conv.session.caller_verified

        seen = len(twilio_api.to(PRIYA))
        assert phone.text("78701") == 200
        status = twilio_api.reply(PRIYA, seen)
        assert "10251" in status and "storm" in status, status
        assert app.state.sms.thread_of(PRIYA) is conv  # one conversation per number
        n = len(twilio_api.to(PRIYA))

        # the status callback is stored on the message and as the conversation's event
        sid = twilio_api.to(PRIYA)[-1]["Sid"]
        assert signed_post(client, "/twilio/sms/status", {"MessageSid": sid, "MessageStatus": "delivered",
                                                          "AccountSid": ACCOUNT}) == 204
        row = client.portal.call(SmsRecords(services.store).get, sid)
        assert row is not None and (row.status, row.call_id, row.direction) == ("delivered", conv.call_id, "out")
        assert any('"delivered"' in e for e in _events(services, conv.call_id, "sms_status"))

        assert phone.text("HELP") == 200
        assert "Reply STOP" in twilio_api.wait_for(PRIYA, n + 1)[-1]["Body"]

        assert phone.text("Stop") == 200
        assert "unsubscribed" in twilio_api.wait_for(PRIYA, n + 2)[-1]["Body"]
        assert _end_reason(services, conv.call_id) == "opted_out"
        assert client.portal.call(SmsRecords(services.store).opted_out, PRIYA)  # in the database
        assert phone.text("where is my order?") == 200
        assert phone.text("yes") == 200  # YES re-subscribes an opted-out number
        assert "resubscribed" in twilio_api.wait_for(PRIYA, n + 3)[-1]["Body"]
        _quiet(twilio_api, PRIYA, n + 3)  # the message written while opted out got nothing

        assert phone.text("UNSUBSCRIBE") == 200
        twilio_api.wait_for(PRIYA, n + 4)
        assert phone.text("where is my order?") == 200
        _quiet(twilio_api, PRIYA, n + 4)
        assert phone.text("START") == 200
        assert "resubscribed" in twilio_api.wait_for(PRIYA, n + 5)[-1]["Body"]
        assert phone.text("where is my order?") == 200
        assert "zip code" in twilio_api.reply(PRIYA, n + 5)  # a new conversation
        assert app.state.sms.thread_of(PRIYA) not in (None, conv)
    assert app.state.sms.times.ms["sms"]


def test_a_trusted_sender_is_served_without_a_question(hotline_config: Any, services: Any,
                                                       twilio_api: FakeTwilio) -> None:
    """[sms].trust_sender does for a message's From what [twilio].trust_caller_id does for a call's."""
    app = create_app(sms_config(hotline_config, twilio_api, trust_sender=True), services=services)
    with TestClient(app) as client:
        Texter(client, PRIYA).text("where is my order")
        body = twilio_api.reply(PRIYA, 0)
        assert "10251" in body and "storm" in body, body


def test_pictures_are_acknowledged(hotline_config: Any, services: Any, twilio_api: FakeTwilio) -> None:
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    with TestClient(app) as client:
        Texter(client, "+15550100004").text("", NumMedia="1", MediaUrl0="https://api.twilio.com/m/ME1",
                                            MediaContentType0="image/jpeg")
        assert "describe" in twilio_api.wait_for("+15550100004", 1)[-1]["Body"]
        assert app.state.sms.thread_of("+15550100004") is None  # nothing for the brain yet


def test_whatsapp_replies_only_inside_the_24_hour_window(hotline_config: Any, services: Any,
                                                         twilio_api: FakeTwilio) -> None:
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    address = "whatsapp:+15550100004"
    with TestClient(app) as client:
        sms = app.state.sms
        Texter(client, address, to=OUR_WHATSAPP).text("What is your return policy?")
        first = twilio_api.wait_for(address, 1)[-1]
        assert first["From"] == OUR_WHATSAPP
        conv = sms.thread_of(address)
        assert conv is not None and conv.transport == "whatsapp" and conv.caller_id == "+15550100004"
        # a reply that comes later (a colleague's, after a handoff): 25 hours on, nothing goes out
        later = time.time() + 25 * 3600
        sms.outbox.clock = lambda: later
        client.portal.call(sms.channels["whatsapp"].deliver, conv, Reply(text="Here is the answer."))
        _quiet(twilio_api, address, 1, wait_s=0.3)
        assert any("whatsapp_24h_window" in e for e in _events(services, conv.call_id, "sms_not_sent"))


def test_an_idle_conversation_is_closed(hotline_config: Any, services: Any, twilio_api: FakeTwilio) -> None:
    cfg = sms_config(hotline_config, twilio_api)
    cfg = dataclasses.replace(cfg, sms=dataclasses.replace(cfg.sms, idle_timeout_s=1.0))
    app = create_app(cfg, services=services)
    with TestClient(app) as client:
        Texter(client, "+15550100003").text("hello")
        twilio_api.wait_for("+15550100003", 1)
        conv = app.state.sms.thread_of("+15550100003")
        assert conv is not None
        deadline = time.monotonic() + 10
        while app.state.sms.thread_of("+15550100003") is not None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert _end_reason(services, conv.call_id) == "idle_timeout"


def test_a_rest_error_is_stored_not_raised(hotline_config: Any, services: Any, twilio_api: FakeTwilio) -> None:
    twilio_api.fail["+15550100001"] = (400, 21610, "Attempt to send to unsubscribed recipient")
    app = create_app(sms_config(hotline_config, twilio_api), services=services)
    with TestClient(app) as client:
        Texter(client, "+15550100001").text("where is my order")
        conv = app.state.sms.thread_of("+15550100001")
        assert conv is not None
        deadline = time.monotonic() + 20
        while not (failed := _events(services, conv.call_id, "sms_send_failed")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert "21610" in failed[0]


async def test_erasure_removes_messages_but_keeps_the_opt_out(tmp_path: Path) -> None:
    from telephony.auth.audit import AuditLog
    from telephony.privacy.retention import erase_caller
    from telephony.server.services import open_store

    db = tmp_path / "hotline.db"
    store, audit = open_store(db), AuditLog(db)
    try:
        records = SmsRecords(store)
        await store.call_started("c1", "sms", PRIYA, {})
        await records.message("SM1", None, "in", PRIYA, "received")
        await records.attach("SM1", "c1")
        await records.message("SM2", None, "in", "whatsapp:" + PRIYA, "received")  # a keyword, no conversation
        await records.opt_out(PRIYA, "STOP")
        await erase_caller(store, audit, tmp_path, PRIYA)
        assert await records.get("SM1") is None and await records.get("SM2") is None
        assert await records.opted_out(PRIYA)  # the carrier-required record stays
    finally:
        store.close()
        audit.close()
