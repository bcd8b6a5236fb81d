"""Plan upgrade: find the caller's active subscription, quote the difference, read back.

The target plan is the one the caller named among the plans on file, else the next plan
up. Nothing changes until the caller's explicit yes (`dialog.flows.confirm`).
"""

from __future__ import annotations

from dialog import identity
from dialog.flows.confirm import ask, refused
from dialog.services import Services, say_date, say_money
from dialog.types import Reply, Session
from nlu.entities import Entities

_NEED_ID = "I can help you upgrade. First, what's the email address on your account?"


def last_caller_text(session: Session) -> str:
    """The caller's words the running command came from (one request of a longer turn,
    self-corrections applied: `DialogState.said`), else the caller's last turn."""
    if session.state.said:
        return session.state.said
    for who, text in reversed(session.history):
        if who == "caller":
            return text
    return ""


def propose_upgrade(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "upgrade_plan", _NEED_ID)
    session.state.awaiting_flow = None
    subs = svc.tools.call(session, "list_subscriptions", {"customer_id": customer.customer_id})
    active = [s for s in subs if s.status == "active"]
    if not active:
        paused = any(s.status == "paused" for s in subs)
        text = (
            "Your subscription is paused, so it can't be upgraded right now."
            if paused
            else "I don't see an active subscription on your account to upgrade."
        )
        return Reply(text=text, intent="upgrade_plan", confidence=1.0)
    sub = active[0]
    plans = svc.tools.call(session, "list_plans", {})
    by_name = {p["plan"]: p for p in plans}
    current = by_name.get(sub.plan)
    if current is None:
        return Reply(
            text="I can't upgrade that plan myself. I can connect you with a colleague.",
            intent="upgrade_plan",
            confidence=1.0,
        )
    higher = [p for p in plans if p["rank"] > current["rank"]]
    if not higher:
        return Reply(
            text=f"You're already on our top plan, {sub.plan}. There's nothing higher to move to.",
            intent="upgrade_plan",
            confidence=1.0,
        )
    low = last_caller_text(session).lower()
    named = [p for p in plans if p["plan"] in low]
    if named and named[0]["rank"] <= current["rank"]:
        return Reply(
            text=f"You're on the {sub.plan} plan already, and {named[0]['plan']} isn't higher. "
            f"The plan above yours is {higher[0]['plan']}.",
            intent="upgrade_plan",
            confidence=1.0,
        )
    target = named[0] if named else higher[0]
    price_key = "annual_cents" if sub.billing_cycle == "annual" else "monthly_cents"
    period = "year" if sub.billing_cycle == "annual" else "month"
    new_price = int(target[price_key])
    difference = new_price - sub.amount_cents
    starts = f" starting with your next bill on {say_date(sub.next_bill_date)}" if sub.next_bill_date else ""
    quote = (f"The {target['plan']} plan is {say_money(new_price)} a {period}, that's "
             f"{say_money(difference)} more than your {sub.plan} plan{starts}.")
    if refused(session, "upgrade_subscription"):  # "don't upgrade me, just the price"
        return Reply(text=f"{quote} Just say so if you'd like to upgrade.",
                     intent="upgrade_plan", confidence=1.0)
    return ask(
        session,
        "upgrade_subscription",
        {"subscription_id": sub.subscription_id, "plan": target["plan"]},
        f"{quote} Just to confirm. You want me to upgrade your {sub.billing_cycle} subscription to "
        f"{target['plan']}? Please say yes or no.",
        done=f"Done. You're now on the {target['plan']} plan.",
        declined="Okay, I'll leave your plan as it is.",
    )
