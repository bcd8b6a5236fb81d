"""Reading an inbound email, and writing the threaded reply to it. Pure functions.

The reply is threaded as mail clients expect (RFC 5322 3.6.4): its own Message-ID,
In-Reply-To the customer's message, References their References plus their message
(the oldest and the newest kept when the chain is long), and the subject with one "Re:".
It carries `Auto-Submitted: auto-replied` (RFC 3834), so other robots do not answer it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, make_msgid

from telephony.text.email.strip import html_text, new_text

MAX_REFERENCES = 12
_RE = re.compile(r"^\s*(?:re|aw|sv|antw)\s*:\s*", re.I)
_ID = re.compile(r"<[^<>\s]+>")
_ROBOTS = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)


@dataclass(frozen=True)
class Incoming:
    message_id: str
    sender: str  # the From address (lower case)
    subject: str
    named: list[str]  # In-Reply-To, then References newest first
    references: list[str]  # as they came, oldest first
    text: str  # what the customer wrote now (quotes, signatures, footers removed)
    automatic: str  # why it must not be answered ("" = a person wrote it)


def read(msg: EmailMessage, envelope_from: str, own_address: str) -> Incoming:
    senders = [a for _, a in getaddresses(msg.get_all("From", [])) if a]
    sender = (senders[0] if senders else envelope_from or "").lower()
    message_id = _first_id(str(msg.get("Message-ID", ""))) or make_msgid(domain="missing-id.invalid")
    references = _ID.findall(str(msg.get("References", "")))
    in_reply_to = _ID.findall(str(msg.get("In-Reply-To", "")))
    body = msg.get_body(preferencelist=("plain", "html"))
    raw = ""
    if body is not None:
        raw = body.get_content()
        if body.get_content_type() == "text/html":
            raw = html_text(raw)
    subject = " ".join(str(msg.get("Subject", "")).split())
    return Incoming(message_id, sender, subject, in_reply_to + references[::-1], references,
                    new_text(raw), _automatic(msg, sender, own_address))


def reply(to: Incoming, text: str, own_address: str, display_name: str, domain: str) -> EmailMessage:
    out = EmailMessage()
    out["From"] = formataddr((display_name, own_address))
    out["To"] = to.sender
    out["Subject"] = reply_subject(to.subject)
    out["Message-ID"] = make_msgid(domain=domain)
    out["In-Reply-To"] = to.message_id
    out["References"] = " ".join(references(to.references, to.message_id))
    out["Auto-Submitted"] = "auto-replied"
    out.set_content(text + "\n")
    return out


def reply_subject(subject: str) -> str:
    bare = subject
    while _RE.match(bare):
        bare = _RE.sub("", bare, count=1)
    return f"Re: {bare}" if bare else "Re: your message"


def references(previous: list[str], message_id: str) -> list[str]:
    chain = [*previous, message_id]
    return chain if len(chain) <= MAX_REFERENCES else [chain[0], *chain[-(MAX_REFERENCES - 1):]]


def _first_id(header: str) -> str:
    found = _ID.findall(header)
    return found[0] if found else ""


def _automatic(msg: EmailMessage, sender: str, own_address: str) -> str:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return "a mailing list"
    if not sender or sender == own_address.lower() or _ROBOTS.match(sender):
        return f"sender {sender or '(none)'}"
    return ""
