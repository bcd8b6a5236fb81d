"""Complaint: record it (with a follow-up date), investigate the order, offer a goodwill
credit within policy (dialog.flows.policy: at most $50 and never more than the order),
read it back. A late order's own compensation is in dialog.flows.late."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dialog import identity
from dialog.flows.confirm import ask, refused
from dialog.flows.orders import find_order, status_text
from dialog.flows.policy import CREDIT_CAP_CENTS, FOLLOW_UP_DAYS
from dialog.flows.upgrade import last_caller_text
from dialog.services import Services, say_date, say_money
from dialog.types import Reply, Session
from nlu.entities import Entities

_CATEGORIES = (
    ("late", re.compile(r"\b(late|delay\w*|still (?:not|hasn'?t)|never (?:came|arrived))\b", re.I)),
    ("damaged", re.compile(r"\b(damaged|broken|torn|ripped|defect\w*|stain\w*)\b", re.I)),
    ("wrong_item", re.compile(r"\b(wrong (?:item|size|colou?r|product)|not what i ordered)\b", re.I)),
    ("missing", re.compile(r"\b(missing|not in the box|lost)\b", re.I)),
    ("service", re.compile(r"\b(service|rude|agent|support|on hold|wait\w*)\b", re.I)),
)


@dataclass
class ComplaintSlots:
    """What the complaint flow collected: one complaint per call."""

    category: str | None = None  # from fixed keywords in the caller's first complaint turn
    complaint_id: str | None = None  # once recorded


def category_of(text: str) -> str:
    return next((name for name, pattern in _CATEGORIES if pattern.search(text)), "other")


def complaint(svc: Services, session: Session, ents: Entities) -> Reply:
    text = last_caller_text(session)
    slots = session.state.slots(ComplaintSlots)
    if slots.category is None:
        slots.category = category_of(text)
    customer = identity.caller(svc, session)
    if customer is None:
        return identity.ask_for_account(session, "complaint", "I'm sorry to hear that, and I'll make sure "
                               "it's recorded. What's the email address on your account?")
    session.state.awaiting_flow = None
    order, _ = find_order(svc, session, ents, customer)
    if order is not None and order.customer_id != customer.customer_id:
        order = None
    follow_up = svc.today() + dt.timedelta(days=FOLLOW_UP_DAYS)
    if not slots.complaint_id:
        record = svc.tools.call(
            session,
            "record_complaint",
            {
                "customer_id": customer.customer_id,
                "order_id": order.order_id if order else None,
                "category": slots.category,
                "follow_up_on": follow_up.isoformat(),
            },
        )
        slots.complaint_id = record["complaint_id"]
    parts = [
        "I'm sorry about this. I've recorded your complaint, and a colleague will follow up "
        f"with you by {say_date(follow_up)}."
    ]
    if order is None:
        parts.append("If it's about a particular order, tell me the order number and I'll look into it.")
        return Reply(text=" ".join(parts), intent="complaint", confidence=1.0,
                     tool_calls=[{"tool": "record_complaint", "status": "done"}])
    session.state.order.order_id = order.order_id
    parts.append(status_text(order).removeprefix("I found your order. "))
    credits = svc.tools.call(session, "list_credits", {"customer_id": customer.customer_id})
    if refused(session, "issue_credit"):
        return Reply(text=" ".join(parts), intent="complaint", confidence=1.0)
    if any(c.get("order_id") == order.order_id for c in credits):
        parts.append("This order already has a credit on your account, so I can't add another.")
        return Reply(text=" ".join(parts), intent="complaint", confidence=1.0)
    limit = min(CREDIT_CAP_CENTS, order.total_cents)
    asked = [round(a * 100) for a in ents.amounts if a > 0]
    amount = min(asked[0], limit) if asked else limit
    if asked and asked[0] > limit:
        parts.append(f"The most I can offer is {say_money(limit)}.")
    parts.append(
        f"I can add a credit of {say_money(amount)} to your account for this. "
        "Would you like that? Please say yes or no."
    )
    return ask(
        session,
        "issue_credit",
        {
            "customer_id": customer.customer_id,
            "order_id": order.order_id,
            "amount_cents": amount,
            "reason_code": "complaint",
        },
        " ".join(parts),
        done=f"Done. A credit of {say_money(amount)} is on your account.",
        declined="Okay, no credit. Your complaint is still recorded.",
    )
