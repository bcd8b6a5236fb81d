"""Cancellation (order or subscription): resolve what to cancel, then read it back.

Nothing is cancelled here: `dialog.flows.confirm.ask` stores the pending action and the
tool runs only after the caller's explicit yes on a later turn.
"""

from __future__ import annotations

from dialog import identity
from dialog.flows.confirm import ask
from dialog.flows.orders import describe, find_order
from dialog.services import Services, say_date
from dialog.types import Reply, Session
from kb.adapters import Order
from nlu.entities import Entities


def propose_cancel_order(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "cancel_order")
    order, candidates = find_order(svc, session, ents, customer)
    if order is None:
        session.state.awaiting_flow = "cancel_order"
        if candidates:
            dates = ", ".join(
                f"one from {o.placed_on:%B} {o.placed_on.day}" for o in candidates[:3]
            )
            return Reply(
                text=f"Which order should I cancel: {dates}?", intent="cancel_order", confidence=1.0
            )
        return Reply(
            text="Which order would you like to cancel? What's the order number?",
            intent="cancel_order",
            confidence=1.0,
        )
    session.state.awaiting_flow = None
    session.state.order.order_id = order.order_id
    if order.status != "order_received":
        return Reply(
            text=_not_cancellable(order),
            intent="cancel_order",
            confidence=1.0,
        )
    return ask(
        session,
        "cancel_order",
        {"order_id": order.order_id},
        f"Just to confirm. You want me to cancel {describe(order)}? Please say yes or no.",
        done="Done. Your order is cancelled.",
        declined="Okay, I won't cancel it.",
    )


def propose_cancel_subscription(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "cancel_subscription")
    session.state.awaiting_flow = None
    subs = svc.tools.call(session, "list_subscriptions", {"customer_id": customer.customer_id})
    active = [s for s in subs if s.status == "active"]
    if not active:
        return Reply(
            text="I don't see an active subscription on your account.",
            intent="cancel_subscription",
            confidence=1.0,
        )
    sub = active[0]
    renews = f" It renews on {say_date(sub.next_bill_date)}." if sub.next_bill_date else ""
    return ask(
        session,
        "cancel_subscription",
        {"subscription_id": sub.subscription_id},
        f"Just to confirm. You want to cancel your {sub.billing_cycle} {sub.plan} "
        f"subscription?{renews} Please say yes or no.",
        done="Done. Your subscription is cancelled.",
        declined="Okay, I won't cancel it.",
    )


def _not_cancellable(order: Order) -> str:
    what = describe(order)
    if order.status == "cancelled":
        return f"That's already done. {what[0].upper()}{what[1:]} is cancelled."
    if order.status == "delivered":
        return f"Sorry, I can't cancel that one. {what[0].upper()}{what[1:]} was already delivered. You can return it instead."
    return (
        f"Sorry, I can't cancel that one. {what[0].upper()}{what[1:]} has already shipped. "
        "Once it arrives, you can return it."
    )
