"""The customer's earlier conversations, on any channel, as the brain may mention them.

The entrance (telephony/contact_center/history.py) fills `Session.earlier_contacts` in before
the greeting, and only for a customer whose identity the entrance vouches for (a trusted
trunk's caller id, a signed-in web user): docs/dialog.md's disclosure rules. The brain
mentions the most recent one in its greeting ("I see you chatted with us yesterday about
order 10251."), and only while `Session.caller_verified` holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# the channel as the customer lived it
VERBS = {"webchat": "chatted with us", "chat": "chatted with us", "sms": "texted us",
         "whatsapp": "wrote to us on WhatsApp", "email": "emailed us"}
CALLED = "called us"


@dataclass(frozen=True)
class EarlierContact:
    channel: str  # the conversation's channel ("webchat", "sip", ...)
    started_at: float  # unix seconds
    topic: str | None  # "order 10251", "a refund"... (None: nothing worth repeating)
    call_id: str = ""


def _when(started_at: float, today: dt.date) -> str:
    day = dt.datetime.fromtimestamp(started_at).date()
    days = (today - day).days
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {day:%A}"
    return f"on {day:%B} {day.day}"


def mention(contacts: list[EarlierContact], today: dt.date) -> str | None:
    """One sentence about the most recent earlier contact that had a topic, or None."""
    for contact in sorted(contacts, key=lambda c: c.started_at, reverse=True):
        if contact.topic:
            verb = VERBS.get(contact.channel, CALLED)
            return f"I see you {verb} {_when(contact.started_at, today)} about {contact.topic}."
    return None
