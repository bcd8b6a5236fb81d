"""Cancellation (order or subscription), always read back and confirmed before acting.

The first turn only proposes: it stores a pending action resolved from the stores and
asks a yes/no question. The tool runs on a later turn, and only if that turn is a plain
"yes" (see `confirm`); anything else re-asks once, then drops the action.
"""

from __future__ import annotations

from typing import Any

from dialog.errors import ToolError
from dialog.flows.orders import AWAITING_KEY, ORDER_KEY, describe, find_order
from dialog.services import Services, say_date
from dialog.types import Reply, Session
from kb.adapters import Order
from nlu.cues import Cue
from nlu.entities import Entities

PENDING_KEY = "pending_action"
_NEED_ID = "I can help with that. First, what's the email address on your account?"


def propose_cancel_order(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = svc.identify(session, ents)
    if customer is None:
        session.state[AWAITING_KEY] = "cancel_order"
        return Reply(text=_NEED_ID, intent="cancel_order", confidence=1.0)
    order, candidates = find_order(svc, session, ents, customer)
    if order is None:
        session.state[AWAITING_KEY] = "cancel_order"
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
    session.state.pop(AWAITING_KEY, None)
    session.state[ORDER_KEY] = order.order_id
    if order.status != "order_received":
        return Reply(
            text=_not_cancellable(order),
            intent="cancel_order",
            confidence=1.0,
        )
    return _ask(
        session,
        "cancel_order",
        {"order_id": order.order_id},
        f"Just to confirm. You want me to cancel {describe(order)}? Please say yes or no.",
    )


def propose_cancel_subscription(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = svc.identify(session, ents)
    if customer is None:
        session.state[AWAITING_KEY] = "cancel_subscription"
        return Reply(text=_NEED_ID, intent="cancel_subscription", confidence=1.0)
    session.state.pop(AWAITING_KEY, None)
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
    return _ask(
        session,
        "cancel_subscription",
        {"subscription_id": sub.subscription_id},
        f"Just to confirm. You want to cancel your {sub.billing_cycle} {sub.plan} "
        f"subscription?{renews} Please say yes or no.",
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


def _ask(session: Session, tool: str, args: dict[str, Any], question: str) -> Reply:
    session.state[PENDING_KEY] = {"tool": tool, "args": args, "asked": 1}
    return Reply(
        text=question,
        intent=f"confirm_{tool}",
        confidence=1.0,
        tool_calls=[{"tool": tool, "args": args, "status": "awaiting_confirmation"}],
    )


def confirm(svc: Services, session: Session, found: set[Cue]) -> Reply | None:
    """Handle the turn after a read-back. Returns None when no action is pending."""
    pending = session.state.get(PENDING_KEY)
    if not pending:
        return None
    tool, args = pending["tool"], pending["args"]
    if Cue.AFFIRM in found and Cue.DENY not in found:
        session.state.pop(PENDING_KEY)
        try:
            result = svc.tools.call(session, tool, args, confirmed=True, reason="caller confirmed")
        except ToolError as exc:
            return Reply(text=f"Sorry, I couldn't do that. {exc}.", intent=tool, confidence=1.0)
        what = "order" if tool == "cancel_order" else "subscription"
        return Reply(
            text=f"Done. Your {what} is cancelled. Is there anything else I can help with?",
            intent=tool,
            confidence=1.0,
            tool_calls=[
                {
                    "tool": tool,
                    "args": args,
                    "status": "done",
                    "result": getattr(result, "status", None),
                }
            ],
        )
    if Cue.DENY in found:
        session.state.pop(PENDING_KEY)
        return Reply(
            text="Okay, I won't cancel anything. What else can I do for you?",
            intent="deny",
            confidence=1.0,
        )
    if pending.get("asked", 1) >= 2:
        session.state.pop(PENDING_KEY)
        return None  # treat this turn as a new request
    pending["asked"] = 2
    return Reply(
        text="Sorry, I need a clear yes or no. Should I go ahead and cancel?",
        intent=f"confirm_{tool}",
        confidence=1.0,
    )
