"""Return eligibility: join membership tier (caller or said), purchase date (order or said),
product, and the manual's return windows, then state the deadline with a citation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialog import identity
from dialog.flows.confirm import ask, refused
from dialog.flows.orders import find_order
from dialog.knowledge import citation_for
from dialog.services import Services, say_date, say_money
from dialog.types import Citation, Reply, Session
from kb.adapters import Order
from nlu.entities import Entities


@dataclass
class ReturnSlots:
    """What the return flow knows so far; kept for the whole call."""

    tier: str | None = None  # membership tier: said, or the account's
    item: str | None = None  # product name
    purchased: dt.date | None = None


def return_window(svc: Services, session: Session, ents: Entities) -> Reply:
    slots = session.state.slots(ReturnSlots)
    customer = identity.caller(svc, session)
    if ents.tiers:
        slots.tier = ents.tiers[0]
    elif customer is not None and slots.tier is None:
        slots.tier = customer.tier
    item = ents.products[0] if ents.products else slots.item
    purchased = ents.dates[0] if ents.dates else None
    order = None
    if customer is not None and (ents.order_ids or ents.products or ents.dates):
        order, _ = find_order(svc, session, ents, customer)
        if order is not None:
            # About their own purchase: the account's tier counts, not a claimed one.
            slots.tier = customer.tier
            session.state.order.order_id = order.order_id
            purchased = purchased or order.placed_on
            item = item or (order.lines[0].product_name if order.lines else None)
    if purchased is not None:
        slots.purchased = purchased
    if item:
        slots.item = item
    policy = svc.return_policy
    cite = [citation_for(policy.source)]
    tier = slots.tier
    if tier not in policy.windows:
        session.state.awaiting_flow = "return_window"
        return Reply(
            text="I can check that. What's your membership level: gold, silver, bronze or guest?",
            intent="return_window",
            confidence=1.0,
            citations=cite,
        )
    session.state.awaiting_flow = None
    window = policy.windows[tier]
    thing = f"the {item}" if item else "your item"
    if window.amount is None:
        text = (
            f"Good news. As a {tier} member you get unlimited returns, "
            f"so you can return {thing} at any time."
        )
        return _maybe_offer(session, order, item, text, cite)
    rule = f"{tier.capitalize()} members can return items within {window.spoken()}."
    if slots.purchased is None:
        session.state.awaiting_flow = "return_window"
        return Reply(
            text=f"{rule} When did you buy it? I'll work out your exact deadline.",
            intent="return_window",
            confidence=1.0,
            citations=cite,
        )
    bought = slots.purchased
    deadline = window.deadline(bought)
    assert deadline is not None
    when = f"{bought:%B} {bought.day}"
    if svc.today() <= deadline:
        text = (
            f"Yes, you can still return it. {rule} For {thing}, bought on {when}, "
            f"your return window runs until {say_date(deadline)}."
        )
        return _maybe_offer(session, order, item, text, cite)
    else:
        text = (
            f"Sorry, that window has closed. {rule} For {thing}, bought on {when}, "
            f"it ended on {say_date(deadline)}."
        )
        if tier in policy.receipt_tiers:
            text += " You can still return it if you have the receipt."
    return Reply(text=text, intent="return_window", confidence=1.0, citations=cite)


def _maybe_offer(
    session: Session, order: Order | None, item: str | None, text: str, cite: list[Citation]
) -> Reply:
    """Eligible and we know which order: offer to start the return (needs a yes)."""
    if order is None or order.status != "delivered" or refused(session, "start_return"):
        return Reply(text=text, intent="return_window", confidence=1.0, citations=cite)
    lines = [ln for ln in order.lines if ln.product_name == item] or list(order.lines)
    amount = sum(ln.price_cents * ln.quantity for ln in lines)
    offer = ask(
        session,
        "start_return",
        {"order_id": order.order_id, "amount_cents": amount},
        f"{text} Would you like me to start the return, for a refund of {say_money(amount)}? "
        "Please say yes or no.",
        done=(
            "Done. Your return is started and your refund is in progress. "
            "Your refund goes back to your original payment method."
        ),
        declined="Okay, I won't start a return.",
    )
    offer.citations = cite
    return offer
