"""Account access (manual: Account Access > Recover Username / Recover Password).

Username: the manual's identity check, 3 of 4 factors (full name, zip code, phone,
email; a caller id on file counts as the phone), then the username is told. Usernames
are not secrets. Password: we never see or say a password (a deliberate departure from
the manual's "share the password"); a reset link goes to the e-mail address on file,
after a read-back and a yes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dialog import identity
from dialog.flows.confirm import ask
from dialog.flows.policy import IDENTITY_FACTORS_NEEDED
from dialog.flows.upgrade import last_caller_text
from dialog.services import Services
from dialog.types import Reply, Session
from kb.adapters import Customer
from nlu.entities import Entities, normalize_digits

MAX_TRIES = 3
_ZIP = re.compile(r"\b(\d{5})\b")
_SAYS = {"full_name": "your full name", "zip_code": "your zip code", "email": "your email address",
         "phone": "your phone number"}


@dataclass
class IdentityCheck:
    """The username flow's slots: the identity factors said so far, and for whom."""

    claims: dict[str, str] = field(default_factory=dict)  # full_name, zip_code, email, phone
    candidate_id: str | None = None  # who the caller says they are, not yet verified
    tries: int = 0  # questions asked; after MAX_TRIES the flow gives up


def mask_email(email: str) -> str:
    user, _, domain = email.partition("@")
    return f"{user[:1]}, then asterisks, at {domain}" if domain else "the address on file"


def _candidate(svc: Services, session: Session, ents: Entities) -> Customer | None:
    known = (session.state.customer_id or session.state.identity.account
             or session.state.slots(IdentityCheck).candidate_id)
    if known:
        return svc.customers.by_id(str(known))
    for email in ents.emails:
        if (c := svc.customers.by_email(email)) is not None:
            return c
    for phone in [*ents.phones, *([session.caller_id] if session.caller_id else [])]:
        if (c := svc.customers.by_phone(phone)) is not None:
            return c
    return None


def recover_username(svc: Services, session: Session, ents: Entities) -> Reply:
    check = session.state.slots(IdentityCheck)
    claims = check.claims
    text = normalize_digits(last_caller_text(session))
    if ents.emails:
        claims["email"] = ents.emails[0]
    if ents.phones:
        claims["phone"] = ents.phones[0]
    elif session.caller_id and "phone" not in claims:
        claims["phone"] = session.caller_id
    if m := _ZIP.search(text):
        claims["zip_code"] = m.group(1)
    candidate = _candidate(svc, session, ents)
    if candidate is not None:
        check.candidate_id = candidate.customer_id
    if candidate is not None and candidate.full_name.lower() in text.lower():
        claims["full_name"] = candidate.full_name
    session.state.awaiting_flow = "recover_username"
    if candidate is None:
        return _ask_more(session, "I can help you find your username. To confirm it's you, "
                         "what's the email address on your account?")
    result = svc.tools.call(
        session, "verify_identity", {"customer_id": candidate.customer_id, "claims": dict(claims)}
    )
    matched = result["matched"]
    if len(matched) >= IDENTITY_FACTORS_NEEDED:
        session.state.awaiting_flow = None
        check.claims = {}
        identity.verified_by_check(session, candidate.customer_id)
        spelled = " ".join(candidate.username.upper())
        return Reply(
            text=f"Thanks, that's confirmed. Your username is {candidate.username}. "
            f"That's {spelled}. Is there anything else I can help you with?",
            intent="recover_username",
            confidence=1.0,
            tool_calls=[{"tool": "verify_identity", "status": "verified"}],
        )
    missing = [_SAYS[k] for k in ("full_name", "zip_code", "email", "phone") if k not in matched]
    need = IDENTITY_FACTORS_NEEDED - len(matched)
    wanted = " and ".join(missing[:need])
    return _ask_more(session, f"To confirm it's you, please tell me {wanted}.")


def _ask_more(session: Session, text: str) -> Reply:
    check = session.state.slots(IdentityCheck)
    check.tries += 1
    if check.tries > MAX_TRIES:
        session.state.awaiting_flow = None
        check.claims, check.tries = {}, 0
        return Reply(
            text="Sorry, I couldn't confirm your identity, so I can't share the username. "
            "A colleague can help you further.",
            intent="recover_username",
            confidence=1.0,
        )
    return Reply(text=text, intent="recover_username", confidence=1.0)


def reset_password(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "reset_password", "I can't see or read out passwords, "
                               "but I can send you a link to set a new password. What's the email "
                               "address on your account?")
    session.state.awaiting_flow = None
    return ask(
        session,
        "send_password_reset",
        {"customer_id": customer.customer_id},
        "I can't see or read out passwords, but I can e-mail you a link to set a new password. "
        f"It goes to the address on file, starting with {mask_email(customer.email)}. "
        "Should I send it? Please say yes or no.",
        done="Done. The reset link is on its way to your e-mail. It works once.",
        declined="Okay, I won't send a reset link.",
    )
