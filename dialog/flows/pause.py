"""Pause instead of cancel (policy: dialog.flows.policy): monthly subscriptions may pause
for up to three months. A cancellation read-back for a pausable subscription offers the
pause in the same breath ("...or say pause"); "pause" then reads back the pause itself.
"""

from __future__ import annotations

import datetime as dt
import re

from dialog import identity
from dialog.flows.cancel import propose_cancel_subscription
from dialog.flows.confirm import read_back, refused
from dialog.flows.policy import PAUSABLE_CYCLES, PAUSE_MONTHS
from dialog.services import Services, say_date
from dialog.state import PendingAction
from dialog.types import Reply, Session
from kb.adapters import Subscription
from nlu.entities import Entities

PAUSE = "pause"  # the name of the pause alternative in a cancellation read-back
_PAUSE_WORDS = re.compile(r"\b(paus\w*|on hold|suspend|freeze)\b", re.I)
_NUMBER = {1: "one", 2: "two", 3: "three"}


def pausable(sub: Subscription) -> bool:
    return sub.status == "active" and sub.billing_cycle in PAUSABLE_CYCLES


def _resumes(sub: Subscription, today: dt.date) -> dt.date:
    start = sub.next_bill_date or today
    index = start.month - 1 + PAUSE_MONTHS
    return dt.date(start.year + index // 12, index % 12 + 1, min(start.day, 28))


def _pause_action(svc: Services, sub: Subscription) -> PendingAction:
    months = _NUMBER.get(PAUSE_MONTHS, str(PAUSE_MONTHS))
    return PendingAction(
        tool="pause_subscription",
        args={"subscription_id": sub.subscription_id, "months": PAUSE_MONTHS},
        question=(
            f"Just to confirm. You want me to pause your {sub.billing_cycle} {sub.plan} "
            f"subscription for {months} months? You won't be charged while it's paused, and it "
            f"restarts on {say_date(_resumes(sub, svc.today()))}. Please say yes or no."
        ),
        done="Done. Your subscription is paused.",
        declined="Okay, I won't pause it.",
    )


def propose_pause(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "pause_subscription")
    session.state.awaiting_flow = None
    subs = svc.tools.call(session, "list_subscriptions", {"customer_id": customer.customer_id})
    if any(s.status == "paused" for s in subs):
        return Reply(text="Your subscription is already paused.", intent="pause_subscription",
                     confidence=1.0)
    active = [s for s in subs if s.status == "active"]
    if not active:
        return Reply(text="I don't see an active subscription on your account.",
                     intent="pause_subscription", confidence=1.0)
    sub = active[0]
    if not pausable(sub):
        return Reply(
            text=f"Sorry, your {sub.billing_cycle} plan is paid in advance, so it can't be paused. "
            "Only monthly subscriptions can be paused.",
            intent="pause_subscription",
            confidence=1.0,
        )
    return read_back(session, _pause_action(svc, sub))


def propose_cancel_or_pause(svc: Services, session: Session, ents: Entities) -> Reply:
    """The cancellation read-back, with the pause offered first where policy allows."""
    reply = propose_cancel_subscription(svc, session, ents)
    pending = session.state.pending
    if reply.intent != "confirm_cancel_subscription" or pending is None:
        return reply
    customer = identity.caller(svc, session)
    subs = svc.billing.subscriptions_for(customer.customer_id) if customer else []
    sub = next((s for s in subs if s.subscription_id == pending.args["subscription_id"]), None)
    if sub is None or not pausable(sub) or refused(session, "pause_subscription"):
        return reply
    months = _NUMBER.get(PAUSE_MONTHS, str(PAUSE_MONTHS))
    pending.alternatives = {PAUSE: _pause_action(svc, sub)}
    reply.text = pending.question = (
        f"Before you cancel: I can pause it for up to {months} months instead, with no charges "
        f"while it's paused. {reply.text.removesuffix(' Please say yes or no.')} "
        "Please say yes or no, or say pause to pause it instead."
    )
    return reply


def take_alternative(session: Session, text: str) -> Reply | None:
    """The caller picked the alternative offered in a read-back: read that one back."""
    pending = session.state.pending
    if pending is None or not pending.alternatives or not _PAUSE_WORDS.search(text):
        return None
    action = pending.alternatives.get(PAUSE)
    if action is None:
        return None
    return read_back(session, action)
