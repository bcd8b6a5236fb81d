"""Email end to end over real SMTP on loopback: smtplib writes to our listener, our replies
go through the relay to an aiosmtpd sink this test runs, threaded; quotes never reach the
brain."""

from __future__ import annotations

import dataclasses
import smtplib
import time
from email.message import EmailMessage
from typing import Any

import pytest
from starlette.testclient import TestClient

from telephony.server.app import create_app
from tests.telephony.text.mail_helpers import SUPPORT, Sink

PRIYA = "priya.shah@example.com"  # demo customer: order 10251, delayed by a storm; zip 78701


def _app(hotline_config: Any, services: Any, relay_port: int) -> Any:
    email = dataclasses.replace(hotline_config.email, enabled=True, listen_port=0, address=SUPPORT,
                                relay_host="127.0.0.1", relay_port=relay_port)
    return create_app(dataclasses.replace(hotline_config, email=email), services=services)


def _send(port: int, msg: EmailMessage, rcpt: str = SUPPORT) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg, from_addr=PRIYA, to_addrs=[rcpt])


def _mail(subject: str, body: str, message_id: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Priya Shah <{PRIYA}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def _caller_turns(services: Any, call_id: str) -> list[str]:
    return [r[0] for r in services.store.run_sync(lambda c: c.execute(
        "SELECT text FROM turns WHERE call_id = ? AND speaker = 'caller' ORDER BY id", (call_id,)).fetchall())]


def test_an_email_thread_gets_threaded_replies_without_the_quotes(
        hotline_config: Any, services: Any, relay: tuple[Sink, int]) -> None:
    sink, relay_port = relay
    app = _app(hotline_config, services, relay_port)
    with TestClient(app):
        port = app.state.email.port
        first_id = "<first-1@mail.example.net>"
        _send(port, _mail("Where is my order?", "Hi,\n\nwhere is my order? My email is "
                          f"{PRIYA}\n\nSent from my iPhone\n", first_id))
        asked = sink.wait_for(1)
        assert sink.mail[0][0] == SUPPORT and sink.mail[0][1] == [PRIYA]
        assert asked["Subject"] == "Re: Where is my order?"
        assert asked["In-Reply-To"] == first_id and asked["References"] == first_id
        assert asked["Auto-Submitted"] == "auto-replied" and asked["Message-ID"].endswith("@acme.example>")
        text = asked.get_content()
        assert "zip code" in text and "storm" not in text  # the From names her, it does not verify
        conv = app.state.email.thread_of(first_id)
        assert conv is not None and conv.transport == "email" and conv.caller_id == PRIYA
        assert not conv.session.caller_verified

        second_id = "<second-2@mail.example.net>"
        quoted = "\n".join("> " + line for line in text.splitlines())
        _send(port, _mail("Re: Where is my order?",
                          f"78701\n\nOn Tue, 1 Dec 2026 at 09:14, Acme Apparel <{SUPPORT}>\nwrote:\n{quoted}\n"
                          "\n-- \nPriya Shah\n480 Elm Street\n", second_id,
                          In_Reply_To=asked["Message-ID"], References=f"{first_id} {asked['Message-ID']}"))
        answer = sink.wait_for(2)
        assert answer["Subject"] == "Re: Where is my order?"  # one "Re:"
        assert answer["In-Reply-To"] == second_id
        assert answer["References"].split() == [first_id, asked["Message-ID"], second_id]
        assert "10251" in answer.get_content() and "storm" in answer.get_content()
        assert app.state.email.thread_of(first_id) is conv  # one conversation per thread
        turns = _caller_turns(services, conv.call_id)
        assert turns[-1] == "78701", turns  # no quote, no signature reached the brain
        assert "iPhone" not in turns[0]

        # a redelivery of the same message is answered once; a robot is not answered at all
        _send(port, _mail("Re: Where is my order?", "78701", second_id))
        _send(port, _mail("Out of office", "I am away.", "<ooo@mail.example.net>",
                          Auto_Submitted="auto-replied"))
        time.sleep(1.5)
        assert len(sink.mail) == 2
        # mail for any other address is refused in the SMTP exchange
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            _send(port, _mail("hi", "hello", "<x@mail.example.net>"), rcpt="sales@acme.example")
    assert app.state.email.times.summary("email")["replies"] == 2
