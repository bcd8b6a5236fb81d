"""One inbound message as Twilio's Messaging webhook posts it, read from the signed form.

SMS addresses are E.164 numbers (`+14155550100`); WhatsApp ones carry a prefix
(`whatsapp:+14155550100`). The full address keys everything per channel (opt-outs, the
conversation, the 24-hour window: consent given on SMS is not consent on WhatsApp); the
bare number is the customer's caller id (it names the account on file for that number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

WHATSAPP_PREFIX = "whatsapp:"


class Form(Protocol):
    def first(self, key: str, default: str = "") -> str: ...


@dataclass(frozen=True)
class Inbound:
    sid: str  # MessageSid (SM... / MM...)
    address: str  # the customer's From, as Twilio wrote it
    to: str  # our number the message was sent to
    body: str
    media: int  # NumMedia

    @property
    def whatsapp(self) -> bool:
        return self.address.startswith(WHATSAPP_PREFIX)

    @property
    def channel(self) -> str:
        return "whatsapp" if self.whatsapp else "sms"

    @property
    def number(self) -> str:
        return phone(self.address)

    @classmethod
    def from_form(cls, form: Form) -> Inbound:
        try:
            media = int(form.first("NumMedia", "0") or 0)
        except ValueError:
            media = 0
        return cls(sid=form.first("MessageSid") or form.first("SmsSid"), address=form.first("From"),
                   to=form.first("To"), body=form.first("Body").strip(), media=max(media, 0))


def phone(address: str) -> str:
    """The bare number of an address (`whatsapp:+1...` -> `+1...`)."""
    return address.removeprefix(WHATSAPP_PREFIX)
