"""Fixtures of the text channel tests: the fake Twilio REST API and the SMTP relay sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.telephony.text.mail_helpers import Sink, free_port
from tests.telephony.text.sms_helpers import (
    ACCOUNT,
    SID_ENV,
    TOKEN,
    TOKEN_ENV,
    FakeTwilio,
    serve_fake_twilio,
)


@pytest.fixture
def twilio_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    monkeypatch.setenv(SID_ENV, ACCOUNT)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    yield from serve_fake_twilio()


@pytest.fixture
def relay() -> Iterator[tuple[Sink, int]]:
    """The SMTP relay our replies go out through: (what it received, its port)."""
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()
