"""The relay side of the email tests: an aiosmtpd sink that keeps what it is given."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

SUPPORT = "support@acme.example"


class Sink:
    """The relay: keeps every message it is given."""

    def __init__(self) -> None:
        self.mail: list[tuple[str, list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        with self.lock:
            self.mail.append((envelope.mail_from, list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, count: int, timeout_s: float = 30.0) -> EmailMessage:
        deadline = time.monotonic() + timeout_s
        while len(self.mail) < count:
            assert time.monotonic() < deadline, f"{count} replies expected, got {len(self.mail)}"
            time.sleep(0.02)
        return self.mail[count - 1][2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
