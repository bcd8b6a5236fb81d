"""The identity gate: who the caller is, and what they may hear or change (docs/dialog.md,
"Identity and disclosure"). One gate for every flow, not a check per flow:

- `gate` (called by the flow engine for every flow it runs, dialog.flowengine.running)
  hears the identity facts of the command's slots: a caller id, phone, email or order
  number *names* an account; one second fact from the record (zip code, email on file,
  phone on file, a number of one of the account's orders; never the fact that named it,
  never one the agent said) *verifies* it; a wrong second fact is counted, and the second
  wrong one ends verification for the call (a colleague is offered).
- `caller` is what flows ask: the verified customer, or None. A flow that needs the
  account and gets None calls `ask_for_account` (anonymous: the flow's own question, which
  names an account; named: the second-fact question, asked once; ended: a colleague).
- `found_order`: an order named by its number alone, to a caller not verified for it:
  only that it was found, and the second-fact question.
- `may_change`: changes only for a verified account holder (dialog.flows.confirm asks it
  before any read-back; someone else's account is answered about, never changed).

State: `DialogState.identity` (dialog.state.CallerIdentity); `DialogState.customer_id` is
set only once verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dialog.services import Services
from dialog.state import CallerIdentity
from dialog.types import Reply, Session
from kb.adapters import Customer

WRONG_ANSWERS_LOCK = 2
# the facts a command may carry that name or verify an account, in the order heard
_FACTS = ("email", "phone", "order_id", "zip_code")
_VERIFIES_BY_RECORD = ("zip_code", "email", "phone")  # checked with the verify_identity tool
_SOMEONE_ELSE = re.compile(
    r"\b(?:my|our) (?:wife|husband|partner|spouse|mother|mom|mum|father|dad|son|daughter|"
    r"friend|brother|sister|boss|neighbou?r|grand\w+|girlfriend|boyfriend|roommate|"
    r"colleague|client)(?:'s|s)?\b|\bon behalf of\b|\b(?:her|his|their) (?:account|order|"
    r"number|phone|email|e-mail|subscription|details)\b|\bsomeone else'?s\b",
    re.IGNORECASE,
)
_HOW = {"caller_id": "the caller id", "zip_code": "the zip code", "email": "the email on file",
        "phone": "the phone on file", "order_id": "an order number of the account",
        "identity_check": "the account-access identity check"}

FOUND_ORDER = "I found that order."
NOT_YOURS = "That order isn't on your account."
MISMATCH = "Sorry, that doesn't match what we have on file."
LOCKED = ("I'm sorry, I couldn't verify the account on this call, so I can't go into it. "
          "I can connect you with a colleague who can help. Would you like that?")
NOT_HOLDER = ("Since it isn't your own account, I can't make changes to it. The account holder "
              "can call us, or I can connect you with a colleague. Would you like that?")
CONFIRMED = "Thanks, that matches our records."
NOT_CAUGHT = "Sorry, I didn't catch that."
NEED_ID = "I can help with that. First, what's the email address on your account?"


def gate(svc: Services, session: Session, slots: Mapping[str, str], said: str,
         run: Callable[[Mapping[str, str]], Reply]) -> Reply:
    """Hear the identity facts of one command, then `run` the flow with its slots (less a
    number that turned out to be the zip code, not an order number); or answer the turn
    itself when the facts were a wrong second fact (the flow does not run)."""
    ident = session.state.identity
    before = ident.level
    facts = {k: v for k, v in slots.items() if k in _FACTS}
    answer = _hear(svc, session, facts, said)
    if answer is not None:
        return answer
    if "order_id" in slots and "order_id" not in facts:
        slots = {k: v for k, v in slots.items() if k != "order_id"}
    just_verified = before != "verified" and ident.level == "verified"
    if just_verified and (ident.held or ident.held_said):
        slots = {**ident.held, **slots}  # the request that waited for verification
        session.state.said = ". ".join(w for w in (ident.held_said, said) if w)
    reply = run(slots)
    if ident.level == "verified" or ident.locked:
        ident.held, ident.held_said = {}, ""
    elif session.state.awaiting_flow is not None:  # asked: keep the request for later
        ident.held |= {k: v for k, v in slots.items() if k not in _VERIFIES_BY_RECORD}
        ident.held_said = ident.held_said or said
    if just_verified and ident.verified_by != "caller_id":
        reply.text = f"{CONFIRMED} {reply.text}"
    return reply


def caller(svc: Services, session: Session) -> Customer | None:
    """The verified customer the conversation is about, or None (anonymous, or only named)."""
    _from_caller_id(svc, session)
    ident = session.state.identity
    if ident.level != "verified" or ident.account is None:
        return None
    return svc.customers.by_id(ident.account)


def ask_for_account(session: Session, flow: str, text: str = NEED_ID) -> Reply:
    """`flow` needs the verified account and has none: ask for what is missing (the flow's
    own question `text` names an account; a named one gets the second-fact question)."""
    ident = session.state.identity
    state = session.state
    if ident.locked:
        state.awaiting_flow = None
        state.offered_human = True  # a "yes" next turn takes the colleague
        return Reply(text=LOCKED, intent=flow, confidence=1.0)
    state.awaiting_flow = flow
    if ident.level == "named":
        ident.asked = True
        return Reply(text=_question(ident), intent=flow, confidence=1.0)
    return Reply(text=text, intent=flow, confidence=1.0)


def found_order(session: Session, flow: str, order_id: str, owner: str) -> Reply:
    """An order found by its number for a caller not verified for it: nothing about it but
    that it was found, then the second-fact question (for the order's account)."""
    ident = session.state.identity
    lead = FOUND_ORDER
    if ident.account != owner and not ident.locked:
        if ident.level == "verified":  # a verified caller asks about someone else's order
            lead = NOT_YOURS
        _name(session, owner, "order_id", holder=ident.holder and ident.level != "verified")
    session.state.order.order_id = order_id
    reply = ask_for_account(session, flow, "")
    if not ident.locked:
        ident.asked = True
        reply.text = f"{lead} {_question(ident, whose='yours')}"
    return reply


def ask_again(session: Session) -> Reply | None:
    """The turn after the second-fact question was not understood (a zip code heard short,
    "9 7 2 1"): not a wrong answer. The question again, so the repeat is read as it."""
    ident, state = session.state.identity, session.state
    if not (ident.asked and ident.level == "named" and not ident.locked and state.awaiting_flow):
        return None
    return Reply(text=f"{NOT_CAUGHT} {_question(ident)}", intent=state.awaiting_flow,
                 confidence=1.0)


def named_only(session: Session) -> bool:
    """An account is named but not verified (or its verification ended): the next thing to
    ask is the second fact, not another naming one."""
    ident = session.state.identity
    return ident.level == "named" or ident.locked


def may_change(session: Session) -> bool:
    """Changes (cancel, pause, upgrade, credits, returns, account access) are made only for a
    verified account holder."""
    ident = session.state.identity
    return ident.level == "verified" and ident.holder and session.state.customer_id is not None


def refuse_change(session: Session, flow: str) -> Reply:
    """What a read-back says instead, when `may_change` is False."""
    if session.state.identity.level == "verified":  # verified, for someone else's account
        session.state.offered_human = True
        return Reply(text=NOT_HOLDER, intent=flow, confidence=1.0)
    return ask_for_account(session, flow)


def verified_by_check(session: Session, customer_id: str) -> None:
    """The account-access flow's own identity check (3 of 4 factors) passed."""
    _verify(session, customer_id, "identity_check")


def describe(session: Session) -> dict[str, object]:
    """For the handoff package: how far the caller was identified, and how."""
    ident = session.state.identity
    return {"level": ident.level, "account": ident.account, "named_by": ident.named_by,
            "verified_by": ident.verified_by, "account_holder": ident.holder,
            "failed_attempts": ident.failures, "verification_ended": ident.locked}


def how_verified(session: Session) -> str:
    """One phrase for the handoff summary."""
    ident = session.state.identity
    if ident.level == "verified":
        whose = "" if ident.holder else ", asking about someone else's account"
        return f"verified by {_HOW.get(ident.verified_by or '', ident.verified_by)}{whose}"
    if ident.level == "named":
        ended = ", verification failed" if ident.locked else ""
        return f"not verified (account named by {_HOW.get(ident.named_by or '', ident.named_by)}{ended})"
    return "not identified"


def _question(ident: CallerIdentity, whose: str = "you") -> str:
    facts = "zip code" if ident.named_by == "email" else "zip code or the email address"
    if not ident.holder:  # someone else's account: the same second fact, differently put
        return f"To look into that account, I need one detail from it: what's the {facts} on it?"
    return f"To confirm it's {whose}, what's the {facts} on the account?"


def _from_caller_id(svc: Services, session: Session) -> None:
    """An anonymous caller's caller id names their account (verifies it when the entrance
    vouched for the number: Session.caller_verified)."""
    ident = session.state.identity
    if ident.level != "anonymous" or ident.locked or not session.caller_id:
        return
    customer = svc.customers.by_phone(session.caller_id)
    if customer is None:
        return
    _name(session, customer.customer_id, "caller_id", holder=True)
    if session.caller_verified:
        _verify(session, customer.customer_id, "caller_id")


def _hear(svc: Services, session: Session, facts: dict[str, str], said: str) -> Reply | None:
    _from_caller_id(svc, session)
    ident = session.state.identity
    if not facts or ident.locked:
        return None
    someone_else = bool(_SOMEONE_ELSE.search(said))
    wrong = False
    for kind in _FACTS:
        value = facts.get(kind)
        if value is None:
            continue
        if ident.level == "verified":
            # a verified caller stays on their account unless they name someone else's
            owner = _owner(svc, kind, value) if someone_else and kind != "zip_code" else None
            if owner is not None and owner != ident.account:
                _name(session, owner, kind, holder=False)
            continue
        owner = _owner(svc, kind, value)
        if owner is not None and owner == ident.own and ident.own_by is not None:
            _verify(session, owner, ident.own_by)  # back to the caller's own account
            _note_order(session, kind, value)
            break
        if ident.account is None:
            if owner is not None:
                _name(session, owner, kind, holder=not someone_else)
                _note_order(session, kind, value)
            continue
        if kind == _kind(ident.named_by) or _told(session, value):
            continue  # never the fact that named it, never one the agent said
        if _matches(svc, session, ident.account, kind, value):
            _verify(session, ident.account, kind)
            _note_order(session, kind, value)
            break
        if kind == "zip_code" and _is_order_of(svc, ident.account, value):
            _verify(session, ident.account, "order_id")  # five digits: an order number
            _note_order(session, "order_id", value)
            break
        if kind == "order_id" and owner is None and _is_zip(svc, session, ident.account, value):
            del facts["order_id"]  # five digits, no such order: it was the zip code
            _verify(session, ident.account, "zip_code")
            break
        if owner is not None and kind != "zip_code":
            _name(session, owner, kind, holder=not someone_else)  # another account named
            _note_order(session, kind, value)
        elif kind in _VERIFIES_BY_RECORD:
            wrong = True
    if not wrong or ident.level == "verified" or not ident.asked:
        return None
    ident.failures += 1
    flow = session.state.awaiting_flow or session.state.flow or "identity"
    if ident.failures >= WRONG_ANSWERS_LOCK:
        ident.locked = True
        return ask_for_account(session, flow, "")
    session.state.awaiting_flow = flow
    return Reply(text=f"{MISMATCH} {_question(ident)}", intent=flow, confidence=1.0)


def _is_zip(svc: Services, session: Session, account: str, value: str) -> bool:
    """A bare five-digit number reads as an order number or a zip code; when no order has
    it, it may be the named account's zip (said before the zip was asked for)."""
    return re.fullmatch(r"\d{5}", value) is not None and _matches(
        svc, session, account, "zip_code", value)


def _is_order_of(svc: Services, account: str, value: str) -> bool:
    """Five digits heard as a zip code may be an order number of the named account."""
    if re.fullmatch(r"\d{5}", value) is None:
        return False
    order = svc.orders.order(value)
    return order is not None and order.customer_id == account


def _owner(svc: Services, kind: str, value: str) -> str | None:
    """The account a fact names (a zip code names none)."""
    found: object = None
    if kind == "email":
        found = svc.customers.by_email(value)
    elif kind == "phone":
        found = svc.customers.by_phone(value)
    elif kind == "order_id":
        order = svc.orders.order(value)
        return order.customer_id if order is not None else None
    return found.customer_id if isinstance(found, Customer) else None


def _matches(svc: Services, session: Session, account: str, kind: str, value: str) -> bool:
    if kind == "order_id":
        order = svc.orders.order(value)
        return order is not None and order.customer_id == account
    result = svc.tools.call(session, "verify_identity",
                            {"customer_id": account, "claims": {kind: value}})
    return kind in result.get("matched", [])


def _told(session: Session, value: str) -> bool:
    """Did the agent say this fact before the caller did? (Then it proves nothing; the
    agent repeating the caller's own words is no disclosure.)"""
    digits = re.sub(r"\D", "", value)

    def has(text: str) -> bool:
        return value.lower() in text.lower() or (
            len(digits) >= 4 and digits in re.sub(r"\D", "", text))

    for who, text in session.history:
        if has(text):
            return who == "agent"
    return False


def _kind(named_by: str | None) -> str | None:
    return "phone" if named_by == "caller_id" else named_by


def _note_order(session: Session, kind: str, value: str) -> None:
    if kind == "order_id":
        session.state.order.order_id = value  # the order discussed


def _name(session: Session, account: str, by: str, *, holder: bool) -> None:
    ident = session.state.identity
    if ident.account != account:
        ident.asked = False  # a new account: its question not yet asked
    ident.level, ident.account, ident.named_by = "named", account, by
    ident.verified_by, ident.holder = None, holder
    session.state.customer_id = None


def _verify(session: Session, account: str, by: str) -> None:
    ident = session.state.identity
    ident.level, ident.account, ident.verified_by = "verified", account, by
    if ident.holder:
        ident.own, ident.own_by = account, by
    session.state.customer_id = account
