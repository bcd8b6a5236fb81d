"""Order status, plus the compensation policy allows for a late order.

Policy (manual, Shipping Issue > Shipping Cost): the standard $8 shipping fee is waived
(not yet delivered) or refunded (delivered) - here as an $8 account credit, once per
order, and only to an identified caller who owns the order. The offer is soft: anything
but yes or no drops it and the turn is handled as a new request.
"""

from __future__ import annotations

from dialog.flows.confirm import ask, refused
from dialog.flows.orders import order_status
from dialog.flows.policy import SHIPPING_FEE_CENTS
from dialog.services import Services, say_money
from dialog.types import Reply, Session
from nlu.entities import Entities


def order_status_with_compensation(svc: Services, session: Session, ents: Entities) -> Reply:
    reply = order_status(svc, session, ents)
    order_id = session.state.order.order_id
    customer_id = session.state.customer_id
    if not order_id or not customer_id or not any(
        c.get("tool") == "lookup_order" for c in reply.tool_calls
    ):
        return reply
    order = svc.orders.order(str(order_id))
    late = (
        order is not None
        and order.customer_id == customer_id
        and order.status != "cancelled"
        and order.original_estimate is not None
        and order.current_estimate is not None
        and order.current_estimate > order.original_estimate
    )
    offered = session.state.order.credit_offered
    if not late or order is None or order.order_id in offered or refused(session, "issue_credit"):
        return reply
    offered.append(order.order_id)
    credits = svc.tools.call(session, "list_credits", {"customer_id": customer_id})
    if any(c.get("order_id") == order.order_id for c in credits):
        return reply
    fee = say_money(SHIPPING_FEE_CENTS)
    how = "refund" if order.status == "delivered" else "waive"
    offer = ask(
        session,
        "issue_credit",
        {
            "customer_id": customer_id,
            "order_id": order.order_id,
            "amount_cents": SHIPPING_FEE_CENTS,
            "reason_code": "late_delivery",
        },
        f"{reply.text} I'm sorry it's late. I can {how} the {fee} shipping fee, as a credit "
        "on your account. Would you like that?",
        done=f"Done. A credit of {fee} is on your account.",
        declined="Okay, no credit.",
        soft=True,
    )
    offer.intent = reply.intent
    offer.tool_calls = reply.tool_calls + offer.tool_calls
    return offer
